/** Tasks: to-dos with a due time, a priority and an assignee, linked to records. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, mergeCustomFields } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import { checkLinks } from '../../db/record-links.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import { parseTimestamp, type ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import { applyLinks } from '../shared/record-links.js';
import type { UserRepository } from '../users/users.repository.js';
import type { Task, TaskRepository } from './tasks.repository.js';
import type { TaskCreate, TaskUpdate } from './tasks.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentTask } from './tasks.presenter.js';

export class TaskService {
  constructor(
    private readonly tx: Transactor,
    private readonly tasks: TaskRepository,
    private readonly users: UserRepository,
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<Task> {
    requireAccess(actor, 'tasks', 'read');
    const task = await this.tasks.find(this.tx.db, actor.workspaceId, id);
    if (!task) throw notFound('task');
    return task;
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'tasks', 'read');
    return this.tasks.list(this.tx.db, actor.workspaceId, query);
  }

  create(actor: Actor, input: TaskCreate): Promise<Task> {
    requireAccess(actor, 'tasks', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const task: Task = { ...this.apply(blankTask(), input, at), id: newId('task'), created_at: at, updated_at: at, version: 1 };
      await this.check(db, actor.workspaceId, task);
      await this.tasks.insert(db, actor.workspaceId, task);
      await this.events.record(db, actor, actor.workspaceId, at, 'task.created', presentTask(task));
      return task;
    });
  }

  update(actor: Actor, id: string, input: TaskUpdate, ifMatch?: number): Promise<Task> {
    requireAccess(actor, 'tasks', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id, ifMatch);
      const applied = this.apply(current, input, at);
      if (unchanged(current, applied)) return current;
      const next: Task = { ...applied, updated_at: at, version: current.version + 1 };
      await this.check(db, actor.workspaceId, next);
      if (!(await this.tasks.replace(db, actor.workspaceId, next, current.version))) throw concurrentChange();
      // Marking a task completed by update is completing it.
      const type = next.status === 'completed' && current.status !== 'completed' ? 'task.completed' : 'task.updated';
      await this.events.record(db, actor, actor.workspaceId, at, type, presentTask(next), { before: presentTask(current) });
      return next;
    });
  }

  /** Completes the task; completing a completed task changes nothing. */
  complete(actor: Actor, id: string): Promise<Task> {
    requireAccess(actor, 'tasks', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id);
      if (current.status === 'completed') return current;
      const next: Task = { ...current, status: 'completed', completed_at: at, updated_at: at, version: current.version + 1 };
      if (!(await this.tasks.replace(db, actor.workspaceId, next, current.version))) throw concurrentChange();
      await this.events.record(db, actor, actor.workspaceId, at, 'task.completed', presentTask(next), { before: presentTask(current) });
      return next;
    });
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'tasks', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id, ifMatch);
      await this.tasks.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'task.deleted', presentTask(current));
    });
  }

  private apply(current: Task, input: TaskUpdate, at: number): Task {
    let dueAt = current.due_at;
    if (input.due_at !== undefined) {
      dueAt = input.due_at === null ? null : parseTimestamp(input.due_at);
      if (input.due_at !== null && dueAt === null) throw invalidFields({ due_at: 'due_at must be an ISO 8601 date-time.' });
    }
    const status = input.status ?? current.status;
    return {
      ...current,
      ...applyLinks(current, input),
      title: input.title?.trim() ?? current.title,
      description: input.description === undefined ? current.description : (cleanText(input.description) ?? null),
      due_at: dueAt,
      priority: input.priority ?? current.priority,
      assignee_id: input.assignee_id === undefined ? current.assignee_id : input.assignee_id,
      status,
      completed_at: status === 'open' ? null : current.status === 'completed' ? current.completed_at : at,
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
  }

  private async check(db: Executor, workspaceId: string, task: Task): Promise<void> {
    if (task.assignee_id !== null && !(await this.users.exists(db, workspaceId, task.assignee_id))) throw unknownReference('assignee_id', 'user');
    await checkLinks(db, workspaceId, task);
  }

  private async load(db: Executor, workspaceId: string, id: string, ifMatch?: number): Promise<Task> {
    const task = await this.tasks.find(db, workspaceId, id);
    if (!task) throw notFound('task');
    checkIfMatch(task.version, ifMatch);
    return task;
  }
}

function blankTask(): Task {
  return {
    id: '',
    title: '',
    description: null,
    due_at: null,
    priority: 'normal',
    assignee_id: null,
    status: 'open',
    completed_at: null,
    contact_id: null,
    company_id: null,
    deal_id: null,
    lead_id: null,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 1,
  };
}
