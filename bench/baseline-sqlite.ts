/**
 * Baseline (b): bare Fastify + better-sqlite3 on the same seeded file, with the
 * same pragmas as src/db/sqlite-connection.ts (WAL, synchronous FULL, foreign keys, temp_store MEMORY) and
 * prepared statements running the queries Trellis runs for each benchmarked
 * route: no auth, no rate limit, no logging, no validation, no presentation.
 * What Trellis costs on top of this is the price of its stack.
 * Started by bench/run.ts as a child process (PORT, HOST, DATABASE_FILE).
 */
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { monotonicFactory } from 'ulid';
import { CONTACT_COLUMNS, DEAL_COLUMNS, LIMIT, moved, page, type DealRow, type Row, type Stage } from './baseline-shared.js';

const file = process.env.DATABASE_FILE;
if (!file) throw new Error('DATABASE_FILE is required');
const synchronous = process.env.SQLITE_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL';

const db = new BetterSqlite3(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('temp_store = MEMORY');

const workspace = db.prepare('select id from workspaces order by created_at limit 1').get() as { id: string } | undefined;
if (!workspace) throw new Error('no workspace in the database');
const workspaceId = workspace.id;

const byId = db.prepare(`select ${CONTACT_COLUMNS} from contacts where workspace_id = ? and id = ?`);
const firstPage = db.prepare(`select ${CONTACT_COLUMNS} from contacts where workspace_id = ? order by created_at asc, id asc limit ?`);
const afterPage = db.prepare(`select ${CONTACT_COLUMNS} from contacts where workspace_id = ? and (created_at, id) > (?, ?) order by created_at asc, id asc limit ?`);
const EMAIL_MATCH = 'contacts.id in (select contact_emails.contact_id from contact_emails where contact_emails.workspace_id = ? and contact_emails.email = ?)';
const byEmail = db.prepare(`select ${CONTACT_COLUMNS} from contacts where workspace_id = ? and ${EMAIL_MATCH} order by created_at asc, id asc limit ?`);
const countByEmail = db.prepare(`select count(*) as total from contacts where workspace_id = ? and ${EMAIL_MATCH}`);
const nextChangeTime = db.prepare('update workspaces set change_clock = case when change_clock >= ? then change_clock + 1 else ? end where id = ? returning change_clock');
const insertContact = db.prepare(
  `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source,
     address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version)
   values (?, ?, ?, ?, ?, ?, null, '[]', null, null, null, 'active', null, null, null, null, null, null, '{}', ?, ?, 1)`,
);
const insertEmail = db.prepare('insert into contact_emails (workspace_id, email, contact_id, label, position) values (?, ?, ?, null, 0)');

const ulid = monotonicFactory();
const create = db.transaction((input: { first_name: string | null; last_name: string | null; email: string }) => {
  const now = Date.now();
  const at = Number((nextChangeTime.get(now, now, workspaceId) as { change_clock: number }).change_clock);
  const id = `con_${ulid()}`;
  insertContact.run(id, workspaceId, input.first_name, input.last_name, input.email, JSON.stringify([{ email: input.email, label: null }]), at, at);
  insertEmail.run(workspaceId, input.email, id);
  return { id, first_name: input.first_name, last_name: input.last_name, email: input.email, created_at: at, updated_at: at, version: 1 };
});

// Deals. The default pipeline's stages are read once: a hand-written server would keep them.
const stages = new Map((db.prepare('select id, pipeline_id, type from stages where workspace_id = ?').all(workspaceId) as Stage[]).map((s) => [s.id, s]));
const firstStage = db
  .prepare('select stages.id from stages join pipelines on pipelines.id = stages.pipeline_id where pipelines.workspace_id = ? and pipelines.is_default = 1 order by stages.position limit 1')
  .get(workspaceId) as { id: string } | undefined;
const keyUser = db.prepare('select user_id from api_keys where workspace_id = ? order by created_at limit 1').get(workspaceId) as { user_id: string } | undefined;
const dealById = db.prepare(`select ${DEAL_COLUMNS} from deals where workspace_id = ? and id = ?`);
const dealsInStage = db.prepare(`select ${DEAL_COLUMNS} from deals where workspace_id = ? and stage_id = ? order by created_at asc, id asc limit ?`);
const countInStage = db.prepare('select count(*) as total from deals where workspace_id = ? and stage_id = ?');
const insertDeal = db.prepare(
  `insert into deals (id, workspace_id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date,
     closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version)
   values (?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, null, null, null, '{}', ?, ?, ?, 1)`,
);
const moveDeal = db.prepare(
  'update deals set pipeline_id = ?, stage_id = ?, status = ?, closed_at = ?, lost_reason = ?, stage_entered_at = ?, updated_at = ?, version = ? where workspace_id = ? and id = ? and version = ?',
);
const insertStageChange = db.prepare(
  `insert into deal_stage_changes (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by, ms_in_previous_stage)
   values (?, ?, ?, ?, ?, ?, ?, ?)`,
);

const createDeal = db.transaction((input: { name: string; amount: number | null; currency: string | null }) => {
  const stage = stages.get(firstStage?.id ?? '');
  if (!stage) throw new Error('no default pipeline');
  const now = Date.now();
  const at = Number((nextChangeTime.get(now, now, workspaceId) as { change_clock: number }).change_clock);
  const id = `deal_${ulid()}`;
  insertDeal.run(id, workspaceId, input.name, input.amount, input.currency, stage.pipeline_id, stage.id, stage.type, at, at, at);
  insertStageChange.run(`chg_${ulid()}`, workspaceId, id, null, stage.id, at, keyUser?.user_id ?? null, null);
  return { id, name: input.name, amount: input.amount, currency: input.currency, pipeline_id: stage.pipeline_id, stage_id: stage.id, status: stage.type, stage_entered_at: at, created_at: at, updated_at: at, version: 1 };
});

/** As DealService.move: to the stage it is in changes nothing; else a history row, and status follows the stage's type. */
const move = db.transaction((id: string, stage: Stage): DealRow | undefined => {
  const now = Date.now();
  const at = Number((nextChangeTime.get(now, now, workspaceId) as { change_clock: number }).change_clock);
  const deal = dealById.get(workspaceId, id) as DealRow | undefined;
  if (!deal || deal.stage_id === stage.id) return deal;
  const next = moved(deal, stage, at);
  insertStageChange.run(`chg_${ulid()}`, workspaceId, id, deal.stage_id, stage.id, at, keyUser?.user_id ?? null, at - Number(deal.stage_entered_at));
  moveDeal.run(stage.pipeline_id, stage.id, stage.type, next.closed_at, next.lost_reason, at, at, next.version, workspaceId, id, deal.version);
  return next;
});

const app = Fastify({ logger: false });
app.get('/readyz', async () => {
  db.prepare('select 1').get();
  return { status: 'ready' };
});

app.get('/v1/contacts/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const row = byId.get(workspaceId, id);
  if (!row) {
    reply.status(404);
    return { success: false, error: { code: 'not_found' } };
  }
  return { success: true, data: row };
});

