/**
 * What the two bare database servers (bench/baseline-sqlite.ts and
 * bench/baseline-postgres.ts) share: the columns they read, the page they
 * answer, and the stage-move rule of DealService.move. Only the driver differs.
 */

export const CONTACT_COLUMNS =
  'id, first_name, last_name, email, emails, phone, phones, title, company_id, owner_id, status, source, address_street, address_city, address_state, address_postal_code, address_country, custom_fields, created_at, updated_at, version';
export const DEAL_COLUMNS =
  'id, name, amount, currency, pipeline_id, stage_id, status, probability, owner_id, company_id, expected_close_date, closed_at, lost_reason, source, custom_fields, stage_entered_at, created_at, updated_at, version';
export const LIMIT = 25;

export interface Row {
  id: string;
  created_at: number;
  [column: string]: unknown;
}

export interface Stage {
  id: string;
  pipeline_id: string;
  type: string;
}

export interface DealRow {
  id: string;
  pipeline_id: string;
  stage_id: string;
  status: string;
  closed_at: number | null;
  lost_reason: string | null;
  stage_entered_at: number;
  updated_at: number;
  version: number;
  [column: string]: unknown;
}

/** A list page in Trellis's envelope, with a cursor as src/list/cursor.ts writes it for the default sort. */
export function page(rows: Row[], total: number) {
  const hasMore = rows.length > LIMIT;
  const data = hasMore ? rows.slice(0, LIMIT) : rows;
  const last = data[data.length - 1];
  const next = hasMore && last ? Buffer.from(JSON.stringify({ s: 'created_at', v: [last.created_at], id: last.id })).toString('base64url') : null;
  return { success: true, data, meta: { total, limit: LIMIT, next_cursor: next, has_more: hasMore } };
}

/** As DealService.move: status follows the stage's type; a closed deal keeps its close time and a lost one its reason. */
export function moved(deal: DealRow, stage: Stage, at: number): DealRow {
  const closedAt = stage.type === 'open' ? null : deal.status === stage.type ? deal.closed_at : at;
  const lostReason = stage.type === 'lost' ? deal.lost_reason : null;
  return { ...deal, pipeline_id: stage.pipeline_id, stage_id: stage.id, status: stage.type, closed_at: closedAt, lost_reason: lostReason, stage_entered_at: at, updated_at: at, version: Number(deal.version) + 1 };
}
