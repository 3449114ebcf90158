/**
 * Seeds the benchmark's contacts and deals into a PostgreSQL schema that Trellis
 * has migrated and bootstrapped: the same rows as the SQLite seeding (ContactPlan,
 * DealPlan in seed.ts), in the row shape the app writes. The server must not be
 * running meanwhile.
 *
 * Rows go in with the tables' triggers off (`session_replication_role = replica`,
 * which also skips the foreign-key checks: the rows are built to satisfy them),
 * then the search documents are written in one statement from the migration's
 * `search_source_*` views and the record counters (and deals' per-stage counters) set, as the triggers would have.
 * No ANALYZE is run: autovacuum analyses the tables as it would after writes
 * through the API.
 */
import pg from 'pg';
import { ContactPlan, DealPlan, type Seeded, type SeededDeals, type SeededStage } from './seed.js';

/** Rows per INSERT … SELECT FROM unnest(…): one round trip per batch. */
const BATCH = 5_000;
/** A search document's columns on PostgreSQL: SQLite's, and the text vector its views compute. */
const SEARCH_COLUMNS = 'workspace_id, record_type, record_id, title, subtitle, title_key, names, emails, phones, phone_numbers, other, document';

/** A client on `schema`, as Trellis's own connections are (DATABASE_SCHEMA). */
export async function connectTo(url: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set search_path to "${schema.replace(/"/g, '""')}"`);
  return client;
}

async function bootstrapWorkspace(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ id: string }>('select id from workspaces');
  if (rows.length !== 1 || rows[0] === undefined) throw new Error(`expected exactly one (bootstrapped) workspace, found ${rows.length}`);
  return rows[0].id;
}

