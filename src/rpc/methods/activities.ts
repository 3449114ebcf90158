/** Nutshell activities are Trellis activities; the activity type is the Trellis type. */
import { activityListSpec } from '../../resources/activities/activities.list.js';
import type { Activity } from '../../resources/activities/activities.repository.js';
import { ActivityCreate, ActivityUpdate } from '../../resources/activities/activities.schema.js';
import { asBoolean, isObject, own, toId } from '../args.js';
import { byId, byTime, type QueryKey } from '../find-query.js';
import { customFields, isoTime, list, oneRef, ref, same, time, type FieldIn } from '../nutshell-input.js';
import { activityEntity, activityStub } from '../nutshell-shapes.js';
import { invalidParams } from '../protocol.js';
import type { Family } from './entity-family.js';

/** The end time, as the duration from the start time sent with it. */
const endTime: FieldIn = {
  to: ['duration_seconds'],
  with: ['startTime'],
  read: (value, _ctx, entity) => {
    if (value === null) return { duration_seconds: null };
    if (entity.startTime === undefined || entity.startTime === null) throw invalidParams('activity.endTime needs the startTime in the same call.');
    const seconds = (Date.parse(isoTime('endTime', value) as string) - Date.parse(isoTime('startTime', entity.startTime) as string)) / 1000;
    if (seconds < 0) throw invalidParams('activity.endTime is before its startTime.');
    return { duration_seconds: Math.round(seconds) };
  },
};

/** Participants: one contact and one account (the first of each). */
const participants: FieldIn = {
  to: ['contact_id', 'company_id'],
  read: (value, ctx) => {
    const byType: Record<string, unknown[]> = { Contacts: [], Accounts: [] };
    for (const participant of list(value)) {
      const type = isObject(participant) ? participant.entityType : undefined;
      const bucket = typeof type === 'string' ? own(byType, type) : undefined;
      if (!bucket) throw invalidParams('activity.participants are {entityType: "Contacts" | "Accounts", id}.');
      bucket.push(participant);
    }
    return {
      contact_id: oneRef('activity.participants (Contacts)', byType.Contacts, 'Contacts', ctx),
      company_id: oneRef('activity.participants (Accounts)', byType.Accounts, 'Accounts', ctx),
    };
  },
};

/** 0 scheduled (in the future), 1 logged (past). */
const status: QueryKey = (value, ctx): Record<string, string> => {
  const now = new Date(ctx.deps.clock.now()).toISOString();
  const codes = new Set(list(value).map(String));
  if ([...codes].some((c) => c !== '0' && c !== '1')) throw invalidParams('status: Trellis activities are 0 (scheduled) or 1 (logged).');
  if (codes.size !== 1) return {};
  return codes.has('0') ? { 'occurred_at[gt]': now } : { 'occurred_at[lte]': now };
};

export const activityFamily: Family<Activity, ActivityCreate, ActivityUpdate> = {
  name: 'Activity',
  plural: 'Activities',
  noun: 'activity',
  trellis: 'activity',
  service: (ctx) => ctx.services.activities,
  listSpec: activityListSpec,
  schemas: { create: ActivityCreate, update: ActivityUpdate },
  fields: {
    name: same('subject'),
    description: same('body'),
    activityTypeId: { to: ['type'], read: (value) => ({ type: toId('activityTypeId', value) }) },
    activityType: ref('type', 'Activity_Types'),
    startTime: time('occurred_at'),
    endTime,
    isAllDay: {
      to: [],
      read: (value) => {
        if (asBoolean(value) !== false) throw invalidParams('Trellis activities have a time: isAllDay can only be false.', { isAllDay: ['Only false.'] });
        return {};
      },
    },
    participants,
    leads: { to: ['deal_id'], read: (value, ctx) => ({ deal_id: oneRef('activity.leads', value, 'Leads', ctx) }) },
    customFields,
  },
  readOnly: {
    status: 'it follows startTime: scheduled (0) while in the future, logged (1) from then on.',
    loggedBy: "it is the user whose key logged the activity.",
  },
  query: {
    leadId: byId('deal_id', 'Leads'),
    contactId: byId('contact_id', 'Contacts'),
    accountId: byId('company_id', 'Accounts'),
    activityTypeId: byId('type', 'Activity_Types'),
    status,
    startTime: byTime('occurred_at', 'timestamp'),
  },
  orderBy: { name: 'subject', startTime: 'occurred_at' },
  stub: (activity, ctx) => activityStub(activity, ctx.deps.clock.now()),
  entity: (activity, ctx) => activityEntity(activity, ctx.related, ctx.deps.clock.now()),
};
