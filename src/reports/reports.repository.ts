/**
 * The reports' SQL: every figure is aggregated in the database (GROUP BY over
 * the rows of one workspace), and only the grouped rows come back. Intervals
 * arrive as epoch-millisecond boundaries computed in the report's time zone
 * (periods.ts) and are bucketed with a CASE, so SQLite and PostgreSQL run the
 * same SQL. Stage probabilities and positions are inlined as a CASE over the
 * pipeline's few stages instead of a join per deal.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { rowCount } from '../db/row-counts.js';
import type { Executor } from '../db/transactor.js';
import type { Stage } from '../resources/pipelines/pipelines.repository.js';

/** Which deals a report reads: one workspace, one pipeline, perhaps some owners. */
export interface DealScope {
  workspaceId: string;
  pipelineId: string;
  /** Only these owners' deals (and activities, tasks); all when undefined. */
  ownerIds: string[] | undefined;
  /** Only the deals a deal list's filters (tag, q) select: the same deals a filtered board shows. */
  deals?: RawBuilder<SqlBool> | undefined;
}

const dealFilter = (scope: DealScope) => (scope.deals === undefined ? sql`` : sql`and ${scope.deals}`);

/** Ascending boundaries b0 < b1 < … < bn: interval i is [b_i, b_i+1). */
export type Bounds = readonly number[];

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

// Money is summed as `1.0 * amount`: SQLite then sums in floating point (exact to 2^53, where a
// JS number ends anyway) instead of raising "integer overflow" past 2^63, and PostgreSQL in numeric.

/**
 * The interval a time falls in, for rows already within [b0, bn): a balanced
 * CASE over the boundaries, so a row takes log2(n) comparisons, not n.
 */
function bucket(column: RawBuilder<unknown>, bounds: Bounds): RawBuilder<number> {
  const build = (lo: number, hi: number): RawBuilder<number> => {
    if (hi - lo <= 1) return sql<number>`${sql.lit(lo)}`;
    const mid = (lo + hi) >> 1;
    return sql<number>`case when ${column} < ${bounds[mid]} then ${build(lo, mid)} else ${build(mid, hi)} end`;
  };
  return build(0, bounds.length - 1);
}

const within = (column: RawBuilder<unknown>, bounds: Bounds) => sql`${column} >= ${bounds[0]} and ${column} < ${bounds[bounds.length - 1]}`;

/** A stage's own probability where the deal has none: `case stage_id when … then 10 … end`. */
function stageProbability(stages: readonly Stage[]): RawBuilder<number> {
  if (stages.length === 0) return sql<number>`0`;
  const whens = stages.map((s) => sql`when ${s.id} then ${sql.lit(Math.trunc(s.probability))}`);
  return sql<number>`case stage_id ${sql.join(whens, sql` `)} else 0 end`;
}

const ownerFilter = (column: RawBuilder<unknown>, ownerIds: string[] | undefined) =>
  ownerIds === undefined ? sql`` : sql`and ${column} in (${sql.join(ownerIds)})`;

/** Amounts per currency, summed in the database: value × probability is kept in hundredths (per cent) until the end. */
export interface MoneySums {
  currency: string | null;
  deals: number;
  amount: number;
  weightedCents: number;
}

export interface OpenDealGroup extends MoneySums {
  stageId: string;
  ownerId: string | null;
  /** Sum over the deals of (now − created_at), ms. */
  ageMs: number;
}

export interface ForecastGroup extends MoneySums {
  /** YYYY-MM of the expected close date; null for deals without one. */
  month: string | null;
  ownerId: string | null;
}

export interface CreatedGroup {
  bucket: number;
  ownerId: string | null;
  deals: number;
}

export interface ClosedGroup {
  bucket: number;
  ownerId: string | null;
  status: 'won' | 'lost';
  currency: string | null;
  /** The lost reason of lost deals. */
  reason: string | null;
  deals: number;
  amount: number;
  /** Sum of closed_at − created_at, ms. */
  cycleMs: number;
}

export interface ActivityGroup {
  bucket: number;
  ownerId: string | null;
  type: string;
  activities: number;
}

export interface TaskGroup {
  bucket: number;
  ownerId: string | null;
  tasks: number;
}

export interface StageMove {
  /** null: deals created in the stage. */
  fromStageId: string | null;
  toStageId: string;
  moves: number;
}

