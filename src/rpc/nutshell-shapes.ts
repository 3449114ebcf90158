/**
 * Trellis records as Nutshell entities: `entityType`, `rev` (our version, as
 * a string), `createdTime`/`modifiedTime` as `2010-01-13T23:08:06+0000`,
 * multi-value fields keyed by label or index with a `--primary` entry, and
 * stubs (`"stub": true`) for lists and references. Input goes the other way
 * in nutshell-input.ts.
 */
import { ACTIVITY_TYPES } from '../resources/activities/activities.schema.js';
import type { Activity } from '../resources/activities/activities.repository.js';
import type { CompanyView } from '../resources/companies/companies.service.js';
import type { ContactView } from '../resources/contacts/contacts.service.js';
import type { DealView } from '../resources/deals/deals.service.js';
import type { Pipeline, Stage } from '../resources/pipelines/pipelines.repository.js';
import type { Tag, TagRef } from '../resources/tags/tags.repository.js';
import type { Task } from '../resources/tasks/tasks.repository.js';
import type { UserRow } from '../resources/users/users.repository.js';
import type { Address } from '../domain/normalize.js';
import type { Json } from './args.js';
import type { Related } from './related.js';

export type Entity = Json & { id: string; entityType: string };

/** RFC 3339 as Nutshell writes it: seconds, `+0000`. */
export const nutshellTime = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000'));

