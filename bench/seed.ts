/**
 * Seeds contacts straight into the SQLite file, with exactly the row shape the
 * app writes (ContactRepository.toRow and the foundation migration): a million
 * HTTP POSTs would take far too long. The server must not be running meanwhile.
 */
import BetterSqlite3 from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import { fillSearchIndex, suspendTriggers } from './search.js';

export interface Seeded {
  workspaceId: string;
  contacts: number;
  /** A spread of existing contacts, to rotate over. */
  sample: { id: string; email: string }[];
  /** The contact in the middle of the created_at order: the last row of the page before the deep page. */
  middle: { id: string; createdAt: number };
  /** The 25th contact in created_at order: where the first page's next_cursor points. */
  firstPageLast: { id: string; createdAt: number };
  ms: number;
}

const FIRST = ['ada', 'alan', 'grace', 'linus', 'barbara', 'edsger', 'donald', 'margaret', 'ken', 'dennis', 'frances', 'john', 'radia', 'leslie', 'niklaus', 'tony', 'ivan', 'shafi', 'judea', 'sophie', 'karen', 'guido', 'anders', 'bjarne', 'james', 'yukihiro', 'rasmus', 'brendan', 'larry', 'tim'];
export const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'liskov', 'dijkstra', 'knuth', 'hamilton', 'thompson', 'ritchie', 'allen', 'mccarthy', 'perlman', 'lamport', 'wirth', 'hoare', 'sutherland', 'goldwasser', 'pearl', 'wilson', 'jones', 'van rossum', 'hejlsberg', 'stroustrup', 'gosling', 'matsumoto', 'lerdorf', 'eich', 'wall', 'berners-lee'];
const TITLES = [null, 'CEO', 'CTO', 'VP Sales', 'Account Executive', 'Engineer', 'Head of Marketing', null, 'Buyer', 'Procurement Lead'];
const SAMPLE_SIZE = 5000;
const BATCH = 50_000;

const capitalize = (s: string) => s.replace(/(^|[\s-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

/** Contact i of a seeding: the same rows whichever database they go into. */
export interface ContactSeedRow {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  /** The `emails` column: the JSON list ContactRepository.toRow writes. */
  emails: string;
  title: string | null;
  /** created_at and updated_at. */
  at: number;
}

/**
 * The contacts of one seeding, row by row in created_at order (strictly in the
 * past, one millisecond apart), remembering what the scenarios need of them.
 */
export class ContactPlan {
  // ulid's default PRNG asks crypto for one byte per character (16 calls an id): that alone
  // made seeding take minutes. Seeded ids need not be unguessable, so Math.random will do.
  private readonly ulid = monotonicFactory(() => Math.random());
  private readonly base: number;
  private readonly step: number;
  private readonly sample: Seeded['sample'] = [];
  private middle: Seeded['middle'] | undefined;
  private firstPageLast: Seeded['firstPageLast'] | undefined;

  constructor(readonly count: number) {
    // Before now by more than a minute, so the app's next change time is later than all of them.
    this.base = Date.now() - count - 60_000;
    this.step = Math.max(1, Math.floor(count / SAMPLE_SIZE));
  }

  /** The last row's time: the workspace's change clock must be past it. */
  get lastAt(): number {
    return this.base + this.count - 1;
  }

  /** Row i; call in order, 0 to count - 1. */
  row(i: number): ContactSeedRow {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
    const email = `${first}.${last.replace(/\s+/g, '')}.${i}@example.com`;
    const at = this.base + i;
    const id = `con_${this.ulid(at)}`;
    if (i % this.step === 0 && this.sample.length < SAMPLE_SIZE) this.sample.push({ id, email });
    if (i === Math.floor(this.count / 2)) this.middle = { id, createdAt: at };
    if (i === 24) this.firstPageLast = { id, createdAt: at };
    return { id, firstName: capitalize(first), lastName: capitalize(last), email, emails: JSON.stringify([{ email, label: null }]), title: TITLES[i % TITLES.length] ?? null, at };
  }

  seeded(workspaceId: string, ms: number): Seeded {
    if (!this.middle || !this.firstPageLast) throw new Error('seeding did not reach the middle row');
    return { workspaceId, contacts: this.count, sample: this.sample, middle: this.middle, firstPageLast: this.firstPageLast, ms };
  }
}

/**
 * Opens the (bootstrapped, not running) database for bulk loading: no WAL and no
 * fsync, so every page is written once; the file is thrown away if this process
 * dies. Returns it with the one workspace bootstrap made.
 */
function openForSeeding(file: string): { db: BetterSqlite3.Database; workspaceId: string } {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -1048576');
  db.pragma('temp_store = MEMORY');
  const workspaces = db.prepare('select id from workspaces').all() as { id: string }[];
  if (workspaces.length !== 1 || workspaces[0] === undefined) {
    db.close();
    throw new Error(`expected exactly one (bootstrapped) workspace, found ${workspaces.length}`);
  }
  return { db, workspaceId: workspaces[0].id };
}

export function seedContacts(file: string, count: number, log: (line: string) => void): Seeded {
  const started = performance.now();
  const { db, workspaceId } = openForSeeding(file);
  try {

    // Secondary indexes are rebuilt from their own SQL after the load: sorting once beats a
    // million scattered B-tree inserts. The schema ends up exactly as the migration made it.
    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('contacts', 'contact_emails') and sql is not null")
      .all() as { name: string; sql: string }[];
    const existing = db.prepare('select count(*) as n from contacts').get() as { n: number };
    const rebuildIndexes = existing.n === 0;
    if (rebuildIndexes) for (const index of indexes) db.exec(`drop index "${index.name.replace(/"/g, '""')}"`);
    // The search index's triggers too: its documents are written in one pass after the load.
    const triggers = rebuildIndexes ? suspendTriggers(db, ['contacts', 'contact_emails']) : undefined;

    const insertContact = db.prepare(
      `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source,
         address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version)
       values (?, ?, ?, ?, ?, ?, null, '[]', ?, null, null, 'active', null, null, null, null, null, null, '{}', ?, ?, 1)`,
    );
    const insertEmail = db.prepare('insert into contact_emails (workspace_id, email, contact_id, label, position) values (?, ?, ?, null, 0)');
    const plan = new ContactPlan(count);
    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const c = plan.row(i);
        insertContact.run(c.id, workspaceId, c.firstName, c.lastName, c.email, c.emails, c.title, c.at, c.at);
        insertEmail.run(workspaceId, c.email, c.id);
      }
    });

    let lastReport = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      insertBatch(from, Math.min(count, from + BATCH));
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        log(`  … ${Math.min(count, from + BATCH).toLocaleString('en-US')} contacts`);
      }
    }
    if (rebuildIndexes) {
      log(`  … rebuilding ${indexes.length} indexes`);
      for (const index of indexes) db.exec(index.sql);
    }
    if (triggers) {
      fillSearchIndex(db, 'search_source_contacts', log);
      triggers.restore();
    }

    // The app stamps changes with max(now, change_clock + 1): keep that clock past every seeded row.
    db.prepare('update workspaces set change_clock = max(change_clock, ?) where id = ?').run(plan.lastAt, workspaceId);
    // No ANALYZE: the database stays as the API leaves it; Trellis keeps its own statistics (PRAGMA optimize at open).
    db.pragma('journal_mode = WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return plan.seeded(workspaceId, performance.now() - started);
  } finally {
    db.close();
  }
}

