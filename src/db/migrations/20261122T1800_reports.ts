/**
 * Indexes for the reports (GET /v1/reports/*): each report query reads one
 * of these alone (a covering index), in the order it groups or in one range,
 * instead of visiting every deal's row. Measured at 100,000 deals: see
 * bench/README.md.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Pipeline and forecast: the open deals of a pipeline, in (stage, owner, currency) order, with what they sum.
  await db.schema
    .createIndex('deals_report_open')
    .on('deals')
    .columns(['workspace_id', 'pipeline_id', 'status', 'stage_id', 'owner_id', 'currency', 'amount', 'probability', 'created_at', 'expected_close_date'])
    .execute();
  // Sales: deals created in a period.
  await db.schema.createIndex('deals_report_created').on('deals').columns(['workspace_id', 'pipeline_id', 'created_at', 'owner_id']).execute();
  // Sales: deals closed (won or lost) in a period; open deals have no closed_at and are left out.
  await db.schema
    .createIndex('deals_report_closed')
    .on('deals')
    .columns(['workspace_id', 'pipeline_id', 'closed_at', 'status', 'owner_id', 'currency', 'amount', 'created_at', 'lost_reason'])
    .where(sql.ref('closed_at'), 'is not', null)
    .execute();
  // Sales: activities logged in a period, by whom and of what type.
  await db.schema.createIndex('activities_report').on('activities').columns(['workspace_id', 'occurred_at', 'logged_by', 'type']).execute();
  // Sales: tasks completed in a period, by assignee.
  await db.schema
    .createIndex('tasks_report_completed')
    .on('tasks')
    .columns(['workspace_id', 'completed_at', 'status', 'assignee_id'])
    .where(sql.ref('completed_at'), 'is not', null)
    .execute();
  // Conversion: stage changes per (from, to) pair in a period, each pair one index range.
  await db.schema
    .createIndex('deal_stage_changes_moves')
    .on('deal_stage_changes')
    .columns(['workspace_id', 'from_stage_id', 'to_stage_id', 'changed_at', 'deal_id'])
    .execute();
  // Conversion: stays in a stage by length, for the median by offset.
  await db.schema
    .createIndex('deal_stage_changes_stays')
    .on('deal_stage_changes')
    .columns(['workspace_id', 'from_stage_id', 'ms_in_previous_stage', 'changed_at', 'to_stage_id', 'deal_id'])
    .where(sql.ref('from_stage_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['deal_stage_changes_stays', 'deal_stage_changes_moves', 'tasks_report_completed', 'activities_report', 'deals_report_closed', 'deals_report_created', 'deals_report_open']) {
    await db.schema.dropIndex(index).execute();
  }
}
