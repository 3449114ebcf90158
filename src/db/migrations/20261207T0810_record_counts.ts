/**
 * How many records of each kind a workspace holds, kept by triggers in the
 * transaction that inserts or deletes the rows (every write door, cascades and
 * hand-written SQL included), so an unfiltered list answers its exact
 * `meta.total` with one primary-key read instead of a count over the rows.
 * Writes in a workspace are already serialized by its change clock, so the
 * counter row adds no contention of its own.
 *
 * No foreign key to workspaces: deleting a workspace cascades to its records
 * in an order neither database promises, and their delete triggers must find
 * nothing to update rather than fail. A deleted workspace's rows are removed
 * by its deletion (see the workspace repository) or are zeros nobody reads.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/** The tables whose unfiltered lists read their total here (the ones that grow large). */
const COUNTED = ['contacts', 'companies', 'leads', 'deals', 'activities', 'tasks', 'events'];

const run = (db: Kysely<any>, text: string) => sql.raw(text).execute(db);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('record_counts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_counts_pk', ['workspace_id', 'resource'])
    .execute();
  const increment = (table: string, row: string) =>
    `insert into record_counts (workspace_id, resource, count) values (${row}.workspace_id, '${table}', 1)
       on conflict (workspace_id, resource) do update set count = record_counts.count + 1`;
  const decrement = (table: string, row: string) => `update record_counts set count = count - 1 where workspace_id = ${row}.workspace_id and resource = '${table}'`;

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const table of COUNTED) {
      await run(db, `create trigger record_counts_${table}_insert after insert on ${table} begin ${increment(table, 'new')}; end`);
      await run(db, `create trigger record_counts_${table}_delete after delete on ${table} begin ${decrement(table, 'old')}; end`);
    }
  } else {
    await run(
      db,
      `create function record_count_changed() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op = 'INSERT' then
          insert into record_counts (workspace_id, resource, count) values (new.workspace_id, tg_table_name, 1)
            on conflict (workspace_id, resource) do update set count = record_counts.count + 1;
        else
          update record_counts set count = count - 1 where workspace_id = old.workspace_id and resource = tg_table_name;
        end if;
        return null;
      end $$`,
    );
    for (const table of COUNTED) {
      await run(db, `create trigger record_counts_${table}_insert after insert on ${table} for each row execute function record_count_changed()`);
      await run(db, `create trigger record_counts_${table}_delete after delete on ${table} for each row execute function record_count_changed()`);
    }
  }
  // Records written before this migration.
  for (const table of COUNTED) {
    await run(db, `insert into record_counts (workspace_id, resource, count) select workspace_id, '${table}', count(*) from ${table} group by workspace_id`);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const table of COUNTED) {
    for (const event of ['insert', 'delete']) await run(db, `drop trigger if exists record_counts_${table}_${event}${sqlite ? '' : ` on ${table}`}`);
  }
  if (!sqlite) await run(db, 'drop function if exists record_count_changed()');
  await db.schema.dropTable('record_counts').execute();
}
