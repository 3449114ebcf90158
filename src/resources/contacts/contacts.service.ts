/** Contacts: names and addresses, dedup on every email, references, ownership. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import { duplicate, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, EMPTY_ADDRESS, mergeAddress, mergeCustomFields, normalizeEmail } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { CompanyRepository } from '../companies/companies.repository.js';
import type { UserRepository } from '../users/users.repository.js';
import { resolvePrimaryList } from './labelled-list.js';
import type { Contact, ContactRepository } from './contacts.repository.js';
import type { ContactCreate, ContactUpdate } from './contacts.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentContact } from './contacts.presenter.js';

/** A contact as shown, with its tags. */
export type ContactView = Contact & { tags: TagRef[] };

export class ContactService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly contacts: ContactRepository,
    private readonly companies: CompanyRepository,
    private readonly users: UserRepository,
    private readonly tagging: Tagging,
    private readonly referrers: readonly Referrer[],
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'read');
    const contact = await this.contacts.find(this.tx.db, actor.workspaceId, id);
    if (!contact) throw notFound('contact');
    return this.tagging.attachOne(actor.workspaceId, 'contact', contact);
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'contacts', 'read');
    return this.withTags(actor, await this.contacts.list(this.tx.db, actor.workspaceId, query));
  }

  /** The contacts of one company; 404 when the company is not in this workspace. */
  async listOfCompany(actor: Actor, companyId: string, query: ListQuery) {
    requireAccess(actor, 'contacts', 'read');
    requireAccess(actor, 'companies', 'read');
    if (!(await this.companies.exists(this.tx.db, actor.workspaceId, companyId))) throw notFound('company');
    return this.withTags(actor, await this.contacts.list(this.tx.db, actor.workspaceId, query, { equals: { company_id: companyId } }));
  }

  private async withTags<P extends { rows: Contact[] }>(actor: Actor, page: P) {
    return { ...page, rows: await this.tagging.attach(actor.workspaceId, 'contact', page.rows) };
  }

  async create(actor: Actor, input: ContactCreate): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'write');
    const draft = this.apply(emptyContact(), input);
    return this.writeUnique(actor, draft, (db, at) => this.createIn(db, actor, input, at));
  }

  /** Creates a contact inside an open transaction (also used by lead conversion). */
  async createIn(db: Executor, actor: Actor, input: ContactCreate, at: number): Promise<ContactView> {
    const draft = this.apply(emptyContact(), input);
    await this.checkReferences(db, actor.workspaceId, draft, input.tag_ids);
    await this.refuseTakenEmails(db, actor.workspaceId, draft);
    const contact: Contact = { ...draft, id: newId('contact'), created_at: at, updated_at: at, version: 1 };
    await this.contacts.insert(db, actor.workspaceId, contact);
    await this.tagging.write(db, actor.workspaceId, 'contact', contact.id, input.tag_ids);
    const view = await this.tagging.attachCreated(actor.workspaceId, 'contact', contact, input.tag_ids, db);
    await this.events.record(db, actor, actor.workspaceId, at, 'contact.created', presentContact(view));
    return view;
  }

  /** The contact holding this email, if any (lead conversion finds people this way). */
  async findIdByEmail(db: Executor, workspaceId: string, email: string): Promise<string | undefined> {
    const [owner] = await this.contacts.ownersOfEmails(db, workspaceId, [normalizeEmail(email)]);
    return owner?.contact_id;
  }

  async update(actor: Actor, id: string, input: ContactUpdate, ifMatch?: number): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'write');
    let next: Contact | undefined;
    return this.writeUnique(actor, () => next, async (db, at) => {
      const found = await this.contacts.find(db, actor.workspaceId, id);
      if (!found) throw notFound('contact');
      checkIfMatch(found.version, ifMatch);
      const current = await this.tagging.attachOne(actor.workspaceId, 'contact', found, db);
      next = this.apply(found, input);
      await this.checkReferences(db, actor.workspaceId, next, input.tag_ids);
      await this.refuseTakenEmails(db, actor.workspaceId, next);
      const retagged = this.tagging.changes(current.tags, input.tag_ids);
      if (unchanged(found, next) && !retagged) return current;
      const contact: Contact = { ...next, updated_at: at, version: found.version + 1 };
      if (!(await this.contacts.replace(db, actor.workspaceId, contact, found))) throw concurrentChange();
      await this.tagging.write(db, actor.workspaceId, 'contact', id, input.tag_ids);
      const view = retagged ? await this.tagging.attachOne(actor.workspaceId, 'contact', contact, db) : { ...contact, tags: current.tags };
      await this.events.record(db, actor, actor.workspaceId, at, 'contact.updated', presentContact(view), { before: presentContact(current) });
      return view;
    });
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'contacts', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.contacts.find(db, actor.workspaceId, id);
      if (!current) throw notFound('contact');
      checkIfMatch(current.version, ifMatch);
      const view = await this.tagging.attachOne(actor.workspaceId, 'contact', current, db);
      await releaseAll(this.referrers, db, actor.workspaceId, 'contact', id, at);
      await this.tagging.remove(db, 'contact', id);
      await this.contacts.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'contact.deleted', presentContact(view));
    });
  }

  /** The record after applying a create or update body to `current`; checks the rules that need no database. */
  private apply(current: Contact, input: ContactUpdate): Contact {
    const emails = resolvePrimaryList(
      'email',
      current.emails.map((e) => ({ value: e.email, label: e.label })),
      input.email === undefined ? undefined : input.email === null ? null : normalizeEmail(input.email),
      input.emails?.map((e) => ({ value: normalizeEmail(e.email), label: cleanText(e.label) ?? null, primary: e.primary })),
    ).map(({ value, label }) => ({ email: value, label }));
    const phones = resolvePrimaryList(
      'phone',
      current.phones.map((p) => ({ value: p.phone, label: p.label })),
      input.phone === undefined ? undefined : (cleanText(input.phone) ?? null),
      input.phones?.map((p) => ({ value: p.phone.trim(), label: cleanText(p.label) ?? null, primary: p.primary })),
    ).map(({ value, label }) => ({ phone: value, label }));
    const text = <K extends 'first_name' | 'last_name' | 'title' | 'source'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    const contact: Contact = {
      ...current,
      first_name: text('first_name'),
      last_name: text('last_name'),
      emails,
      phones,
      title: text('title'),
      source: text('source'),
      company_id: input.company_id === undefined ? current.company_id : input.company_id,
      owner_id: input.owner_id === undefined ? current.owner_id : input.owner_id,
      status: input.status ?? current.status,
      address: mergeAddress(current.address, input.address),
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
    if (contact.first_name === null && contact.last_name === null && contact.emails.length === 0) {
      throw invalidFields({ first_name: 'A contact needs a first_name, a last_name or an email.' });
    }
    return contact;
  }

  private async checkReferences(db: Executor, workspaceId: string, contact: Contact, tagIds: string[] | undefined): Promise<void> {
    if (contact.company_id !== null && !(await this.companies.exists(db, workspaceId, contact.company_id))) throw unknownReference('company_id', 'company');
    if (contact.owner_id !== null && !(await this.users.exists(db, workspaceId, contact.owner_id))) throw unknownReference('owner_id', 'user');
    await this.tagging.check(db, workspaceId, tagIds);
  }

  /** Every address of a person is unique in the workspace: 409 naming the contact that has it. */
  private async refuseTakenEmails(db: Executor, workspaceId: string, contact: Contact): Promise<void> {
    const taken = await this.contacts.ownersOfEmails(db, workspaceId, contact.emails.map((e) => e.email));
    const other = taken.find((t) => t.contact_id !== contact.id);
    if (other) throw duplicate('contact', 'email', other.contact_id);
  }

  /** Runs the write; if a racing request took one of the addresses first, answers 409 naming it. */
  private writeUnique(actor: Actor, draft: Contact | (() => Contact | undefined), work: (db: Executor, at: number) => Promise<ContactView>): Promise<ContactView> {
    return refuseDuplicates(this.capabilities, () => this.tx.writeIn(actor.workspaceId, work), async () => {
      const contact = typeof draft === 'function' ? draft() : draft;
      const taken = contact ? await this.contacts.ownersOfEmails(this.tx.db, actor.workspaceId, contact.emails.map((e) => e.email)) : [];
      const other = taken.find((t) => t.contact_id !== contact?.id);
      return duplicate('contact', 'email', other?.contact_id ?? 'unknown');
    });
  }
}

function emptyContact(): Contact {
  return {
    id: '',
    first_name: null,
    last_name: null,
    emails: [],
    phones: [],
    title: null,
    company_id: null,
    owner_id: null,
    status: 'active',
    source: null,
    address: EMPTY_ADDRESS,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 0,
  };
}
