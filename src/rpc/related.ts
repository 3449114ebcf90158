/**
 * The records an entity refers to, as stubs: each looked up once per call,
 * through the services (so scopes apply). A record the key may not read, or
 * that is gone, is shown as its id and type only.
 */
import { can, type GrantResource } from '../domain/actor.js';
import { DomainError } from '../domain/errors.js';
import { parseListQuery } from '../list/list-query.js';
import { contactListSpec } from '../resources/contacts/contacts.list.js';
import { dealListSpec } from '../resources/deals/deals.list.js';
import type { Task } from '../resources/tasks/tasks.repository.js';
import type { RpcContext } from './context.js';
import { accountStub, bareRef, contactStub, leadStub, milestoneEntity, stagesetEntity, userStub, type Entity } from './nutshell-shapes.js';

/** How many related leads or contacts a full entity lists. */
const RELATED_LIMIT = '100';

export class Related {
  private readonly memo = new Map<string, Promise<Entity>>();

  constructor(private readonly ctx: RpcContext) {}

  user(id: string | null): Promise<Entity | null> {
    const { users } = this.ctx.services;
    return id === null ? Promise.resolve(null) : this.stub('Users', id, async () => userStub(await users.get(this.ctx.actor(), id)));
  }

  account(id: string): Promise<Entity> {
    return this.stub('Accounts', id, async () => accountStub(await this.ctx.services.companies.get(this.ctx.actor(), id)));
  }

  contact(id: string): Promise<Entity> {
    return this.stub('Contacts', id, async () => contactStub(await this.ctx.services.contacts.get(this.ctx.actor(), id)));
  }

  lead(id: string): Promise<Entity> {
    return this.stub('Leads', id, async () => leadStub(await this.ctx.services.deals.get(this.ctx.actor(), id)));
  }

  milestone(id: string): Promise<Entity> {
    return this.stub('Milestones', id, async () => ({ stub: true, ...milestoneEntity(await this.ctx.services.pipelines.getStage(this.ctx.actor(), id)) }));
  }

  stageset(id: string): Promise<Entity> {
    return this.stub('Stagesets', id, async () => ({ stub: true, ...stagesetEntity(await this.ctx.services.pipelines.get(this.ctx.actor(), id)) }));
  }

  /** Leads (deals) matching a list filter, e.g. `{ contact_id }`; none when the key may not read deals. */
  async leadsWith(filter: Record<string, string>): Promise<Entity[]> {
    if (!this.may('deals')) return [];
    const page = await this.ctx.services.deals.list(this.ctx.actor(), parseListQuery(dealListSpec, { ...filter, limit: RELATED_LIMIT }));
    return page.rows.map(leadStub);
  }

  /** A company's contacts, each with its job title as `relationship`. */
  async contactsOf(companyId: string): Promise<Entity[]> {
    if (!this.may('contacts')) return [];
    const page = await this.ctx.services.contacts.list(this.ctx.actor(), parseListQuery(contactListSpec, { company_id: companyId, limit: RELATED_LIMIT }));
    return page.rows.map((contact) => ({ ...contactStub(contact), relationship: contact.title }));
  }

  /** What a task is about: its lead, else its contact, else its account. */
  async taskEntityOf(task: Task): Promise<Entity | null> {
    if (task.deal_id !== null) return this.lead(task.deal_id);
    if (task.contact_id !== null) return this.contact(task.contact_id);
    if (task.company_id !== null) return this.account(task.company_id);
    return null;
  }

  private may(resource: GrantResource): boolean {
    return can(this.ctx.actor(), resource, 'read');
  }

  private stub(entityType: string, id: string, load: () => Promise<Entity>): Promise<Entity> {
    const key = `${entityType}:${id}`;
    let found = this.memo.get(key);
    if (found === undefined) {
      found = load().catch((error: unknown) => {
        if (error instanceof DomainError && ['not_found', 'insufficient_scope', 'forbidden'].includes(error.code)) return bareRef(entityType, id);
        throw error;
      });
      this.memo.set(key, found);
    }
    return found;
  }
}
