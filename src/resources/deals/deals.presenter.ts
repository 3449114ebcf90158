import { toIso } from '../../platform/clock.js';
import type { StageChange } from './deals.repository.js';
import type { DealView } from './deals.service.js';

export function presentDeal(deal: DealView) {
  return {
    id: deal.id,
    name: deal.name,
    value: deal.amount === null || deal.currency === null ? null : { amount: deal.amount, currency: deal.currency },
    pipeline_id: deal.pipeline_id,
    stage_id: deal.stage_id,
    status: deal.status,
    probability: deal.probability ?? deal.stage_probability,
    owner_id: deal.owner_id,
    company_id: deal.company_id,
    contact_ids: deal.contact_ids,
    expected_close_date: deal.expected_close_date,
    closed_at: toIso(deal.closed_at),
    lost_reason: deal.lost_reason,
    source: deal.source,
    description: deal.description,
    tags: deal.tags,
    custom_fields: deal.custom_fields,
    stage_entered_at: toIso(deal.stage_entered_at),
    created_at: toIso(deal.created_at),
    updated_at: toIso(deal.updated_at),
    version: deal.version,
  };
}

export function presentStageChange(change: StageChange) {
  return {
    id: change.id,
    deal_id: change.deal_id,
    from_stage_id: change.from_stage_id,
    to_stage_id: change.to_stage_id,
    changed_at: toIso(change.changed_at),
    changed_by: change.changed_by,
    time_in_previous_stage_seconds: change.ms_in_previous_stage === null ? null : Math.floor(change.ms_in_previous_stage / 1000),
  };
}
