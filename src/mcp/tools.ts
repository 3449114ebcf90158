/**
 * The MCP tools: each is one REST operation (by operationId), with a
 * description written for a model, the MCP annotations, and the grant a key
 * needs to see it. The input schema is derived from the operation in the
 * OpenAPI document (path and query parameters, body fields), so a tool takes
 * exactly what the API takes and cannot drift from it.
 */
import type { GrantResource } from '../domain/actor.js';

export type ToolKind = 'read' | 'write' | 'destructive';

export interface ToolDefinition {
  name: string;
  operationId: string;
  title: string;
  description: string;
  kind: ToolKind;
  /** The key needs `<resource>:read` (read tools) or `:write` (write and destructive tools), for one of these resources. */
  grant: GrantResource | readonly GrantResource[];
  /** Writes that give the same result when repeated with the same input. */
  idempotent?: boolean;
}

const FIND_ID = 'Ids look like con_…, cmp_…, led_…, deal_…; find one with search or a list tool.';
const LIST = 'Filters are the list\'s query parameters (e.g. status=active, created_at[gte]=2026-01-01T00:00:00Z); pass meta.next_cursor as cursor for the next page.';

const tool = (name: string, operationId: string, kind: ToolKind, grant: GrantResource | readonly GrantResource[], title: string, description: string, idempotent = kind !== 'write'): ToolDefinition => ({
  name,
  operationId,
  kind,
  grant,
  title,
  description,
  idempotent,
});

