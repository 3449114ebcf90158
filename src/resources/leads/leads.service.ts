/**
 * Leads: people not yet qualified. Duplicates are refused; conversion turns a
 * lead into a contact, a company and optionally a deal, once.
 */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { DomainError, duplicate, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, companyDomainOfEmail, mergeCustomFields, normalizeDomain, normalizeEmail } from '../../domain/normalize.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import { upsert, type Written } from '../../domain/upsert.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { CompanyService } from '../companies/companies.service.js';
import type { ContactService } from '../contacts/contacts.service.js';
import type { DealService } from '../deals/deals.service.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import type { UserRepository } from '../users/users.repository.js';
import type { Lead, LeadRepository } from './leads.repository.js';
import type { LeadConvert, LeadCreate, LeadUpdate, LeadUpsert } from './leads.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentLead } from './leads.presenter.js';

export type LeadView = Lead & { tags: TagRef[] };

/** What conversion made (or found): ids of the records the lead became. */
export interface Conversion {
  lead: LeadView;
  contactId: string | null;
  companyId: string | null;
  dealId: string | null;
}

export class LeadService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly leads: LeadRepository,
    private readonly users: UserRepository,
    private readonly tagging: Tagging,
    private readonly conversion: { contacts: ContactService; companies: CompanyService; deals: DealService },
    private readonly referrers: readonly Referrer[],
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<LeadView> {
    requireAccess(actor, 'leads', 'read');
    const lead = await this.leads.find(this.tx.db, actor.workspaceId, id);
    if (!lead) throw notFound('lead');
    return this.tagging.attachOne(actor.workspaceId, 'lead', lead);
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'leads', 'read');
    const page = await this.leads.list(this.tx.db, actor.workspaceId, query);
    return { ...page, rows: await this.tagging.attach(actor.workspaceId, 'lead', page.rows) };
  }

  /** Refuses a key that may not write leads (a bulk request asks once, before its first record). */
  requireWrite(actor: Actor): void {
    requireAccess(actor, 'leads', 'write');
  }

  async create(actor: Actor, input: LeadCreate): Promise<LeadView> {
    requireAccess(actor, 'leads', 'write');
    const { email } = this.apply(blankLead(), input);
    return this.unique(actor, email, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.createIn(db, actor, input, at)));
  }

  private async createIn(db: Executor, actor: Actor, input: LeadCreate, at: number): Promise<LeadView> {
    const draft: Lead = { ...this.apply(blankLead(), input), created_by: actor.userId };
    await this.checkReferences(db, actor.workspaceId, draft, input.tag_ids);
    const lead: Lead = { ...draft, id: newId('lead'), created_at: at, updated_at: at };
    await this.refuseDuplicate(db, actor.workspaceId, lead);
    await this.leads.insert(db, actor.workspaceId, lead);
    await this.tagging.write(db, actor.workspaceId, 'lead', lead.id, input.tag_ids);
    const view = await this.tagging.attachCreated(actor.workspaceId, 'lead', lead, input.tag_ids, db);
    await this.events.record(db, actor, actor.workspaceId, at, 'lead.created', presentLead(view));
    return view;
  }

  async update(actor: Actor, id: string, input: LeadUpdate, ifMatch?: number): Promise<LeadView> {
    requireAccess(actor, 'leads', 'write');
    const email = input.email === undefined || input.email === null ? null : normalizeEmail(input.email);
    const written = await this.unique(actor, email, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.updateIn(db, actor, id, input, at, ifMatch)));
    return written.record;
  }

  /** Creates the lead, or updates the one with this email with the fields given, in one transaction. */
  async upsert(actor: Actor, input: LeadUpsert): Promise<Written<LeadView>> {
    requireAccess(actor, 'leads', 'write');
    const email = normalizeEmail(input.email);
    return this.unique(actor, email, () =>
      upsert(this.capabilities, this.tx, actor.workspaceId, {
        find: (db) => this.leads.findIdByEmail(db, actor.workspaceId, email),
        create: (db, at) => this.createIn(db, actor, input, at),
        update: (db, id, at) => this.updateIn(db, actor, id, input, at),
      }),
    );
  }

  /** Changes the lead inside an open transaction; `unchanged` (and no event) when the input changes nothing. */
  private async updateIn(db: Executor, actor: Actor, id: string, input: LeadUpdate, at: number, ifMatch?: number): Promise<Written<LeadView>> {
    const current = await this.load(db, actor.workspaceId, id, ifMatch);
    if (current.status === 'converted' && input.status !== undefined) {
      throw new DomainError('unprocessable', 'A converted lead keeps the status converted.', { status: ['The lead is converted.'] });
    }
    const before = await this.tagging.attachOne(actor.workspaceId, 'lead', current, db);
    const applied = this.apply(current, input);
    await this.checkReferences(db, actor.workspaceId, applied, input.tag_ids);
    const retagged = this.tagging.changes(before.tags, input.tag_ids);
    if (unchanged(current, applied) && !retagged) return { record: before, outcome: 'unchanged' };
    const next: Lead = { ...applied, updated_at: at, version: current.version + 1 };
    await this.refuseDuplicate(db, actor.workspaceId, next);
    if (!(await this.leads.replace(db, actor.workspaceId, next, current.version))) throw concurrentChange();
    await this.tagging.write(db, actor.workspaceId, 'lead', id, input.tag_ids);
    const view = retagged ? await this.tagging.attachOne(actor.workspaceId, 'lead', next, db) : { ...next, tags: before.tags };
    await this.events.record(db, actor, actor.workspaceId, at, 'lead.updated', presentLead(view), { before: presentLead(before) });
    return { record: view, outcome: 'updated' };
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'leads', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const before = await this.tagging.attachOne(actor.workspaceId, 'lead', await this.load(db, actor.workspaceId, id, ifMatch), db);
      await releaseAll(this.referrers, db, actor.workspaceId, 'lead', id, at);
      await this.tagging.remove(db, 'lead', id);
      await this.leads.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'lead.deleted', presentLead(before));
      await this.events.recordKnockOn(db, actor, at, { type: 'lead.deleted', id });
    });
  }

  /**
   * In one transaction: finds the contact by email or creates it, finds the
   * company by domain (from the website, else the email) or by name, or creates
   * it, optionally creates a deal linked to both, and marks the lead converted.
   * Converting again returns what the first conversion made.
   */
  async convert(actor: Actor, id: string, input: LeadConvert): Promise<Conversion> {
    requireAccess(actor, 'leads', 'write');
    requireAccess(actor, 'contacts', 'write');
    requireAccess(actor, 'companies', 'write');
    if (input.deal) requireAccess(actor, 'deals', 'write');
    const { contacts, companies, deals } = this.conversion;
    const lead = await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id);
      const before = await this.tagging.attachOne(actor.workspaceId, 'lead', current, db);
      if (current.status === 'converted') return before;

      const domain = (current.website !== null ? normalizeDomain(current.website) : undefined) ?? (current.email !== null ? companyDomainOfEmail(current.email) : undefined) ?? null;
      let companyId = (await companies.findIdFor(db, actor.workspaceId, domain, current.company_name)) ?? null;
      if (companyId === null && (current.company_name !== null || domain !== null)) {
        const company = await companies.createIn(db, actor, { name: current.company_name ?? (domain as string), domain, website: current.website, owner_id: current.owner_id }, at);
        companyId = company.id;
      }

      let contactId = current.email !== null ? ((await contacts.findIdByEmail(db, actor.workspaceId, current.email)) ?? null) : null;
      if (contactId === null) {
        const contact = await contacts.createIn(
          db,
          actor,
          {
            first_name: current.first_name,
            last_name: current.last_name,
            email: current.email,
            phone: current.phone,
            company_id: companyId,
            owner_id: current.owner_id,
            source: current.source,
            address: { street: current.address, city: current.city, state: current.state, postal_code: current.zipcode, country: current.country },
          },
          at,
        );
        contactId = contact.id;
      }

      let dealId: string | null = null;
      if (input.deal) {
        const deal = await deals.createIn(
          db,
          actor,
          {
            name: input.deal.name ?? current.company_name ?? `${current.first_name} ${current.last_name}`,
            ...(input.deal.pipeline_id !== undefined && { pipeline_id: input.deal.pipeline_id }),
            ...(input.deal.stage_id !== undefined && { stage_id: input.deal.stage_id }),
            ...(input.deal.value !== undefined && { value: input.deal.value }),
            company_id: companyId,
            contact_ids: [contactId],
            owner_id: current.owner_id,
            source: current.source,
          },
          at,
        );
        dealId = deal.id;
      }

      const converted: Lead = {
        ...current,
        status: 'converted',
        converted_at: at,
        converted_contact_id: contactId,
        converted_company_id: companyId,
        converted_deal_id: dealId,
        updated_at: at,
        version: current.version + 1,
      };
      if (!(await this.leads.replace(db, actor.workspaceId, converted, current.version))) throw concurrentChange();
      const view = { ...converted, tags: before.tags };
      await this.events.record(db, actor, actor.workspaceId, at, 'lead.converted', presentLead(view), {
        before: presentLead(before),
        extra: { contact_id: contactId, company_id: companyId, deal_id: dealId },
      });
      return view;
    });
    return {
      lead,
      contactId: lead.converted_contact_id,
      companyId: lead.converted_company_id,
      dealId: lead.converted_deal_id,
    };
  }

  private apply(current: Lead, input: LeadUpdate): Lead {
    const text = <K extends 'phone' | 'company_name' | 'website' | 'source' | 'address' | 'city' | 'state' | 'zipcode' | 'country'>(key: K) =>
      input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null);
    return {
      ...current,
      first_name: input.first_name?.trim() ?? current.first_name,
      last_name: input.last_name?.trim() ?? current.last_name,
      email: input.email === undefined ? current.email : input.email === null ? null : normalizeEmail(input.email),
      phone: text('phone'),
      company_name: text('company_name'),
      website: text('website'),
      source: text('source'),
      address: text('address'),
      city: text('city'),
      state: text('state'),
      zipcode: text('zipcode'),
      country: text('country'),
      status: input.status ?? current.status,
      owner_id: input.owner_id === undefined ? current.owner_id : input.owner_id,
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
  }

  private async checkReferences(db: Executor, workspaceId: string, lead: Lead, tagIds: string[] | undefined): Promise<void> {
    if (lead.owner_id !== null && !(await this.users.exists(db, workspaceId, lead.owner_id))) throw unknownReference('owner_id', 'user');
    await this.tagging.check(db, workspaceId, tagIds);
  }

  private async refuseDuplicate(db: Executor, workspaceId: string, lead: Lead): Promise<void> {
    const existing = await this.leads.findDuplicate(db, workspaceId, lead);
    if (existing?.field === 'email') throw duplicate('lead', 'email', existing.id);
    if (existing) {
      throw new DomainError('duplicate', 'A lead with this first name, last name and company already exists.', { existing_id: existing.id, field: 'name' });
    }
  }

  private async load(db: Executor, workspaceId: string, id: string, ifMatch?: number): Promise<Lead> {
    const lead = await this.leads.find(db, workspaceId, id);
    if (!lead) throw notFound('lead');
    checkIfMatch(lead.version, ifMatch);
    return lead;
  }

  /** Writes run one at a time per workspace, so the dedup check holds; the email index backs it. */
  private unique<T>(actor: Actor, email: string | null, work: () => Promise<T>): Promise<T> {
    return refuseDuplicates(this.capabilities, work, async () => {
      const existing = email !== null ? await this.leads.findIdByEmail(this.tx.db, actor.workspaceId, email) : undefined;
      return duplicate('lead', 'email', existing ?? 'unknown');
    });
  }
}

function blankLead(): Lead {
  return {
    id: '',
    first_name: '',
    last_name: '',
    email: null,
    phone: null,
    company_name: null,
    website: null,
    source: null,
    address: null,
    city: null,
    state: null,
    zipcode: null,
    country: null,
    status: 'new',
    owner_id: null,
    created_by: null,
    custom_fields: {},
    converted_at: null,
    converted_contact_id: null,
    converted_company_id: null,
    converted_deal_id: null,
    created_at: 0,
    updated_at: 0,
    version: 1,
  };
}
