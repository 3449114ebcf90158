/**
 * The report scenarios: data for them (owners, currencies, expected close
 * dates, won and lost deals with their stage history, activities, tasks),
 * seeded straight into the SQLite file like bench/seed.ts does, and the four
 * GET /v1/reports/* requests. Measured against Trellis only (the baselines have
 * no reports), with one connection, so p50 is the time of one report.
 */
import BetterSqlite3 from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import type { Scenario } from './scenarios.js';
import type { SeededDeals } from './seed.js';

export const REPORT_SCENARIOS = ['report_pipeline', 'report_sales', 'report_conversion', 'report_forecast'] as const;
/** The performance target of the reports issue: each report under this, at 100,000 deals. */
export const REPORT_TARGET_MS = 200;

const OWNERS = ['Ana Alvarez', 'Ben Brooks', 'Chen Cho', 'Dana Diaz', 'Eli Evans', 'Fay Fischer', 'Gus Gray', 'Hana Hill'];
const LOST_REASONS = ['Price', 'Timing', 'Competitor', 'No budget', 'No decision', 'Feature gap'];
const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note', 'sms', 'other'];
const DAY = 86_400_000;
/** How far back closed deals, activities and tasks go: one quarter. */
export const HISTORY_DAYS = 91;

export interface SeededReports {
  owners: number;
  closedDeals: number;
  historyRows: number;
  activities: number;
  tasks: number;
  /** `from` for the sales and conversion scenarios: the first day of the seeded history, UTC. */
  from: string;
  ms: number;
}

/**
 * Gives every seeded deal an owner (one of 8 users), a currency (every fifth
 * EUR, else USD), an expected close date (spread over 12 months) and, for
 * every seventh, a probability of its own; then adds `deals / 4` closed deals
 * (won or lost, closed over the last quarter, each with four history rows:
 * created in the first stage, moved through the second and third, then won or
 * lost), `deals` activities and `deals / 2` tasks (half completed) over the
 * same quarter. The server must not be running.
 */