export const TOOLS: readonly ToolDefinition[] = [
  tool('search', 'search', 'read', ['contacts', 'companies', 'leads', 'deals'], 'Search the CRM', 'Finds contacts, companies, leads and deals whose names, emails, phone numbers or domains match the words in q, best matches first. Start here to find a record\'s id.'),
  tool('find_by_email', 'search.byEmail', 'read', ['contacts', 'leads'], 'Find by email', 'The contacts and leads that have exactly this email address (any of a contact\'s addresses). Use before creating a contact or lead, to avoid a duplicate.'),
  tool('find_by_phone', 'search.byPhone', 'read', ['contacts', 'companies', 'leads'], 'Find by phone', 'The contacts, companies and leads with this phone number, whatever its formatting (+1 555-010-2030 matches 5550102030).'),
  tool('list_contacts', 'contacts.list', 'read', 'contacts', 'List contacts', `People, newest last. ${LIST}`),
  tool('get_contact', 'contacts.get', 'read', 'contacts', 'Get a contact', `One contact by id, with emails, phones, company_id, tags and custom fields. ${FIND_ID}`),
  tool('list_companies', 'companies.list', 'read', 'companies', 'List companies', `Organisations (accounts). ${LIST}`),
  tool('get_company', 'companies.get', 'read', 'companies', 'Get a company', `One company by id. ${FIND_ID}`),
  tool('list_leads', 'leads.list', 'read', 'leads', 'List leads', `Prospects not yet converted (status new, contacted, qualified, unqualified, converted). ${LIST}`),
  tool('get_lead', 'leads.get', 'read', 'leads', 'Get a lead', `One lead by id. ${FIND_ID}`),
  tool('list_deals', 'deals.list', 'read', 'deals', 'List deals', `Opportunities in a pipeline stage (filter by stage_id, status open/won/lost, owner_id). ${LIST}`),
  tool('get_deal', 'deals.get', 'read', 'deals', 'Get a deal', `One deal by id, with its stage, value, contacts and probability. ${FIND_ID}`),
  tool('list_pipelines', 'pipelines.list', 'read', 'pipelines', 'List pipelines and stages', 'The sales pipelines with their stages in order (ids, names, type open/won/lost, probability). Use to find the stage_id for move_deal.'),
  tool('list_activities', 'activities.list', 'read', 'activities', 'List activities', `Calls, emails, meetings and notes, filterable by contact_id, company_id, deal_id, lead_id, type. ${LIST}`),
  tool('list_tasks', 'tasks.list', 'read', 'tasks', 'List tasks', `To-dos with due dates and assignees (status open or completed). ${LIST}`),
  tool('pipeline_report', 'reports.pipeline', 'read', 'deals', 'Pipeline report', 'Open deals per stage (and per owner with group_by=owner): counts, total and weighted value per currency. For weekly pipeline reviews.'),
  tool('sales_report', 'reports.sales', 'read', 'deals', 'Sales report', 'Won and lost deals over a period (period=this_week, last_month, …, or from/to), by owner or interval: counts, values, win rate, cycle length, activities and tasks done.'),
  tool('recent_events', 'events.list', 'read', 'events', 'Recent changes', `The change log: every create, update, delete, stage move and conversion, with the key that made it (actor). Filter by type (contact.created, deal.stage_changed, …) or created_at. ${LIST}`),

  tool('create_contact', 'contacts.create', 'write', 'contacts', 'Create a contact', 'Adds a person. Needs a first_name, last_name or email. An email already used by a contact is refused with that contact\'s id: use upsert_contact to create-or-update by email instead.'),
  tool('upsert_contact', 'contacts.upsert', 'write', 'contacts', 'Create or update a contact by email', 'Creates the contact, or updates the one that has this email with the fields given. Safe to repeat.', true),
  tool('update_contact', 'contacts.update', 'write', 'contacts', 'Update a contact', 'Changes only the fields given (id required). address and custom_fields merge; emails and phones replace the list.', true),
  tool('create_company', 'companies.create', 'write', 'companies', 'Create a company', 'Adds an organisation. A domain already used is refused with that company\'s id: use upsert_company to create-or-update by domain.'),
  tool('upsert_company', 'companies.upsert', 'write', 'companies', 'Create or update a company by domain', 'Creates the company, or updates the one with this domain. Safe to repeat.', true),
  tool('update_company', 'companies.update', 'write', 'companies', 'Update a company', 'Changes only the fields given (id required).', true),
  tool('create_lead', 'leads.create', 'write', 'leads', 'Create a lead', 'Adds a prospect (first_name, last_name; email, company_name, source optional). A lead with the same email is refused with its id.'),
  tool('update_lead', 'leads.update', 'write', 'leads', 'Update a lead', 'Changes only the fields given, e.g. status to contacted or qualified.', true),
  tool('convert_lead', 'leads.convert', 'write', 'leads', 'Convert a lead', 'Turns a lead into a contact, a company (from company_name or the email\'s domain) and, when deal is given ({} for the defaults, or name, stage_id, value), a deal in the default pipeline. Existing contacts and companies are reused, not duplicated.'),
  tool('create_deal', 'deals.create', 'write', 'deals', 'Create a deal', 'Adds an opportunity: name, value {amount, currency}, company_id, contact_ids; it starts in the first stage of the default pipeline unless stage_id says otherwise.'),
  tool('update_deal', 'deals.update', 'write', 'deals', 'Update a deal', 'Changes only the fields given (value, expected_close_date, owner, contacts). To change its stage use move_deal.', true),
  tool('move_deal', 'deals.move', 'write', 'deals', 'Move a deal to a stage', 'Moves the deal to stage_id (from list_pipelines). A won or lost stage closes it (lost_reason for lost). Moving to the stage it is in changes nothing.', true),
  tool('log_activity', 'activities.create', 'write', 'activities', 'Log an activity', 'Records a call, email, meeting, note or sms, linked to contact_id, company_id, deal_id or lead_id. With source and external_id, logging the same one twice is refused with the existing id.'),
  tool('create_task', 'tasks.create', 'write', 'tasks', 'Create a task', 'A to-do (title, due_at, assignee_id), optionally linked to a contact, company, deal or lead.'),
  tool('complete_task', 'tasks.complete', 'write', 'tasks', 'Complete a task', 'Marks the task completed. Completing a completed task changes nothing.', true),

  tool('delete_contact', 'contacts.delete', 'destructive', 'contacts', 'Delete a contact', 'Deletes the contact for good; deals, activities and tasks that pointed at it are unlinked. Cannot be undone.'),
  tool('delete_company', 'companies.delete', 'destructive', 'companies', 'Delete a company', 'Deletes the company for good; its contacts and deals are unlinked from it. Cannot be undone.'),
  tool('delete_lead', 'leads.delete', 'destructive', 'leads', 'Delete a lead', 'Deletes the lead for good. Cannot be undone.'),
  tool('delete_deal', 'deals.delete', 'destructive', 'deals', 'Delete a deal', 'Deletes the deal and its stage history for good. Cannot be undone.'),
  tool('merge_contacts', 'contacts.merge', 'destructive', 'contacts', 'Merge two contacts', 'Keeps the contact id and deletes duplicate_id, after moving its emails, phones, tags, deals, activities and tasks over. Cannot be undone.'),
  tool('merge_companies', 'companies.merge', 'destructive', 'companies', 'Merge two companies', 'Keeps the company id and deletes duplicate_id, after moving its contacts, deals, activities and tasks over. Cannot be undone.'),
];