export class ReportRepository {
  /** Open deals grouped by stage, owner and currency. */
  async openDeals(db: Executor, scope: DealScope, stages: readonly Stage[], now: number, created: Bounds | undefined): Promise<OpenDealGroup[]> {
    const { rows } = await sql<Record<string, unknown>>`
      select stage_id, owner_id, currency, count(*) as deals, sum(1.0 * amount) as amount,
        sum(1.0 * amount * coalesce(probability, ${stageProbability(stages)})) as weighted, sum(${now} - created_at) as age
      from deals
      where workspace_id = ${scope.workspaceId} and pipeline_id = ${scope.pipelineId} and status = 'open'
        ${ownerFilter(sql.ref('owner_id'), scope.ownerIds)} ${dealFilter(scope)}
        ${created === undefined ? sql`` : sql`and ${within(sql.ref('created_at'), created)}`}
      group by stage_id, owner_id, currency`.execute(db);
    return rows.map((r) => ({
      stageId: String(r.stage_id),
      ownerId: (r.owner_id as string | null) ?? null,
      currency: (r.currency as string | null) ?? null,
      deals: num(r.deals),
      amount: num(r.amount),
      weightedCents: num(r.weighted),
      ageMs: num(r.age),
    }));
  }

  /** Open deals grouped by expected close month (YYYY-MM), owner and currency; dates are compared as text. */
  async forecast(db: Executor, scope: DealScope, stages: readonly Stage[], closeDates: { from: string; to: string } | undefined): Promise<ForecastGroup[]> {
    const { rows } = await sql<Record<string, unknown>>`
      select substr(expected_close_date, 1, 7) as month, owner_id, currency, count(*) as deals, sum(1.0 * amount) as amount,
        sum(1.0 * amount * coalesce(probability, ${stageProbability(stages)})) as weighted
      from deals
      where workspace_id = ${scope.workspaceId} and pipeline_id = ${scope.pipelineId} and status = 'open'
        ${ownerFilter(sql.ref('owner_id'), scope.ownerIds)} ${dealFilter(scope)}
        ${closeDates === undefined ? sql`` : sql`and expected_close_date >= ${closeDates.from} and expected_close_date <= ${closeDates.to}`}
      group by substr(expected_close_date, 1, 7), owner_id, currency`.execute(db);
    return rows.map((r) => ({
      month: (r.month as string | null) ?? null,
      ownerId: (r.owner_id as string | null) ?? null,
      currency: (r.currency as string | null) ?? null,
      deals: num(r.deals),
      amount: num(r.amount),
      weightedCents: num(r.weighted),
    }));
  }

  /** Deals created per interval and owner. */
  async created(db: Executor, scope: DealScope, bounds: Bounds): Promise<CreatedGroup[]> {
    const at = sql.ref('created_at');
    const { rows } = await sql<Record<string, unknown>>`
      select ${bucket(at, bounds)} as bucket, owner_id, count(*) as deals
      from deals
      where workspace_id = ${scope.workspaceId} and pipeline_id = ${scope.pipelineId} and ${within(at, bounds)}
        ${ownerFilter(sql.ref('owner_id'), scope.ownerIds)}
      group by 1, owner_id`.execute(db);
    return rows.map((r) => ({ bucket: num(r.bucket), ownerId: (r.owner_id as string | null) ?? null, deals: num(r.deals) }));
  }

  /** Deals closed (won or lost) per interval of closed_at, owner, status, currency and lost reason (null for won deals). */
  async closed(db: Executor, scope: DealScope, bounds: Bounds): Promise<ClosedGroup[]> {
    const at = sql.ref('closed_at');
    const { rows } = await sql<Record<string, unknown>>`
      select ${bucket(at, bounds)} as bucket, owner_id, status, currency, lost_reason, count(*) as deals, sum(1.0 * amount) as amount, sum(closed_at - created_at) as cycle
      from deals
      where workspace_id = ${scope.workspaceId} and pipeline_id = ${scope.pipelineId} and ${within(at, bounds)} and status in ('won', 'lost')
        ${ownerFilter(sql.ref('owner_id'), scope.ownerIds)}
      group by 1, owner_id, status, currency, lost_reason`.execute(db);
    return rows.map((r) => ({
      bucket: num(r.bucket),
      ownerId: (r.owner_id as string | null) ?? null,
      status: r.status as 'won' | 'lost',
      currency: (r.currency as string | null) ?? null,
      reason: (r.lost_reason as string | null) ?? null,
      deals: num(r.deals),
      amount: num(r.amount),
      cycleMs: num(r.cycle),
    }));
  }

