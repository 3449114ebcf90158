import { toIso } from '../../platform/clock.js';
import type { CompanyView } from './companies.service.js';

export function presentCompany(company: CompanyView) {
  return { ...company, created_at: toIso(company.created_at), updated_at: toIso(company.updated_at) };
}