/** Inserts rows with their triggers off, in batches, inside one transaction; then the search documents and counters of `table`. */
async function load(
  client: pg.Client,
  what: string,
  count: number,
  batch: (from: number, to: number) => Promise<void>,
  after: { view: string; counted: string[]; stageCounts?: boolean },
  log: (line: string) => void,
): Promise<void> {
  await client.query('begin');
  try {
    await client.query('set local session_replication_role = replica');
    let lastReport = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      await batch(from, Math.min(count, from + BATCH));
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        log(`  … ${Math.min(count, from + BATCH).toLocaleString('en-US')} ${what}`);
      }
    }
    // Back to firing triggers for the rest of the transaction.
    await client.query('set local session_replication_role = origin');
    const started = performance.now();
    const filled = await client.query(
      `insert into search_documents (${SEARCH_COLUMNS}) select ${SEARCH_COLUMNS} from ${after.view} s where not exists (select 1 from search_documents d where d.record_id = s.record_id)`,
    );
    log(`  … search index: ${(filled.rowCount ?? 0).toLocaleString('en-US')} documents from ${after.view} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const table of after.counted) {
      await client.query('delete from record_counts where resource = $1', [table]);
      await client.query(`insert into record_counts (workspace_id, resource, count) select workspace_id, $1, count(*) from ${table} group by workspace_id`, [table]);
    }
    if (after.stageCounts) {
      await client.query('delete from deal_stage_counts');
      await client.query('insert into deal_stage_counts (workspace_id, stage_id, count) select workspace_id, stage_id, count(*) from deals group by workspace_id, stage_id');
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

export async function seedContactsPostgres(url: string, schema: string, count: number, log: (line: string) => void): Promise<Seeded> {
  const started = performance.now();
  const client = await connectTo(url, schema);
  try {
    const workspaceId = await bootstrapWorkspace(client);
    const plan = new ContactPlan(count);
    await load(
      client,
      'contacts',
      count,
      async (from, to) => {
        const rows = Array.from({ length: to - from }, (_, k) => plan.row(from + k));
        await client.query(
          `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source,
             address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version)
           select id, $1, first_name, last_name, email, emails, null, '[]', title, null, null, 'active', null, null, null, null, null, null, '{}', at, at, 1
           from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[]) as r(id, first_name, last_name, email, emails, title, at)`,
          [workspaceId, rows.map((r) => r.id), rows.map((r) => r.firstName), rows.map((r) => r.lastName), rows.map((r) => r.email), rows.map((r) => r.emails), rows.map((r) => r.title), rows.map((r) => r.at)],
        );
        await client.query(
          `insert into contact_emails (workspace_id, email, contact_id, label, position)
           select $1, email, contact_id, null, 0 from unnest($2::text[], $3::text[]) as r(email, contact_id)`,
          [workspaceId, rows.map((r) => r.email), rows.map((r) => r.id)],
        );
      },
      { view: 'search_source_contacts', counted: ['contacts'] },
      log,
    );
    // The app stamps changes with max(now, change_clock + 1): keep that clock past every seeded row.
    await client.query('update workspaces set change_clock = greatest(change_clock, $1) where id = $2', [plan.lastAt, workspaceId]);
    return plan.seeded(workspaceId, performance.now() - started);
  } finally {
    await client.end();
  }
}

export async function seedDealsPostgres(url: string, schema: string, count: number, log: (line: string) => void): Promise<SeededDeals> {
  const started = performance.now();
  const client = await connectTo(url, schema);
  try {
    const workspaceId = await bootstrapWorkspace(client);
    const pipeline = (await client.query<{ id: string }>('select id from pipelines where workspace_id = $1 and is_default = 1', [workspaceId])).rows[0];
    if (!pipeline) throw new Error('the bootstrap workspace has no default pipeline');
    const stages = (
      await client.query<Omit<SeededStage, 'deals'>>('select id, name, position, type from stages where workspace_id = $1 and pipeline_id = $2 order by position', [workspaceId, pipeline.id])
    ).rows.map((s) => ({ ...s, deals: 0 }));
    const plan = new DealPlan(count, pipeline.id, stages);
    // The key's user, as the app records who moved a deal (changed_by).
    const user = (await client.query<{ user_id: string }>('select user_id from api_keys where workspace_id = $1 order by created_at limit 1', [workspaceId])).rows[0];
    if (!user) throw new Error('the bootstrap workspace has no API key');
    await load(
      client,
      'deals',
      count,
      async (from, to) => {
        const rows = Array.from({ length: to - from }, (_, k) => plan.row(from + k));
        await client.query(
          `insert into deals (id, workspace_id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date,
             closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version)
           select id, $1, name, amount, 'USD', $2, stage_id, 'open', null, null, null, null, null, null, null, '{}', at, at, at, 1
           from unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[]) as r(id, name, amount, stage_id, at)`,
          [workspaceId, pipeline.id, rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.amount), rows.map((r) => r.stage.id), rows.map((r) => r.at)],
        );
        await client.query(
          `insert into deal_stage_changes (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by, ms_in_previous_stage)
           select id, $1, deal_id, null, to_stage_id, at, $2, null from unnest($3::text[], $4::text[], $5::text[], $6::bigint[]) as r(id, deal_id, to_stage_id, at)`,
          [workspaceId, user.user_id, rows.map((r) => r.changeId), rows.map((r) => r.id), rows.map((r) => r.stage.id), rows.map((r) => r.at)],
        );
      },
      { view: 'search_source_deals', counted: ['deals'], stageCounts: true },
      log,
    );
    await client.query('update workspaces set change_clock = greatest(change_clock, $1) where id = $2', [plan.lastAt, workspaceId]);
    return plan.seeded(performance.now() - started);
  } finally {
    await client.end();
  }
}

/** Lifts the bootstrap key's own per-minute budget, as liftKeyBudget does on SQLite. */
export async function liftKeyBudgetPostgres(url: string, schema: string, perMinute: number): Promise<void> {
  const client = await connectTo(url, schema);
  try {
    await client.query('update api_keys set rate_limit_per_minute = $1', [perMinute]);
  } finally {
    await client.end();
  }
}