app.get('/v1/contacts', async (request, reply) => {
  const query = request.query as { cursor?: string; email?: string };
  if (query.email !== undefined) {
    const email = query.email.trim().toLowerCase();
    const rows = byEmail.all(workspaceId, workspaceId, email, LIMIT + 1) as Row[];
    const { total } = countByEmail.get(workspaceId, workspaceId, email) as { total: number };
    return page(rows, total);
  }
  if (query.cursor !== undefined) {
    let cursor: { v?: unknown[]; id?: unknown };
    try {
      cursor = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as typeof cursor;
    } catch {
      reply.status(400);
      return { success: false, error: { code: 'invalid_cursor' } };
    }
    const rows = afterPage.all(workspaceId, cursor.v?.[0], cursor.id, LIMIT + 1) as Row[];
    return page(rows, -1);
  }
  // The page without a count (the performance issue's yardstick for list pages): -1 as the total.
  const rows = firstPage.all(workspaceId, LIMIT + 1) as Row[];
  return page(rows, -1);
});

app.post('/v1/contacts', async (request, reply) => {
  const body = request.body as { first_name?: string; last_name?: string; email?: string } | undefined;
  if (!body?.email) {
    reply.status(422);
    return { success: false, error: { code: 'validation_error' } };
  }
  try {
    const contact = create({ first_name: body.first_name ?? null, last_name: body.last_name ?? null, email: body.email.trim().toLowerCase() });
    reply.status(201);
    return { success: true, data: contact };
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
      reply.status(409);
      return { success: false, error: { code: 'duplicate' } };
    }
    throw error;
  }
});

app.get('/v1/deals', async (request) => {
  const query = request.query as { stage_id?: string };
  const rows = (query.stage_id === undefined ? [] : dealsInStage.all(workspaceId, query.stage_id, LIMIT + 1)) as Row[];
  const { total } = (query.stage_id === undefined ? { total: 0 } : countInStage.get(workspaceId, query.stage_id)) as { total: number };
  return page(rows, total);
});

app.post('/v1/deals', async (request, reply) => {
  const body = request.body as { name?: string; value?: { amount?: number; currency?: string } | null } | undefined;
  if (!body?.name?.trim()) {
    reply.status(422);
    return { success: false, error: { code: 'validation_error' } };
  }
  const deal = createDeal({ name: body.name.trim(), amount: body.value?.amount ?? null, currency: body.value?.currency ?? null });
  reply.status(201);
  return { success: true, data: deal };
});

app.post('/v1/deals/:id/move', async (request, reply) => {
  const { id } = request.params as { id: string };
  const body = request.body as { stage_id?: string } | undefined;
  const stage = stages.get(body?.stage_id ?? '');
  if (!stage) {
    reply.status(422);
    return { success: false, error: { code: 'unknown_reference' } };
  }
  const deal = move(id, stage);
  if (!deal) {
    reply.status(404);
    return { success: false, error: { code: 'not_found' } };
  }
  return { success: true, data: deal };
});

const stop = () => {
  app.close().then(
    () => {
      db.close();
      process.exit(0);
    },
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
