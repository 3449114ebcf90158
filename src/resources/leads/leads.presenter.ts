import { toIso } from '../../platform/clock.js';
import type { LeadView } from './leads.service.js';

export function presentLead(lead: LeadView) {
  return { ...lead, converted_at: toIso(lead.converted_at), created_at: toIso(lead.created_at), updated_at: toIso(lead.updated_at) };
}
