/** Nutshell leads are Trellis deals; stagesets are pipelines and milestones their stages. */
import { dealListSpec } from '../../resources/deals/deals.list.js';
import { DealCreate, DealUpdate } from '../../resources/deals/deals.schema.js';
import type { DealView } from '../../resources/deals/deals.service.js';
import { isObject } from '../args.js';
import { byCode, byId, byTag, byTime } from '../find-query.js';
import { isoTime, list, money, oneRef, ref, refList, same, tags, type FieldIn } from '../nutshell-input.js';
import { leadEntity, leadStub } from '../nutshell-shapes.js';
import { invalidParams } from '../protocol.js';
import type { Family } from './entity-family.js';

/** A deal has one free-text source: a source's name (or id, which is its name). */
const sources: FieldIn = {
  to: ['source'],
  read: (value) => {
    const given = list(value);
    if (given.length > 1) throw invalidParams(`A Trellis deal has one source; ${given.length} were given.`);
    const [source] = given;
    return { source: source === undefined ? null : isObject(source) ? (source.name ?? source.id) : source };
  },
};

const dueTime: FieldIn = { to: ['expected_close_date'], read: (value) => ({ expected_close_date: isoTime('dueTime', value)?.slice(0, 10) ?? null }) };

export const leadFamily: Family<DealView, DealCreate, DealUpdate> = {
  name: 'Lead',
  plural: 'Leads',
  noun: 'lead',
  trellis: 'deal',
  service: (ctx) => ctx.services.deals,
  listSpec: dealListSpec,
  schemas: { create: DealCreate, update: DealUpdate },
  fields: {
    name: same('name'),
    confidence: same('probability'),
    value: { to: ['value'], read: (value) => ({ value: money(value) }) },
    milestoneId: ref('stage_id', 'Milestones'),
    milestone: ref('stage_id', 'Milestones'),
    stagesetId: ref('pipeline_id', 'Stagesets'),
    stageset: ref('pipeline_id', 'Stagesets'),
    assignee: ref('owner_id', 'Users'),
    primaryAccount: ref('company_id', 'Accounts'),
    accounts: { to: ['company_id'], read: (value) => ({ company_id: oneRef('accounts', value, 'Accounts') }) },
    // A contact's relationship to the lead is accepted and not kept.
    contacts: { to: ['contact_ids'], read: (value) => ({ contact_ids: refList('contacts', value, 'Contacts') }) },
    tags,
    sources,
    dueTime,
    lostReason: same('lost_reason'),
    customFields: same('custom_fields'),
  },
  query: {
    status: byCode('status', { 0: 'open', 10: 'won', 11: 'lost' }),
    milestoneId: byId('stage_id', 'Milestones'),
    milestoneIds: byId('stage_id', 'Milestones'),
    stagesetId: byId('pipeline_id', 'Stagesets'),
    stagesetIds: byId('pipeline_id', 'Stagesets'),
    assignee: byId('owner_id', 'Users'),
    accountId: byId('company_id', 'Accounts'),
    contactId: byId('contact_id', 'Contacts'),
    tag: byTag,
    dueTime: byTime('expected_close_date', 'date'),
    closedTime: byTime('closed_at', 'timestamp'),
  },
  orderBy: { name: 'name', status: 'status', value: 'value.amount', dueTime: 'expected_close_date', closedTime: 'closed_at' },
  stub: leadStub,
  entity: (deal, ctx) => leadEntity(deal, ctx.related),
};
