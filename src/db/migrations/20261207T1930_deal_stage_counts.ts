/**
 * How many deals each stage holds, kept by triggers in the transaction that
 * inserts, moves or deletes a deal (every write door, cascades and hand-written
 * SQL included), so a pipeline board's column (`GET /v1/deals?stage_id=…`)
 * answers its exact `meta.total` with one primary-key read, at any size,
 * instead of a count bounded at 10,000 and an estimate beyond.
 *
 * As record_counts: no foreign keys (a workspace's or stage's deletion cascades
 * in an order neither database promises; the counters' triggers must find
 * nothing to update rather than fail). A deleted workspace's rows are removed
 * by its deletion (see the workspace repository); a deleted stage held no deals.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

const run = (db: Kysely<any>, text: string) => sql.raw(text).execute(db);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deal_stage_counts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('deal_stage_counts_pk', ['workspace_id', 'stage_id'])
    .execute();
  const increment = (row: string) =>
    `insert into deal_stage_counts (workspace_id, stage_id, count) values (${row}.workspace_id, ${row}.stage_id, 1)
       on conflict (workspace_id, stage_id) do update set count = deal_stage_counts.count + 1`;
  const decrement = (row: string) => `update deal_stage_counts set count = count - 1 where workspace_id = ${row}.workspace_id and stage_id = ${row}.stage_id`;

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await run(db, `create trigger deal_stage_counts_insert after insert on deals begin ${increment('new')}; end`);
    await run(db, `create trigger deal_stage_counts_delete after delete on deals begin ${decrement('old')}; end`);
    await run(db, `create trigger deal_stage_counts_update after update of stage_id on deals when old.stage_id is not new.stage_id begin ${decrement('old')}; ${increment('new')}; end`);
  } else {
    await run(
      db,
      `create function deal_stage_count_changed() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op <> 'INSERT' then ${decrement('old')}; end if;
        if tg_op <> 'DELETE' then ${increment('new')}; end if;
        return null;
      end $$`,
    );
    await run(db, 'create trigger deal_stage_counts_insert after insert on deals for each row execute function deal_stage_count_changed()');
    await run(db, 'create trigger deal_stage_counts_delete after delete on deals for each row execute function deal_stage_count_changed()');
    await run(
      db,
      'create trigger deal_stage_counts_update after update of stage_id on deals for each row when (old.stage_id is distinct from new.stage_id) execute function deal_stage_count_changed()',
    );
  }
  // Deals written before this migration.
  await run(db, 'insert into deal_stage_counts (workspace_id, stage_id, count) select workspace_id, stage_id, count(*) from deals group by workspace_id, stage_id');
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const event of ['insert', 'delete', 'update']) await run(db, `drop trigger if exists deal_stage_counts_${event}${sqlite ? '' : ' on deals'}`);
  if (!sqlite) await run(db, 'drop function if exists deal_stage_count_changed()');
  await db.schema.dropTable('deal_stage_counts').execute();
}
