/**
 * Baseline (b) on PostgreSQL: bare Fastify + `pg` on the same seeded schema,
 * with a pool of the same size as Trellis's (DATABASE_POOL_SIZE) and the same
 * queries as the SQLite baseline (bench/baseline-sqlite.ts), so PostgreSQL has
 * ratios of its own: no auth, no rate limit, no logging, no validation, no
 * presentation. Each query is a named prepared statement, as a hand-written
 * server would use. Started by bench/run.ts as a child process
 * (PORT, HOST, DATABASE_URL, DATABASE_SCHEMA, DATABASE_POOL_SIZE).
 */
import Fastify from 'fastify';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { CONTACT_COLUMNS, DEAL_COLUMNS, LIMIT, moved, page, type DealRow, type Row, type Stage } from './baseline-shared.js';

const url = process.env.DATABASE_URL;
const schema = process.env.DATABASE_SCHEMA ?? 'public';
if (!url) throw new Error('DATABASE_URL is required');
const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10);

// bigint columns (times, amounts) as numbers, as Trellis reads them.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
const pool = new pg.Pool({ connectionString: url, max: poolSize, options: `-c search_path="${schema}"` });

const one = async <T>(name: string, text: string, values: unknown[]): Promise<T | undefined> => (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows[0];
const all = async <T>(name: string, text: string, values: unknown[]): Promise<T[]> => (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows;

const workspace = await one<{ id: string }>('workspace', 'select id from workspaces order by created_at limit 1', []);
if (!workspace) throw new Error('no workspace in the database');
const workspaceId = workspace.id;

const BY_ID = `select ${CONTACT_COLUMNS} from contacts where workspace_id = $1 and id = $2`;
const FIRST_PAGE = `select ${CONTACT_COLUMNS} from contacts where workspace_id = $1 order by created_at asc, id asc limit $2`;
const AFTER_PAGE = `select ${CONTACT_COLUMNS} from contacts where workspace_id = $1 and (created_at, id) > ($2, $3) order by created_at asc, id asc limit $4`;
const EMAIL_MATCH = 'contacts.id in (select contact_emails.contact_id from contact_emails where contact_emails.workspace_id = $1 and contact_emails.email = $2)';
const BY_EMAIL = `select ${CONTACT_COLUMNS} from contacts where workspace_id = $1 and ${EMAIL_MATCH} order by created_at asc, id asc limit $3`;
const COUNT_BY_EMAIL = `select count(*) as total from contacts where workspace_id = $1 and ${EMAIL_MATCH}`;
const NEXT_CHANGE_TIME = 'update workspaces set change_clock = case when change_clock >= $1 then change_clock + 1 else $1 end where id = $2 returning change_clock';
const INSERT_CONTACT = `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source,
     address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version)
   values ($1, $2, $3, $4, $5, $6, null, '[]', null, null, null, 'active', null, null, null, null, null, null, '{}', $7, $7, 1)`;
const INSERT_EMAIL = 'insert into contact_emails (workspace_id, email, contact_id, label, position) values ($1, $2, $3, null, 0)';

const DEAL_BY_ID = `select ${DEAL_COLUMNS} from deals where workspace_id = $1 and id = $2 for update`;
const DEALS_IN_STAGE = `select ${DEAL_COLUMNS} from deals where workspace_id = $1 and stage_id = $2 order by created_at asc, id asc limit $3`;
const COUNT_IN_STAGE = 'select count(*) as total from deals where workspace_id = $1 and stage_id = $2';
const INSERT_DEAL = `insert into deals (id, workspace_id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date,
     closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version)
   values ($1, $2, $3, $4, $5, $6, $7, $8, null, null, null, null, null, null, null, '{}', $9, $9, $9, 1)`;
const MOVE_DEAL =
  'update deals set pipeline_id = $1, stage_id = $2, status = $3, closed_at = $4, lost_reason = $5, stage_entered_at = $6, updated_at = $6, version = $7 where workspace_id = $8 and id = $9 and version = $10';
const INSERT_STAGE_CHANGE = `insert into deal_stage_changes (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by, ms_in_previous_stage)
   values ($1, $2, $3, $4, $5, $6, $7, $8)`;

// The stages are read once: a hand-written server would keep them.
const stages = new Map((await all<Stage>('stages', 'select id, pipeline_id, type from stages where workspace_id = $1', [workspaceId])).map((s) => [s.id, s]));
const firstStage = await one<{ id: string }>(
  'first-stage',
  'select stages.id from stages join pipelines on pipelines.id = stages.pipeline_id where pipelines.workspace_id = $1 and pipelines.is_default = 1 order by stages.position limit 1',
  [workspaceId],
);
const keyUser = await one<{ user_id: string }>('key-user', 'select user_id from api_keys where workspace_id = $1 order by created_at limit 1', [workspaceId]);

const ulid = monotonicFactory();

/** Runs `work` in a transaction on one pooled connection, as Trellis's transactor does. */
async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const changeTime = async (client: pg.PoolClient) => {
  const { rows } = await client.query<{ change_clock: number }>({ name: 'next-change-time', text: NEXT_CHANGE_TIME, values: [Date.now(), workspaceId] });
  return Number(rows[0]?.change_clock);
};

const app = Fastify({ logger: false });
app.get('/readyz', async () => {
  await pool.query('select 1');
  return { status: 'ready' };
});

app.get('/v1/contacts/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const row = await one<Row>('contact-by-id', BY_ID, [workspaceId, id]);
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
    const [rows, count] = await Promise.all([
      all<Row>('contacts-by-email', BY_EMAIL, [workspaceId, email, LIMIT + 1]),
      one<{ total: number }>('count-by-email', COUNT_BY_EMAIL, [workspaceId, email]),
    ]);
    return page(rows, Number(count?.total ?? 0));
  }
  if (query.cursor !== undefined) {
    let cursor: { v?: unknown[]; id?: unknown };
    try {
      cursor = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as typeof cursor;
    } catch {
      reply.status(400);
      return { success: false, error: { code: 'invalid_cursor' } };
    }
    return page(await all<Row>('contacts-after', AFTER_PAGE, [workspaceId, cursor.v?.[0], cursor.id, LIMIT + 1]), -1);
  }
  // The page without a count (the performance issue's yardstick for list pages): -1 as the total.
  return page(await all<Row>('contacts-first', FIRST_PAGE, [workspaceId, LIMIT + 1]), -1);
});

