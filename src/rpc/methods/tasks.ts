/** Nutshell tasks are Trellis tasks. */
import { taskListSpec } from '../../resources/tasks/tasks.list.js';
import type { Task } from '../../resources/tasks/tasks.repository.js';
import { TaskCreate, TaskUpdate } from '../../resources/tasks/tasks.schema.js';
import { asNumber, isNone, isObject } from '../args.js';
import { byCode, byId, byTime } from '../find-query.js';
import { customFields, ref, refId, same, time, type FieldIn } from '../nutshell-input.js';
import { taskEntity, taskStub } from '../nutshell-shapes.js';
import { invalidParams } from '../protocol.js';
import type { Family } from './entity-family.js';

const LINKS: Record<string, string> = { Leads: 'deal_id', Contacts: 'contact_id', Accounts: 'company_id' };

/** What the task is about: one lead, contact or account (the others are cleared). */
const entity: FieldIn = {
  to: Object.values(LINKS),
  read: (value) => {
    const links = Object.fromEntries(Object.values(LINKS).map((field) => [field, null as string | null]));
    if (isNone(value)) return links;
    const field = isObject(value) && typeof value.entityType === 'string' ? LINKS[value.entityType] : undefined;
    if (field === undefined) throw invalidParams('task.entity is {entityType: "Leads" | "Contacts" | "Accounts", id}.');
    return { ...links, [field]: refId('entity', value, (value as { entityType: string }).entityType) };
  },
};

const status: FieldIn = {
  to: ['status'],
  read: (value) => {
    const code = asNumber(value);
    if (code !== 0 && code !== 1) throw invalidParams('task.status is 0 (open) or 1 (completed).', { status: ['0 (open) or 1 (completed).'] });
    return { status: code === 1 ? 'completed' : 'open' };
  },
};

export const taskFamily: Family<Task, TaskCreate, TaskUpdate> = {
  name: 'Task',
  plural: 'Tasks',
  noun: 'task',
  trellis: 'task',
  service: (ctx) => ctx.services.tasks,
  listSpec: taskListSpec,
  schemas: { create: TaskCreate, update: TaskUpdate },
  fields: {
    name: same('title'),
    description: same('description'),
    dueTime: time('due_at'),
    assignee: ref('assignee_id', 'Users'),
    entity,
    status,
    customFields,
  },
  readOnly: { completedTime: 'it is set when the task is completed (status 1).' },
  query: {
    leadId: byId('deal_id', 'Leads'),
    contactId: byId('contact_id', 'Contacts'),
    accountId: byId('company_id', 'Accounts'),
    assignee: byId('assignee_id', 'Users'),
    status: byCode('status', { 0: 'open', 1: 'completed' }),
    dueTime: byTime('due_at', 'timestamp'),
  },
  orderBy: { name: 'title', dueTime: 'due_at', status: 'status' },
  stub: taskStub,
  entity: (task, ctx) => taskEntity(task, ctx.related),
};