/**
 * Lifts the bootstrap key's own per-minute budget, so a fast machine cannot run
 * into 429s halfway through (RATE_LIMIT_PER_MINUTE is capped at 1,000,000 by the
 * config). The rate limiter still runs on every request, with the same code path.
 */
export function liftKeyBudget(file: string, perMinute: number): void {
  const db = new BetterSqlite3(file);
  try {
    db.prepare('update api_keys set rate_limit_per_minute = ?').run(perMinute);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export interface SeededStage {
  id: string;
  name: string;
  position: number;
  type: string;
  /** Deals seeded into it. */
  deals: number;
}

export interface SeededDeals {
  deals: number;
  pipelineId: string;
  /** The default pipeline's stages, by position. */
  stages: SeededStage[];
  /** The open stage the list scenario reads (the first; where POST /v1/deals puts new deals). */
  listStage: SeededStage;
  /** The two open stages the move scenario alternates deals between (the last two open ones). */
  moveStages: [SeededStage, SeededStage];
  /** Deals seeded into the two move stages, in creation order (a spread, at most MOVE_POOL): where each is, 0 or 1. */
  movePool: { id: string; at: 0 | 1 }[];
  ms: number;
}

const DEAL_KINDS = ['renewal', 'expansion', 'pilot', 'new business', 'upgrade', 'multi-year'];
const MOVE_POOL = 60_000;

/** Deal i of a seeding, with the first row of its stage history: the same rows whichever database they go into. */
export interface DealSeedRow {
  id: string;
  name: string;
  /** Minor units, 1,000.00 to 100,000.00 USD. */
  amount: number;
  stage: SeededStage;
  /** The stage history row's id. */
  changeId: string;
  /** created_at, updated_at, stage_entered_at and the history row's changed_at. */
  at: number;
}

/**
 * The deals of one seeding into the default pipeline. Deal i goes to open stage
 * i mod (open stages); the plan counts each stage's deals and keeps the pool the
 * move scenario alternates between the last two open stages.
 */
export class DealPlan {
  private readonly ulid = monotonicFactory(() => Math.random());
  private readonly changeUlid = monotonicFactory(() => Math.random());
  private readonly base: number;
  private readonly open: SeededStage[];
  private readonly listStage: SeededStage;
  private readonly moveStages: [SeededStage, SeededStage];
  private readonly poolStep: number;
  private readonly movePool: SeededDeals['movePool'] = [];
  private moveSeen = 0;

  constructor(
    readonly count: number,
    readonly pipelineId: string,
    /** The default pipeline's stages, by position. */
    private readonly stages: SeededStage[],
  ) {
    this.open = stages.filter((s) => s.type === 'open');
    if (this.open.length < 3) throw new Error(`the default pipeline has ${this.open.length} open stages; the deal scenarios need 3 (one to list, two to move between)`);
    this.listStage = this.open[0] as SeededStage;
    this.moveStages = [this.open[this.open.length - 2] as SeededStage, this.open[this.open.length - 1] as SeededStage];
    this.base = Date.now() - count - 60_000;
    const inMoveStages = Math.ceil((count * 2) / this.open.length);
    this.poolStep = Math.max(1, Math.ceil(inMoveStages / MOVE_POOL));
  }

  get lastAt(): number {
    return this.base + this.count - 1;
  }

  /** Row i; call in order, 0 to count - 1. */
  row(i: number): DealSeedRow {
    const stage = this.open[i % this.open.length] as SeededStage;
    const at = this.base + i;
    const id = `deal_${this.ulid(at)}`;
    const name = `${capitalize(LAST[i % LAST.length] as string)} ${DEAL_KINDS[Math.floor(i / LAST.length) % DEAL_KINDS.length] as string} ${i}`;
    const amount = (1_000 + ((i * 7_919) % 99_001)) * 100;
    stage.deals += 1;
    const moveIndex = stage === this.moveStages[0] ? 0 : stage === this.moveStages[1] ? 1 : -1;
    if (moveIndex >= 0) {
      if (this.moveSeen % this.poolStep === 0 && this.movePool.length < MOVE_POOL) this.movePool.push({ id, at: moveIndex as 0 | 1 });
      this.moveSeen += 1;
    }
    return { id, name, amount, stage, changeId: `chg_${this.changeUlid(at)}`, at };
  }

  seeded(ms: number): SeededDeals {
    return { deals: this.count, pipelineId: this.pipelineId, stages: this.stages, listStage: this.listStage, moveStages: this.moveStages, movePool: this.movePool, ms };
  }
}

/**
 * Seeds deals into the bootstrap workspace's default pipeline, in the row shape
 * DealRepository.toRow writes (`deal_` + ULID, status open, version 1, custom
 * fields '{}'), each with the first row of its stage history (from null to its
 * stage, by the bootstrap key's user), as DealService.createIn records it (see
 * DealPlan). The server must not be running.
 */
export function seedDeals(file: string, count: number, log: (line: string) => void): SeededDeals {
  const started = performance.now();
  const { db, workspaceId } = openForSeeding(file);
  try {
    const pipeline = db.prepare('select id from pipelines where workspace_id = ? and is_default = 1').get(workspaceId) as { id: string } | undefined;
    if (!pipeline) throw new Error('the bootstrap workspace has no default pipeline');
    const stages = (db.prepare('select id, name, position, type from stages where workspace_id = ? and pipeline_id = ? order by position').all(workspaceId, pipeline.id) as Omit<SeededStage, 'deals'>[]).map(
      (s) => ({ ...s, deals: 0 }),
    );
    const plan = new DealPlan(count, pipeline.id, stages);
    // The key's user, as the app records who moved a deal (changed_by).
    const user = db.prepare('select user_id from api_keys where workspace_id = ? order by created_at limit 1').get(workspaceId) as { user_id: string } | undefined;
    if (!user) throw new Error('the bootstrap workspace has no API key');

    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('deals', 'deal_stage_changes') and sql is not null")
      .all() as { name: string; sql: string }[];
    const existing = db.prepare('select count(*) as n from deals').get() as { n: number };
    const rebuildIndexes = existing.n === 0;
    if (rebuildIndexes) for (const index of indexes) db.exec(`drop index "${index.name.replace(/"/g, '""')}"`);
    const triggers = rebuildIndexes ? suspendTriggers(db, ['deals']) : undefined;

    const insertDeal = db.prepare(
      `insert into deals (id, workspace_id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date,
         closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version)
       values (?, ?, ?, ?, 'USD', ?, ?, 'open', null, null, null, null, null, null, null, '{}', ?, ?, ?, 1)`,
    );
    const insertChange = db.prepare(
      `insert into deal_stage_changes (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by, ms_in_previous_stage)
       values (?, ?, ?, null, ?, ?, ?, null)`,
    );
    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const d = plan.row(i);
        insertDeal.run(d.id, workspaceId, d.name, d.amount, pipeline.id, d.stage.id, d.at, d.at, d.at);
        insertChange.run(d.changeId, workspaceId, d.id, d.stage.id, d.at, user.user_id);
      }
    });

    let lastReport = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      insertBatch(from, Math.min(count, from + BATCH));
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        log(`  … ${Math.min(count, from + BATCH).toLocaleString('en-US')} deals`);
      }
    }
    if (rebuildIndexes) {
      log(`  … rebuilding ${indexes.length} deal indexes`);
      for (const index of indexes) db.exec(index.sql);
    }
    if (triggers) {
      fillSearchIndex(db, 'search_source_deals', log);
      triggers.restore();
    }

    db.prepare('update workspaces set change_clock = max(change_clock, ?) where id = ?').run(plan.lastAt, workspaceId);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return plan.seeded(performance.now() - started);
  } finally {
    db.close();
  }
}