app.post('/v1/contacts', async (request, reply) => {
  const body = request.body as { first_name?: string; last_name?: string; email?: string } | undefined;
  if (!body?.email) {
    reply.status(422);
    return { success: false, error: { code: 'validation_error' } };
  }
  const email = body.email.trim().toLowerCase();
  try {
    const contact = await transaction(async (client) => {
      const at = await changeTime(client);
      const id = `con_${ulid()}`;
      await client.query({ name: 'insert-contact', text: INSERT_CONTACT, values: [id, workspaceId, body.first_name ?? null, body.last_name ?? null, email, JSON.stringify([{ email, label: null }]), at] });
      await client.query({ name: 'insert-email', text: INSERT_EMAIL, values: [workspaceId, email, id] });
      return { id, first_name: body.first_name ?? null, last_name: body.last_name ?? null, email, created_at: at, updated_at: at, version: 1 };
    });
    reply.status(201);
    return { success: true, data: contact };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      reply.status(409);
      return { success: false, error: { code: 'duplicate' } };
    }
    throw error;
  }
});

app.get('/v1/deals', async (request) => {
  const query = request.query as { stage_id?: string };
  if (query.stage_id === undefined) return page([], 0);
  const [rows, count] = await Promise.all([
    all<Row>('deals-in-stage', DEALS_IN_STAGE, [workspaceId, query.stage_id, LIMIT + 1]),
    one<{ total: number }>('count-in-stage', COUNT_IN_STAGE, [workspaceId, query.stage_id]),
  ]);
  return page(rows, Number(count?.total ?? 0));
});

app.post('/v1/deals', async (request, reply) => {
  const body = request.body as { name?: string; value?: { amount?: number; currency?: string } | null } | undefined;
  const name = body?.name?.trim();
  if (!name) {
    reply.status(422);
    return { success: false, error: { code: 'validation_error' } };
  }
  const stage = stages.get(firstStage?.id ?? '');
  if (!stage) throw new Error('no default pipeline');
  const amount = body?.value?.amount ?? null;
  const currency = body?.value?.currency ?? null;
  const deal = await transaction(async (client) => {
    const at = await changeTime(client);
    const id = `deal_${ulid()}`;
    await client.query({ name: 'insert-deal', text: INSERT_DEAL, values: [id, workspaceId, name, amount, currency, stage.pipeline_id, stage.id, stage.type, at] });
    await client.query({ name: 'insert-stage-change', text: INSERT_STAGE_CHANGE, values: [`chg_${ulid()}`, workspaceId, id, null, stage.id, at, keyUser?.user_id ?? null, null] });
    return { id, name, amount, currency, pipeline_id: stage.pipeline_id, stage_id: stage.id, status: stage.type, stage_entered_at: at, created_at: at, updated_at: at, version: 1 };
  });
  reply.status(201);
  return { success: true, data: deal };
});

/** As DealService.move: to the stage it is in changes nothing; else a history row, and status follows the stage's type. */
app.post('/v1/deals/:id/move', async (request, reply) => {
  const { id } = request.params as { id: string };
  const body = request.body as { stage_id?: string } | undefined;
  const stage = stages.get(body?.stage_id ?? '');
  if (!stage) {
    reply.status(422);
    return { success: false, error: { code: 'unknown_reference' } };
  }
  const deal = await transaction(async (client): Promise<DealRow | undefined> => {
    const at = await changeTime(client);
    const current = (await client.query<DealRow>({ name: 'deal-by-id', text: DEAL_BY_ID, values: [workspaceId, id] })).rows[0];
    if (!current || current.stage_id === stage.id) return current;
    const next = moved(current, stage, at);
    await client.query({
      name: 'insert-stage-change',
      text: INSERT_STAGE_CHANGE,
      values: [`chg_${ulid()}`, workspaceId, id, current.stage_id, stage.id, at, keyUser?.user_id ?? null, at - Number(current.stage_entered_at)],
    });
    await client.query({ name: 'move-deal', text: MOVE_DEAL, values: [stage.pipeline_id, stage.id, stage.type, next.closed_at, next.lost_reason, at, next.version, workspaceId, id, current.version] });
    return next;
  });
  if (!deal) {
    reply.status(404);
    return { success: false, error: { code: 'not_found' } };
  }
  return { success: true, data: deal };
});

const stop = () => {
  app.close().then(
    () => pool.end().then(() => process.exit(0)),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
