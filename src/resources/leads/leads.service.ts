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
import { existingIds } from '../../db/records.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import { createBatch } from '../shared/create-batch.js';
import type { CompanyService } from '../companies/companies.service.js';
import type { ContactService } from '../contacts/contacts.service.js';
import type { DealService } from '../deals/deals.service.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import type { UserRepository } from '../users/users.repository.js';
import { leadNameKey, type Lead, type LeadRepository } from './leads.repository.js';
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
    const lead = await this.leads.findTagged(this.tx.db, actor.workspaceId, id);
    if (!lead) throw notFound('lead');
    return lead;
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'leads', 'read');
    return this.leads.list(this.tx.db, actor.workspaceId, query);
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

  /** The lead with this email, if any (how upserts and imports find one). */
  findIdByEmail(db: Executor, workspaceId: string, email: string): Promise<string | undefined> {
    return this.leads.findIdByEmail(db, workspaceId, normalizeEmail(email));
  }

  /** For each email (normalised), the lead that has it: an import's duplicate look-up for a whole batch in one query. */
  findIdsByEmails(db: Executor, workspaceId: string, emails: string[]): Promise<Map<string, string>> {
    return this.leads.idsByEmails(db, workspaceId, emails);
  }

  /** Creates a lead inside an open transaction (also used by imports). */
  async createIn(db: Executor, actor: Actor, input: LeadCreate, at: number): Promise<LeadView> {
    const [created] = await this.createManyIn(db, actor, [input], at);
    if (created instanceof DomainError) throw created;
    return created as LeadView;
  }

  /**
   * Creates leads inside an open transaction (an import's batch goes this way,
   * and a single create is a list of one): every input is judged by the same
   * rules, with one query per rule for the whole list. A refused input comes
   * back as its error and writes nothing; the others are written with a
   * multi-row insert, each with its lead.created event. An input duplicating an
   * earlier input of the list is a duplicate of the lead that input creates.
   */
  async createManyIn(db: Executor, actor: Actor, inputs: LeadCreate[], at: number): Promise<(LeadView | DomainError)[]> {
    const { workspaceId } = actor;
    return createBatch(
      db,
      actor,
      at,
      inputs,
      {
        type: 'lead',
        event: 'lead.created',
        draft: (input) => ({ ...this.apply(blankLead(), input), created_by: actor.userId, id: newId('lead'), created_at: at, updated_at: at }),
        checks: [(records, tagIds) => this.referenceErrors(db, workspaceId, records, tagIds), (records) => this.duplicateErrors(db, workspaceId, records)],
        insert: (records) => this.leads.insertMany(db, workspaceId, records),
        present: presentLead,
      },
      this.tagging,
      this.events,
    );
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

  /** Changes the lead inside an open transaction (also used by imports); `unchanged` (and no event) when the input changes nothing. */
  async updateIn(db: Executor, actor: Actor, id: string, input: LeadUpdate, at: number, ifMatch?: number): Promise<Written<LeadView>> {
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
    const [error] = await this.referenceErrors(db, workspaceId, [lead], [tagIds]);
    if (error) throw error;
  }

  /** For each lead, the first reference (owner, tags) that names nothing in the workspace: one query per kind for the whole list. */
  private async referenceErrors(db: Executor, workspaceId: string, leads: Lead[], tagIds: (string[] | undefined)[]): Promise<(DomainError | undefined)[]> {
    const owners = await existingIds(db, 'users', workspaceId, leads.flatMap((l) => (l.owner_id === null ? [] : [l.owner_id])));
    const tagErrors = await this.tagging.checkEach(db, workspaceId, tagIds);
    return leads.map((l, i) => (l.owner_id !== null && !owners.has(l.owner_id) ? unknownReference('owner_id', 'user') : tagErrors[i]));
  }

  private async refuseDuplicate(db: Executor, workspaceId: string, lead: Lead): Promise<void> {
    const [error] = await this.duplicateErrors(db, workspaceId, [lead], lead.id);
    if (error) throw error;
  }

  /**
   * The dedup rule, for a list in one query per kind: a lead duplicates one with
   * the same email or, when either has no email, the same name and company (the
   * oldest such lead is named). A lead of the list counts as existing for the
   * leads after it.
   */
  private async duplicateErrors(db: Executor, workspaceId: string, leads: Lead[], exceptId?: string): Promise<(DomainError | undefined)[]> {
    const byEmail = new Map<string, string>();
    // Per name key: the oldest lead, and the oldest without an email.
    const byName = new Map<string, { any: string; withoutEmail?: string }>();
    const remember = (lead: { id: string; email: string | null }, key: string) => {
      if (lead.email !== null && !byEmail.has(lead.email)) byEmail.set(lead.email, lead.id);
      const named = byName.get(key) ?? { any: lead.id };
      if (lead.email === null) named.withoutEmail ??= lead.id;
      byName.set(key, named);
    };
    for (const candidate of await this.leads.dedupCandidates(db, workspaceId, leads, exceptId)) remember(candidate, candidate.name_key);
    return leads.map((lead) => {
      const key = leadNameKey(lead);
      const sameEmail = lead.email === null ? undefined : byEmail.get(lead.email);
      if (sameEmail !== undefined) return duplicate('lead', 'email', sameEmail);
      const named = byName.get(key);
      const sameName = lead.email === null ? named?.any : named?.withoutEmail;
      if (sameName !== undefined) return new DomainError('duplicate', 'A lead with this first name, last name and company already exists.', { existing_id: sameName, field: 'name' });
      remember(lead, key);
      return undefined;
    });
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
