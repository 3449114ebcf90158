/** Contacts: names and addresses, dedup on every email, references, ownership, upsert by email, merging. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import { upsert, type Written } from '../../domain/upsert.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import { DomainError, duplicate, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, EMPTY_ADDRESS, mergeAddress, mergeCustomFields, normalizeEmail } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import { existingIds } from '../../db/records.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import { createBatch } from '../shared/create-batch.js';
import type { CompanyRepository } from '../companies/companies.repository.js';
import type { UserRepository } from '../users/users.repository.js';
import { fillAddress, fillCustomFields, fillEmpty, mergeOrPreview, mergeRecords, refuseSelfMerge, type MergeRecipe } from '../shared/merge.js';
import { MAX_ENTRIES, resolvePrimaryList } from './labelled-list.js';
import type { Contact, ContactRepository } from './contacts.repository.js';
import type { ContactCreate, ContactUpdate, ContactUpsert } from './contacts.schema.js';
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
    const contact = await this.contacts.findTagged(this.tx.db, actor.workspaceId, id);
    if (!contact) throw notFound('contact');
    return contact;
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'contacts', 'read');
    return this.contacts.list(this.tx.db, actor.workspaceId, query);
  }

  /** The contacts of one company; 404 when the company is not in this workspace. */
  async listOfCompany(actor: Actor, companyId: string, query: ListQuery) {
    requireAccess(actor, 'contacts', 'read');
    requireAccess(actor, 'companies', 'read');
    if (!(await this.companies.exists(this.tx.db, actor.workspaceId, companyId))) throw notFound('company');
    return this.contacts.list(this.tx.db, actor.workspaceId, query, { equals: { company_id: companyId } });
  }

  /** Refuses a key that may not write contacts (a bulk request asks once, before its first record). */
  requireWrite(actor: Actor): void {
    requireAccess(actor, 'contacts', 'write');
  }

  async create(actor: Actor, input: ContactCreate): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'write');
    this.apply(emptyContact(), input);
    return this.writeUnique(actor, input, undefined, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.createIn(db, actor, input, at)));
  }

  /** Creates a contact inside an open transaction (also used by lead conversion). */
  async createIn(db: Executor, actor: Actor, input: ContactCreate, at: number): Promise<ContactView> {
    const [created] = await this.createManyIn(db, actor, [input], at);
    if (created instanceof DomainError) throw created;
    return created as ContactView;
  }

  /**
   * Creates contacts inside an open transaction (an import's batch goes this
   * way, and a single create is a list of one): every input is judged by the
   * same rules, with one query per rule for the whole list. A refused input
   * comes back as its error and writes nothing; the others are written with
   * multi-row statements, each with its contact.created event. An address
   * given by two inputs belongs to the first; the second is a duplicate of it.
   */
  async createManyIn(db: Executor, actor: Actor, inputs: ContactCreate[], at: number): Promise<(ContactView | DomainError)[]> {
    const { workspaceId } = actor;
    return createBatch(
      db,
      actor,
      at,
      inputs,
      {
        type: 'contact',
        event: 'contact.created',
        draft: (input) => ({ ...this.apply(emptyContact(), input), id: newId('contact'), created_at: at, updated_at: at, version: 1 }),
        checks: [(records, tagIds) => this.referenceErrors(db, workspaceId, records, tagIds), (records) => this.takenEmailErrors(db, workspaceId, records)],
        insert: (records) => this.contacts.insertMany(db, workspaceId, records),
        present: presentContact,
      },
      this.tagging,
      this.events,
    );
  }

  /** The contact holding this email, if any (lead conversion finds people this way). */
  async findIdByEmail(db: Executor, workspaceId: string, email: string): Promise<string | undefined> {
    const [owner] = await this.contacts.ownersOfEmails(db, workspaceId, [normalizeEmail(email)]);
    return owner?.contact_id;
  }

  /** The contacts holding these emails, by normalised email: one query for a whole import batch. */
  async findIdsByEmails(db: Executor, workspaceId: string, emails: string[]): Promise<Map<string, string>> {
    const owners = await this.contacts.ownersOfEmails(db, workspaceId, [...new Set(emails.map(normalizeEmail))]);
    return new Map(owners.map((o) => [o.email, o.contact_id]));
  }

  async update(actor: Actor, id: string, input: ContactUpdate, ifMatch?: number): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'write');
    const written = await this.writeUnique(actor, input, id, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.updateIn(db, actor, id, input, at, ifMatch)));
    return written.record;
  }

  /**
   * Creates the contact, or updates the one that has this email (as any of its
   * addresses) with the fields given, in one transaction. On an existing
   * contact the email only finds it: it does not become the primary address
   * (unless `emails` is given too, which replaces the list as in an update).
   */
  async upsert(actor: Actor, input: ContactUpsert): Promise<Written<ContactView>> {
    requireAccess(actor, 'contacts', 'write');
    const { email, ...rest } = input;
    const patch: ContactUpdate = input.emails === undefined ? rest : input;
    return this.writeUnique(actor, input, undefined, () =>
      upsert(this.capabilities, this.tx, actor.workspaceId, {
        find: (db) => this.findIdByEmail(db, actor.workspaceId, email),
        create: (db, at) => this.createIn(db, actor, input, at),
        update: (db, id, at) => this.updateIn(db, actor, id, patch, at),
      }),
    );
  }

  /** Changes the contact inside an open transaction (also used by imports); `unchanged` (and no event) when the input changes nothing. */
  async updateIn(db: Executor, actor: Actor, id: string, input: ContactUpdate, at: number, ifMatch?: number): Promise<Written<ContactView>> {
    const found = await this.contacts.find(db, actor.workspaceId, id);
    if (!found) throw notFound('contact');
    checkIfMatch(found.version, ifMatch);
    const current = await this.tagging.attachOne(actor.workspaceId, 'contact', found, db);
    const next = this.apply(found, input);
    await this.checkReferences(db, actor.workspaceId, next, input.tag_ids);
    await this.refuseTakenEmails(db, actor.workspaceId, next);
    const retagged = this.tagging.changes(current.tags, input.tag_ids);
    if (unchanged(found, next) && !retagged) return { record: current, outcome: 'unchanged' };
    const contact: Contact = { ...next, updated_at: at, version: found.version + 1 };
    if (!(await this.contacts.replace(db, actor.workspaceId, contact, found))) throw concurrentChange();
    await this.tagging.write(db, actor.workspaceId, 'contact', id, input.tag_ids);
    const view = retagged ? await this.tagging.attachOne(actor.workspaceId, 'contact', contact, db) : { ...contact, tags: current.tags };
    await this.events.record(db, actor, actor.workspaceId, at, 'contact.updated', presentContact(view), { before: presentContact(current) });
    return { record: view, outcome: 'updated' };
  }

  /**
   * Merges the duplicate into the contact: empty fields are filled from the
   * duplicate, its emails and phones are added (not primary), its tags, deals,
   * activities, tasks and converted leads move over, and it is deleted. One
   * contact.merged event. Needs contacts:write only, as deleting does.
   */
  async merge(actor: Actor, id: string, duplicateId: string, ifMatch?: number, dryRun = false): Promise<ContactView> {
    requireAccess(actor, 'contacts', 'write');
    refuseSelfMerge('contact', id, duplicateId);
    const deps = { tagging: this.tagging, referrers: this.referrers, events: this.events };
    return mergeOrPreview(this.tx, actor.workspaceId, dryRun, (db, at) => mergeRecords(db, actor, at, deps, this.mergeRecipe, { id, duplicateId, ifMatch }));
  }

  private readonly mergeRecipe: MergeRecipe<Contact> = {
    type: 'contact',
    find: (db, workspaceId, id) => this.contacts.find(db, workspaceId, id),
    fill: (survivor, duplicate) => ({
      ...fillEmpty(survivor, duplicate, ['first_name', 'last_name', 'title', 'source', 'description', 'website', 'company_id', 'owner_id']),
      emails: appendMissing('emails', survivor.emails, duplicate.emails, (e) => e.email),
      phones: appendMissing('phones', survivor.phones, duplicate.phones, (p) => p.phone),
      address: fillAddress(survivor.address, duplicate.address),
      custom_fields: fillCustomFields(survivor.custom_fields, duplicate.custom_fields),
    }),
    delete: (db, workspaceId, id) => this.contacts.delete(db, workspaceId, id),
    replace: (db, workspaceId, next, previous) => this.contacts.replace(db, workspaceId, next, previous),
    present: presentContact,
  };

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
      await this.events.recordKnockOn(db, actor, at, { type: 'contact.deleted', id });
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
    const text = <K extends 'first_name' | 'last_name' | 'title' | 'source' | 'description' | 'website'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    const contact: Contact = {
      ...current,
      first_name: text('first_name'),
      last_name: text('last_name'),
      emails,
      phones,
      title: text('title'),
      source: text('source'),
      description: text('description'),
      website: text('website'),
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
    const [error] = await this.referenceErrors(db, workspaceId, [contact], [tagIds]);
    if (error) throw error;
  }

  /** For each contact, the first reference (company, owner, tags) that names nothing in the workspace: one query per kind for the whole list. */
  private async referenceErrors(db: Executor, workspaceId: string, contacts: Contact[], tagIds: (string[] | undefined)[]): Promise<(DomainError | undefined)[]> {
    const companies = await existingIds(db, 'companies', workspaceId, contacts.flatMap((c) => (c.company_id === null ? [] : [c.company_id])));
    const owners = await existingIds(db, 'users', workspaceId, contacts.flatMap((c) => (c.owner_id === null ? [] : [c.owner_id])));
    const tagErrors = await this.tagging.checkEach(db, workspaceId, tagIds);
    return contacts.map((c, i) => {
      if (c.company_id !== null && !companies.has(c.company_id)) return unknownReference('company_id', 'company');
      if (c.owner_id !== null && !owners.has(c.owner_id)) return unknownReference('owner_id', 'user');
      return tagErrors[i];
    });
  }

  /** Every address of a person is unique in the workspace: 409 naming the contact that has it. */
  private async refuseTakenEmails(db: Executor, workspaceId: string, contact: Contact): Promise<void> {
    const [error] = await this.takenEmailErrors(db, workspaceId, [contact]);
    if (error) throw error;
  }

  /** `refuseTakenEmails` for a list in one query; an address also given by an earlier contact of the list is taken by it. */
  private async takenEmailErrors(db: Executor, workspaceId: string, contacts: Contact[]): Promise<(DomainError | undefined)[]> {
    const owners = new Map((await this.contacts.ownersOfEmails(db, workspaceId, [...new Set(contacts.flatMap((c) => c.emails.map((e) => e.email)))])).map((o) => [o.email, o.contact_id]));
    return contacts.map((contact) => {
      const other = contact.emails.map((e) => owners.get(e.email)).find((owner) => owner !== undefined && owner !== contact.id);
      if (other !== undefined) return duplicate('contact', 'email', other);
      for (const e of contact.emails) owners.set(e.email, contact.id);
      return undefined;
    });
  }

  /** Runs the write; if a racing request took one of the addresses given first, answers 409 naming the contact that has it. */
  private writeUnique<T>(actor: Actor, input: ContactUpdate, selfId: string | undefined, work: () => Promise<T>): Promise<T> {
    return refuseDuplicates(this.capabilities, work, async () => {
      const given = [input.email, ...(input.emails ?? []).map((e) => e.email)].filter((e): e is string => typeof e === 'string').map(normalizeEmail);
      const taken = await this.contacts.ownersOfEmails(this.tx.db, actor.workspaceId, [...new Set(given)]);
      const other = taken.find((t) => t.contact_id !== selfId);
      return duplicate('contact', 'email', other?.contact_id ?? 'unknown');
    });
  }
}

/** The survivor's entries, then the duplicate's it lacks (so never primary); 422 past the limit. */
function appendMissing<E>(field: string, survivor: E[], duplicate: E[], value: (entry: E) => string): E[] {
  const have = new Set(survivor.map(value));
  const merged = [...survivor, ...duplicate.filter((e) => !have.has(value(e)))];
  if (merged.length > MAX_ENTRIES) {
    throw new DomainError('unprocessable', `Together the two contacts have more than ${MAX_ENTRIES} ${field}; remove some first.`, { [field]: [`At most ${MAX_ENTRIES}.`] });
  }
  return merged;
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
    description: null,
    website: null,
    address: EMPTY_ADDRESS,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 0,
  };
}