export function seedReportData(file: string, deals: SeededDeals): SeededReports {
  const started = performance.now();
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const { id: workspaceId } = db.prepare('select id from workspaces').get() as { id: string };
    const ulid = monotonicFactory(() => Math.random());
    const now = Date.now() - 60_000;
    const userIds = OWNERS.map((name, i) => {
      const id = `usr_${ulid(now - 10_000_000 + i)}`;
      db.prepare("insert into users (id, workspace_id, email, name, role, created_at, updated_at, version) values (?, ?, ?, ?, 'member', ?, ?, 1)").run(
        id,
        workspaceId,
        `${name.split(' ')[0]?.toLowerCase()}@bench.example.com`,
        name,
        now,
        now,
      );
      return id;
    });

    // The open deals: owner, currency, expected close month, some with a probability of their own.
    const ownerCase = userIds.map((id, i) => `when ${i} then '${id}'`).join(' ');
    db.exec(`update deals set owner_id = case rowid % ${userIds.length} ${ownerCase} end,
      currency = case when rowid % 5 = 0 then 'EUR' else 'USD' end,
      probability = case when rowid % 7 = 0 then 35 else null end
      where workspace_id = '${workspaceId}'`);
    const setDate = db.prepare('update deals set expected_close_date = ? where workspace_id = ? and rowid % 12 = ?');
    for (let m = 0; m < 12; m++) {
      const date = new Date(now + (m - 2) * 30 * DAY).toISOString().slice(0, 10);
      setDate.run(date, workspaceId, m);
    }

    const stages = deals.stages;
    const [first, second, third] = stages.filter((s) => s.type === 'open');
    const won = stages.find((s) => s.type === 'won');
    const lost = stages.find((s) => s.type === 'lost');
    if (!first || !second || !third || !won || !lost) throw new Error('the default pipeline lacks the stages the report data needs');
    const user = (db.prepare('select user_id from api_keys where workspace_id = ? order by created_at limit 1').get(workspaceId) as { user_id: string }).user_id;

    const insertDeal = db.prepare(
      `insert into deals (id, workspace_id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date,
         closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version)
       values (?, ?, ?, ?, ?, ?, ?, ?, null, ?, null, null, ?, ?, null, '{}', ?, ?, ?, 4)`,
    );
    const insertChange = db.prepare(
      `insert into deal_stage_changes (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by, ms_in_previous_stage)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const closedCount = Math.floor(deals.deals / 4);
    const span = HISTORY_DAYS * DAY;
    const dealUlid = monotonicFactory(() => Math.random());
    const changeUlid = monotonicFactory(() => Math.random());
    let historyRows = 0;
    db.transaction(() => {
      for (let i = 0; i < closedCount; i++) {
        const closedAt = now - span + Math.floor((i / closedCount) * span);
        const createdAt = closedAt - DAY * (1 + (i % 60));
        const isWon = i % 3 !== 0;
        const stage = isWon ? won : lost;
        const id = `deal_${dealUlid(createdAt)}`;
        const amount = (1_000 + ((i * 7_919) % 99_001)) * 100;
        insertDeal.run(
          id,
          workspaceId,
          `Closed ${i}`,
          amount,
          i % 5 === 0 ? 'EUR' : 'USD',
          deals.pipelineId,
          stage.id,
          isWon ? 'won' : 'lost',
          userIds[i % userIds.length],
          closedAt,
          isWon ? null : LOST_REASONS[i % LOST_REASONS.length],
          closedAt,
          createdAt,
          closedAt,
        );
        // Created in the first stage, a third of the way to the second, two thirds to the third, then closed.
        const steps = [createdAt, createdAt + Math.floor((closedAt - createdAt) / 3), createdAt + Math.floor(((closedAt - createdAt) * 2) / 3), closedAt];
        const path = [first.id, second.id, third.id, stage.id];
        path.forEach((to, k) => {
          const at = steps[k] as number;
          insertChange.run(`chg_${changeUlid(at)}`, workspaceId, id, k === 0 ? null : path[k - 1], to, at, user, k === 0 ? null : at - (steps[k - 1] as number));
          historyRows += 1;
        });
      }
    })();

    const activityCount = deals.deals;
    const insertActivity = db.prepare(
      `insert into activities (id, workspace_id, type, subject, body, occurred_at, duration_seconds, direction, outcome, logged_by, source, external_id,
         custom_fields, created_at, updated_at, version, contact_id, company_id, deal_id, lead_id)
       values (?, ?, ?, ?, null, ?, null, null, null, ?, null, null, '{}', ?, ?, 1, null, null, null, null)`,
    );
    const activityUlid = monotonicFactory(() => Math.random());
    db.transaction(() => {
      for (let i = 0; i < activityCount; i++) {
        const at = now - span + Math.floor((i / activityCount) * span);
        insertActivity.run(`act_${activityUlid(at)}`, workspaceId, ACTIVITY_TYPES[i % ACTIVITY_TYPES.length], `Touch ${i}`, at, userIds[(i * 7) % userIds.length], at, at);
      }
    })();

    const taskCount = Math.floor(deals.deals / 2);
    const insertTask = db.prepare(
      `insert into tasks (id, workspace_id, title, description, due_at, priority, assignee_id, status, completed_at, custom_fields, created_at, updated_at, version,
         contact_id, company_id, deal_id, lead_id)
       values (?, ?, ?, null, ?, 'normal', ?, ?, ?, '{}', ?, ?, 1, null, null, null, null)`,
    );
    const taskUlid = monotonicFactory(() => Math.random());
    db.transaction(() => {
      for (let i = 0; i < taskCount; i++) {
        const createdAt = now - span + Math.floor((i / taskCount) * span);
        const done = i % 2 === 0;
        const completedAt = done ? Math.min(now - 1, createdAt + DAY) : null;
        insertTask.run(`tsk_${taskUlid(createdAt)}`, workspaceId, `Follow up ${i}`, createdAt + 2 * DAY, userIds[i % userIds.length], done ? 'completed' : 'open', completedAt, createdAt, completedAt ?? createdAt);
      }
    })();

    db.prepare('update workspaces set change_clock = max(change_clock, ?) where id = ?').run(now, workspaceId);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const from = new Date(now - span).toISOString().slice(0, 10);
    return { owners: userIds.length, closedDeals: closedCount, historyRows, activities: activityCount, tasks: taskCount, from, ms: performance.now() - started };
  } finally {
    db.close();
  }
}

/** GET /v1/reports/*, one connection each (so p50 is one report's time), against Trellis only. */
export function reportScenarios(deals: SeededDeals, reports: SeededReports): Scenario[] {
  const pipeline = `pipeline_id=${deals.pipelineId}`;
  const report = (name: (typeof REPORT_SCENARIOS)[number], path: string): Scenario => ({
    name,
    label: `GET ${path.replace(`${pipeline}&`, '')} (1 connection)`,
    expectStatus: 200,
    trellisOnly: true,
    connections: 1,
    requests: () => [{ method: 'GET', path }],
  });
  return [
    report('report_pipeline', `/v1/reports/pipeline?${pipeline}&group_by=stage,owner`),
    report('report_sales', `/v1/reports/sales?${pipeline}&from=${reports.from}&interval=week`),
    report('report_conversion', `/v1/reports/conversion?${pipeline}&from=${reports.from}`),
    report('report_forecast', `/v1/reports/forecast?${pipeline}&interval=month`),
  ];
}