interface Versioned {
  id: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const head = (entityType: string, record: Versioned) => ({
  id: record.id,
  entityType,
  rev: String(record.version),
  createdTime: nutshellTime(record.created_at),
  modifiedTime: nutshellTime(record.updated_at),
});

const stubHead = (entityType: string, record: Versioned) => ({ stub: true, ...head(entityType, record) });

/** A reference we could not (or may not) read: its id and type only. */
export const bareRef = (entityType: string, id: string): Entity => ({ id, entityType });

/** Entries keyed by label, else by index, and the first again as `--primary`. */
export function multiValue<V>(entries: { value: V; label: string | null }[]): Record<string, V> {
  // Labels are the client's own text: a null-prototype object keeps "constructor" or "__proto__" as a label, not a clash.
  const out: Record<string, V> = Object.create(null) as Record<string, V>;
  entries.forEach((entry, i) => {
    const key = entry.label !== null && !Object.hasOwn(out, entry.label) && entry.label !== '--primary' ? entry.label : String(i);
    out[key] = entry.value;
  });
  if (entries[0] !== undefined) out['--primary'] = entries[0].value;
  return out;
}

/** Trellis keeps one address; Nutshell's has up to three street lines. */
export function nutshellAddress(address: Address): Record<string, unknown> {
  if (Object.values(address).every((v) => v === null)) return {};
  const [address_1 = null, address_2 = null, address_3 = null] = address.street?.split('\n') ?? [];
  return multiValue([{ value: { address_1, address_2, address_3, city: address.city, state: address.state, postalCode: address.postal_code, country: address.country }, label: null }]);
}

const tagNames = (tags: TagRef[]): string[] => tags.map((t) => t.name);

const optional = <V>(value: V | null): { value: V; label: null }[] => (value === null ? [] : [{ value, label: null }]);

// Contacts

export function personName(contact: ContactView) {
  const displayName = [contact.first_name, contact.last_name].filter(Boolean).join(' ') || (contact.emails[0]?.email ?? '');
  return { givenName: contact.first_name ?? '', familyName: contact.last_name ?? '', displayName };
}

export const contactStub = (contact: ContactView): Entity => ({
  ...stubHead('Contacts', contact),
  name: personName(contact).displayName,
  email: contact.emails[0]?.email ?? null,
  phone: contact.phones[0]?.phone ?? null,
});

export async function contactEntity(contact: ContactView, related: Related): Promise<Entity> {
  const account = contact.company_id === null ? null : await related.account(contact.company_id);
  return {
    ...head('Contacts', contact),
    name: personName(contact),
    description: contact.description,
    email: multiValue(contact.emails.map((e) => ({ value: e.email, label: e.label }))),
    phone: multiValue(contact.phones.map((p) => ({ value: p.phone, label: p.label }))),
    url: multiValue(optional(contact.website)),
    address: nutshellAddress(contact.address),
    // The contact's role at its company is its job title.
    accounts: account === null ? [] : [{ ...account, relationship: contact.title }],
    leads: await related.leadsWith({ contact_id: contact.id }),
    owner: await related.user(contact.owner_id),
    tags: tagNames(contact.tags),
    customFields: contact.custom_fields,
  };
}

// Accounts

export const accountStub = (company: CompanyView): Entity => ({ ...stubHead('Accounts', company), name: company.name });

export async function accountEntity(company: CompanyView, related: Related): Promise<Entity> {
  return {
    ...head('Accounts', company),
    name: company.name,
    description: company.description,
    industry: company.industry,
    url: multiValue(optional(company.website)),
    phone: multiValue(optional(company.phone)),
    email: multiValue(optional(company.email)),
    address: nutshellAddress(company.address),
    owner: await related.user(company.owner_id),
    contacts: await related.contactsOf(company.id),
    leads: await related.leadsWith({ company_id: company.id }),
    tags: tagNames(company.tags),
    customFields: company.custom_fields,
  };
}

// Leads (Trellis deals)

const LEAD_STATUS = { open: 0, won: 10, lost: 11 } as const;
export const leadStatus = (status: keyof typeof LEAD_STATUS): number => LEAD_STATUS[status];

/** Digits after the decimal point of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Trellis keeps minor units; Nutshell shows the amount in the currency's units. */
const leadValue = (deal: DealView) => (deal.amount === null || deal.currency === null ? null : { currency: deal.currency, amount: deal.amount / 10 ** currencyDigits(deal.currency) });

const dueTime = (date: string | null): string | null => (date === null ? null : `${date}T00:00:00+0000`);

export const leadStub = (deal: DealView): Entity => ({
  ...stubHead('Leads', deal),
  name: deal.name,
  status: leadStatus(deal.status),
  value: leadValue(deal),
  dueTime: dueTime(deal.expected_close_date),
  closedTime: nutshellTime(deal.closed_at),
});

export async function leadEntity(deal: DealView, related: Related): Promise<Entity> {
  const account = deal.company_id === null ? null : await related.account(deal.company_id);
  const contacts = await Promise.all(deal.contact_ids.map(async (id) => ({ ...(await related.contact(id)), relationship: null })));
  return {
    ...head('Leads', deal),
    name: deal.name,
    description: deal.description,
    status: leadStatus(deal.status),
    confidence: deal.probability ?? deal.stage_probability,
    value: leadValue(deal),
    milestone: await related.milestone(deal.stage_id),
    stageset: await related.stageset(deal.pipeline_id),
    assignee: await related.user(deal.owner_id),
    primaryAccount: account,
    accounts: account === null ? [] : [account],
    contacts,
    tags: tagNames(deal.tags),
    sources: deal.source === null ? [] : [sourceEntity(deal.source)],
    dueTime: dueTime(deal.expected_close_date),
    closedTime: nutshellTime(deal.closed_at),
    lostReason: deal.lost_reason,
    customFields: deal.custom_fields,
  };
}

// Activities

/** Past or present: logged (1); in the future: scheduled (0). */
const activityStatus = (activity: Activity, now: number): number => (activity.occurred_at > now ? 0 : 1);

const endTime = (activity: Activity): string | null => nutshellTime(activity.occurred_at + (activity.duration_seconds ?? 0) * 1000);

export const activityStub = (activity: Activity, now: number): Entity => ({
  ...stubHead('Activities', activity),
  name: activity.subject ?? activityTypeName(activity.type),
  activityType: activityTypeEntity(activity.type),
  startTime: nutshellTime(activity.occurred_at),
  endTime: endTime(activity),
  status: activityStatus(activity, now),
});

export async function activityEntity(activity: Activity, related: Related, now: number): Promise<Entity> {
  const participants = [
    ...(activity.contact_id === null ? [] : [await related.contact(activity.contact_id)]),
    ...(activity.company_id === null ? [] : [await related.account(activity.company_id)]),
  ];
  return {
    ...head('Activities', activity),
    name: activity.subject ?? activityTypeName(activity.type),
    description: activity.body,
    activityType: activityTypeEntity(activity.type),
    startTime: nutshellTime(activity.occurred_at),
    endTime: endTime(activity),
    isAllDay: false,
    status: activityStatus(activity, now),
    participants,
    leads: activity.deal_id === null ? [] : [await related.lead(activity.deal_id)],
    loggedBy: await related.user(activity.logged_by),
    customFields: activity.custom_fields,
  };
}

const activityTypeName = (type: string): string => type.charAt(0).toUpperCase() + type.slice(1);

/** Trellis activity types are fixed; the type is its own id. */
export const activityTypeEntity = (type: string): Entity => ({ id: type, entityType: 'Activity_Types', name: activityTypeName(type) });
export const activityTypes = (): Entity[] => ACTIVITY_TYPES.map(activityTypeEntity);

// Tasks

const taskStatus = (task: Task): number => (task.status === 'completed' ? 1 : 0);

export const taskStub = (task: Task): Entity => ({ ...stubHead('Tasks', task), name: task.title, dueTime: nutshellTime(task.due_at), status: taskStatus(task) });

export async function taskEntity(task: Task, related: Related): Promise<Entity> {
  return {
    ...head('Tasks', task),
    name: task.title,
    description: task.description,
    dueTime: nutshellTime(task.due_at),
    status: taskStatus(task),
    completedTime: nutshellTime(task.completed_at),
    assignee: await related.user(task.assignee_id),
    entity: await related.taskEntityOf(task),
    customFields: task.custom_fields,
  };
}

// Users, stagesets, milestones, sources, tags

const isAdministrator = (user: UserRow): boolean => user.role === 'owner' || user.role === 'admin';

export const userStub = (user: UserRow): Entity => ({ ...stubHead('Users', user), name: user.name, isEnabled: true, isAdministrator: isAdministrator(user) });

export const userEntity = (user: UserRow): Entity => ({
  ...head('Users', user),
  name: user.name,
  emails: multiValue([{ value: user.email, label: null }]),
  isEnabled: true,
  isAdministrator: isAdministrator(user),
});

export const stagesetEntity = (pipeline: Pipeline): Entity => ({ ...head('Stagesets', pipeline), name: pipeline.name, default: pipeline.is_default });

export const milestoneEntity = (stage: Stage): Entity => ({
  ...head('Milestones', stage),
  name: stage.name,
  position: stage.position,
  stagesetId: stage.pipeline_id,
  confidence: stage.probability,
  // A Trellis won or lost stage closes its leads so.
  status: leadStatus(stage.type),
});

/** Trellis keeps a source as free text; the text is its id. */
export const sourceEntity = (name: string): Entity => ({ id: name, entityType: 'Sources', name });

export const tagEntity = (tag: Tag): Entity => ({ ...head('Tags', tag), name: tag.name });
