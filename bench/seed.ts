/**
 * Seeds contacts straight into the SQLite file, with exactly the row shape the
 * app writes (ContactRepository.toRow and the foundation migration): a million
 * HTTP POSTs would take far too long. The server must not be running meanwhile.
 */
import BetterSqlite3 from 'better-sqlite3';
import { monotonicFactory } from 'ulid';

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
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'liskov', 'dijkstra', 'knuth', 'hamilton', 'thompson', 'ritchie', 'allen', 'mccarthy', 'perlman', 'lamport', 'wirth', 'hoare', 'sutherland', 'goldwasser', 'pearl', 'wilson', 'jones', 'van rossum', 'hejlsberg', 'stroustrup', 'gosling', 'matsumoto', 'lerdorf', 'eich', 'wall', 'berners-lee'];
const TITLES = [null, 'CEO', 'CTO', 'VP Sales', 'Account Executive', 'Engineer', 'Head of Marketing', null, 'Buyer', 'Procurement Lead'];
const SAMPLE_SIZE = 5000;
const BATCH = 50_000;

const capitalize = (s: string) => s.replace(/(^|[\s-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

export function seedContacts(file: string, count: number, log: (line: string) => void): Seeded {
  const started = performance.now();
  const db = new BetterSqlite3(file);
  try {
    // Seeding only (the file is thrown away if this process dies): no WAL, no fsync, so
    // every page is written once. The server is not running, so the mode may change.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -1048576');
    db.pragma('temp_store = MEMORY');

    const workspaces = db.prepare('select id from workspaces').all() as { id: string }[];
    if (workspaces.length !== 1 || workspaces[0] === undefined) throw new Error(`expected exactly one (bootstrapped) workspace, found ${workspaces.length}`);
    const workspaceId = workspaces[0].id;

    // Secondary indexes are rebuilt from their own SQL after the load: sorting once beats a
    // million scattered B-tree inserts. The schema ends up exactly as the migration made it.
    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('contacts', 'contact_emails') and sql is not null")
      .all() as { name: string; sql: string }[];
    const existing = db.prepare('select count(*) as n from contacts').get() as { n: number };
    const rebuildIndexes = existing.n === 0;
    if (rebuildIndexes) for (const index of indexes) db.exec(`drop index "${index.name.replace(/"/g, '""')}"`);

    const insertContact = db.prepare(
      `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source,
         address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version)
       values (?, ?, ?, ?, ?, ?, null, '[]', ?, null, null, 'active', null, null, null, null, null, null, '{}', ?, ?, 1)`,
    );
    const insertEmail = db.prepare('insert into contact_emails (workspace_id, email, contact_id, label, position) values (?, ?, ?, null, 0)');

    // ulid's default PRNG asks crypto for one byte per character (16 calls an id): that alone
    // made seeding take minutes. Seeded ids need not be unguessable, so Math.random will do.
    const ulid = monotonicFactory(() => Math.random());
    // Strictly in the past, one millisecond apart, so the app's next change time is later than all of them.
    const base = Date.now() - count - 60_000;
    const step = Math.max(1, Math.floor(count / SAMPLE_SIZE));
    const middleIndex = Math.floor(count / 2);
    const sample: Seeded['sample'] = [];
    let middle: Seeded['middle'] | undefined;
    let firstPageLast: Seeded['firstPageLast'] | undefined;

    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const first = FIRST[i % FIRST.length] as string;
        const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
        const email = `${first}.${last.replace(/\s+/g, '')}.${i}@example.com`;
        const at = base + i;
        const id = `con_${ulid(at)}`;
        insertContact.run(id, workspaceId, capitalize(first), capitalize(last), email, JSON.stringify([{ email, label: null }]), TITLES[i % TITLES.length] ?? null, at, at);
        insertEmail.run(workspaceId, email, id);
        if (i % step === 0 && sample.length < SAMPLE_SIZE) sample.push({ id, email });
        if (i === middleIndex) middle = { id, createdAt: at };
        if (i === 24) firstPageLast = { id, createdAt: at };
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
    const maxAt = base + count - 1;
    if (rebuildIndexes) {
      log(`  … rebuilding ${indexes.length} indexes`);
      for (const index of indexes) db.exec(index.sql);
    }

    // The app stamps changes with max(now, change_clock + 1): keep that clock past every seeded row.
    db.prepare('update workspaces set change_clock = max(change_clock, ?) where id = ?').run(maxAt, workspaceId);
    db.exec('ANALYZE');
    db.pragma('journal_mode = WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');

    if (!middle || !firstPageLast) throw new Error('seeding did not reach the middle row');
    return { workspaceId, contacts: count, sample, middle, firstPageLast, ms: performance.now() - started };
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
