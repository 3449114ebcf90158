import { toIso } from '../../platform/clock.js';
import type { Company } from './companies.repository.js';

export function presentCompany(company: Company) {
  return { ...company, created_at: toIso(company.created_at), updated_at: toIso(company.updated_at) };
}
