/** Nutshell leads are Trellis deals; stagesets are pipelines and milestones their stages. */
import { dealListSpec } from '../../resources/deals/deals.list.js';
import { DealCreate, DealUpdate } from '../../resources/deals/deals.schema.js';
import type { DealView } from '../../resources/deals/deals.service.js';
import { asNumber } from '../args.js';
import { byCode, byId, byTag, byTime } from '../find-query.js';
import { customFields, isoTime, money, ref, same, tags, type FieldIn } from '../nutshell-input.js';
import { leadEntity, leadStub } from '../nutshell-shapes.js';
import type { Family } from './entity-family.js';
import { accounts, assignee, contacts, products, sources, withLeadName } from './lead-fields.js';

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
    description: same('description'),
    confidence: { to: ['probability'], read: (value) => ({ probability: asNumber(value) }) },
    value: { to: ['value'], read: (value) => ({ value: money(value) }) },
    milestoneId: ref('stage_id', 'Milestones'),
    milestone: ref('stage_id', 'Milestones'),
    stagesetId: ref('pipeline_id', 'Stagesets'),
    stageset: ref('pipeline_id', 'Stagesets'),
    assignee,
    primaryAccount: ref('company_id', 'Accounts'),
    accounts,
    contacts,
    tags,
    sources,
    products,
    dueTime,
    lostReason: same('lost_reason'),
    customFields,
  },
  readOnly: {
    status: 'it follows the milestone: move the lead to a won or lost milestone (milestoneId) to close it.',
    closedTime: 'it is set when the lead is won or lost.',
  },
  unkept: {
    market: "Trellis has no markets; a lead's currency is its value's.",
    competitors: 'Trellis does not track competitors.',
  },
  complete: withLeadName,
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