  /** Activities per interval of occurred_at, user who logged them, and type (any pipeline). */
  async activities(db: Executor, workspaceId: string, ownerIds: string[] | undefined, bounds: Bounds): Promise<ActivityGroup[]> {
    const at = sql.ref('occurred_at');
    const { rows } = await sql<Record<string, unknown>>`
      select ${bucket(at, bounds)} as bucket, logged_by, type, count(*) as n
      from activities
      where workspace_id = ${workspaceId} and ${within(at, bounds)} ${ownerFilter(sql.ref('logged_by'), ownerIds)}
      group by 1, logged_by, type`.execute(db);
    return rows.map((r) => ({ bucket: num(r.bucket), ownerId: (r.logged_by as string | null) ?? null, type: String(r.type), activities: num(r.n) }));
  }

  /** Tasks completed per interval of completed_at and assignee (any pipeline). */
  async tasksCompleted(db: Executor, workspaceId: string, ownerIds: string[] | undefined, bounds: Bounds): Promise<TaskGroup[]> {
    const at = sql.ref('completed_at');
    const { rows } = await sql<Record<string, unknown>>`
      select ${bucket(at, bounds)} as bucket, assignee_id, count(*) as n
      from tasks
      where workspace_id = ${workspaceId} and ${within(at, bounds)} and status = 'completed' ${ownerFilter(sql.ref('assignee_id'), ownerIds)}
      group by 1, assignee_id`.execute(db);
    return rows.map((r) => ({ bucket: num(r.bucket), ownerId: (r.assignee_id as string | null) ?? null, tasks: num(r.n) }));
  }

  /**
   * The stage changes in [start, end) between the pipeline's stages, counted
   * per (from, to) pair; `from` null is a deal created in `to`. Each pair is a
   * range of the (workspace, from, to, changed_at) index, so nothing is sorted.
   */
  async stageMoves(db: Executor, scope: DealScope, stages: readonly Stage[], start: number, end: number): Promise<StageMove[]> {
    if (stages.length === 0) return [];
    const ids = sql.join(stages.map((s) => s.id));
    const range = sql`workspace_id = ${scope.workspaceId} and to_stage_id in (${ids}) and changed_at >= ${start} and changed_at < ${end} ${this.ownerDeals(scope)}`;
    const [moves, created] = await Promise.all([
      sql<Record<string, unknown>>`
        select from_stage_id, to_stage_id, count(*) as n from deal_stage_changes
        where from_stage_id in (${ids}) and ${range}
        group by from_stage_id, to_stage_id`.execute(db),
      sql<Record<string, unknown>>`
        select to_stage_id, count(*) as n from deal_stage_changes
        where from_stage_id is null and ${range}
        group by to_stage_id`.execute(db),
    ]);
    return [
      ...moves.rows.map((r) => ({ fromStageId: String(r.from_stage_id), toStageId: String(r.to_stage_id), moves: num(r.n) })),
      ...created.rows.map((r) => ({ fromStageId: null, toStageId: String(r.to_stage_id), moves: num(r.n) })),
    ];
  }

  /**
   * The middle one or two lengths of the `exits` stays in the stage that ended
   * in [start, end) (moves out of it to a stage of the pipeline), read by
   * offset along the (workspace, from, length) index: a median without a
   * percentile function or window.
   */
  async middleStays(db: Executor, scope: DealScope, stages: readonly Stage[], stageId: string, exits: number, start: number, end: number): Promise<number[]> {
    if (exits === 0) return [];
    const { rows } = await sql<Record<string, unknown>>`
      select ms_in_previous_stage as ms from deal_stage_changes
      where workspace_id = ${scope.workspaceId} and from_stage_id = ${stageId} and ms_in_previous_stage is not null
        and to_stage_id in (${sql.join(stages.map((s) => s.id))}) and changed_at >= ${start} and changed_at < ${end} ${this.ownerDeals(scope)}
      order by ms_in_previous_stage limit ${rowCount(exits % 2 === 0 ? 2 : 1)} offset ${rowCount(Math.floor((exits - 1) / 2))}`.execute(db);
    return rows.map((r) => num(r.ms));
  }

  /** History rows of the owners' deals only, when owners are given. */
  private ownerDeals(scope: DealScope) {
    return scope.ownerIds === undefined
      ? sql``
      : sql`and deal_id in (select id from deals where workspace_id = ${scope.workspaceId} and owner_id in (${sql.join(scope.ownerIds)}))`;
  }

  /** Names of the users given, of this workspace only. */
  async userNames(db: Executor, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
