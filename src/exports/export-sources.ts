/**
 * What can be exported: each record type's list (its filters, its service,
 * so the key's scope and the workspace apply as on GET /v1/{resource}) and its
 * presenter and response schema (the CSV columns).
 */
import type { TObject } from '@sinclair/typebox';
import type { Actor } from '../domain/actor.js';
import type { Page } from '../db/list-rows.js';
import type { ListQuery } from '../list/list-query.js';
import type { ListSpec } from '../list/list-spec.js';
import type { Services } from '../services.js';
import { activityListSpec } from '../resources/activities/activities.list.js';
import { presentActivity } from '../resources/activities/activities.presenter.js';
import { ActivityOut } from '../resources/activities/activities.schema.js';
import { companyListSpec } from '../resources/companies/companies.list.js';
import { presentCompany } from '../resources/companies/companies.presenter.js';
import { CompanyOut } from '../resources/companies/companies.schema.js';
import { contactListSpec } from '../resources/contacts/contacts.list.js';
import { presentContact } from '../resources/contacts/contacts.presenter.js';
import { ContactOut } from '../resources/contacts/contacts.schema.js';
import { dealListSpec } from '../resources/deals/deals.list.js';
import { presentDeal } from '../resources/deals/deals.presenter.js';
import { DealOut } from '../resources/deals/deals.schema.js';
import { leadListSpec } from '../resources/leads/leads.list.js';
import { presentLead } from '../resources/leads/leads.presenter.js';
import { LeadOut } from '../resources/leads/leads.schema.js';
import { taskListSpec } from '../resources/tasks/tasks.list.js';
import { presentTask } from '../resources/tasks/tasks.presenter.js';
import { TaskOut } from '../resources/tasks/tasks.schema.js';

export const EXPORT_RESOURCES = ['contacts', 'companies', 'leads', 'deals', 'activities', 'tasks'] as const;
export type ExportResource = (typeof EXPORT_RESOURCES)[number];

export interface ExportSource {
  spec: ListSpec;
  out: TObject;
  /** One page of presented records, in creation order. */
  page(actor: Actor, query: ListQuery): Promise<Page<Record<string, unknown> & { id: string; created_at: string }>>;
}

function source<T>(spec: ListSpec, out: TObject, list: (actor: Actor, query: ListQuery) => Promise<Page<T>>, present: (record: T) => object): ExportSource {
  return {
    spec,
    out,
    page: async (actor, query) => {
      const page = await list(actor, query);
      return { ...page, rows: page.rows.map((row) => present(row) as Record<string, unknown> & { id: string; created_at: string }) };
    },
  };
}

export function exportSources(services: Services): Record<ExportResource, ExportSource> {
  const { contacts, companies, leads, deals, activities, tasks } = services;
  return {
    contacts: source(contactListSpec, ContactOut, (a, q) => contacts.list(a, q), presentContact),
    companies: source(companyListSpec, CompanyOut, (a, q) => companies.list(a, q), presentCompany),
    leads: source(leadListSpec, LeadOut, (a, q) => leads.list(a, q), presentLead),
    deals: source(dealListSpec, DealOut, (a, q) => deals.list(a, q), presentDeal),
    activities: source(activityListSpec, ActivityOut, (a, q) => activities.list(a, q), presentActivity),
    tasks: source(taskListSpec, TaskOut, (a, q) => tasks.list(a, q), presentTask),
  };
}
