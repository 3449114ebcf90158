/** Companies: validation, domain dedup, references, what a deletion unlinks, upsert by domain, merging. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import { upsert, type Written } from '../../domain/upsert.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import { DomainError, duplicate, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, EMPTY_ADDRESS, mergeAddress, mergeCustomFields, normalizeDomain, normalizeEmail } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import { existingIds } from '../../db/records.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import { createBatch } from '../shared/create-batch.js';
import type { EventLog } from '../../events/event-log.js';
import { presentCompany } from './companies.presenter.js';
import type { UserRepository } from '../users/users.repository.js';
import { fillAddress, fillCustomFields, fillEmpty, mergeOrPreview, mergeRecords, refuseSelfMerge, type MergeRecipe } from '../shared/merge.js';
import type { Company, CompanyRepository } from './companies.repository.js';
import type { CompanyCreate, CompanyUpdate, CompanyUpsert } from './companies.schema.js';

/** A company as shown, with its tags. */
export type CompanyView = Company & { tags: TagRef[] };

export class CompanyService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly companies: CompanyRepository,
    private readonly users: UserRepository,
    private readonly tagging: Tagging,
    private readonly referrers: readonly Referrer[],
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<CompanyView> {
    requireAccess(actor, 'companies', 'read');
    const company = await this.companies.findTagged(this.tx.db, actor.workspaceId, id);
    if (!company) throw notFound('company');
    return company;
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'companies', 'read');
    return this.companies.list(this.tx.db, actor.workspaceId, query);
  }

  /** Refuses a key that may not write companies (a bulk request asks once, before its first record). */
  requireWrite(actor: Actor): void {
    requireAccess(actor, 'companies', 'write');
  }

  async create(actor: Actor, input: CompanyCreate): Promise<CompanyView> {
    requireAccess(actor, 'companies', 'write');
    const draft = this.apply(emptyCompany(), input);
    return this.writeUnique(actor, draft.domain, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.createIn(db, actor, input, at)));
  }

  /** Creates a company inside an open transaction (also used by lead conversion). */
  async createIn(db: Executor, actor: Actor, input: CompanyCreate, at: number): Promise<CompanyView> {
    const [created] = await this.createManyIn(db, actor, [input], at);
    if (created instanceof DomainError) throw created;
    return created as CompanyView;
  }

  /**
   * Creates companies inside an open transaction (an import's batch goes this
   * way, and a single create is a list of one): every input is judged by the
   * same rules, with one query per rule for the whole list. A refused input
   * comes back as its error and writes nothing; the others are written with a
   * multi-row insert, each with its company.created event. A domain given by
   * two inputs belongs to the first; the second is a duplicate of it.
   */
  async createManyIn(db: Executor, actor: Actor, inputs: CompanyCreate[], at: number): Promise<(CompanyView | DomainError)[]> {
    const { workspaceId } = actor;
    return createBatch(
      db,
      actor,
      at,
      inputs,
      {
        type: 'company',
        event: 'company.created',
        draft: (input) => ({ ...this.apply(emptyCompany(), input), id: newId('company'), created_at: at, updated_at: at, version: 1 }),
        checks: [(records, tagIds) => this.referenceErrors(db, workspaceId, records, tagIds), (records) => this.takenDomainErrors(db, workspaceId, records)],
        insert: (records) => this.companies.insertMany(db, workspaceId, records),
        present: presentCompany,
      },
      this.tagging,
      this.events,
    );
  }

  /** For each domain (normalised), the company that has it: an import's duplicate look-up for a whole batch in one query. */
  findIdsByDomains(db: Executor, workspaceId: string, domains: string[]): Promise<Map<string, string>> {
    return this.companies.idsByDomains(db, workspaceId, domains);
  }

  /** The company with this domain, or else this name (case-insensitive), if any: how lead conversion finds companies. */
  async findIdFor(db: Executor, workspaceId: string, domain: string | null, name: string | null): Promise<string | undefined> {
    const byDomain = domain === null ? undefined : await this.companies.findIdByDomain(db, workspaceId, domain);
    if (byDomain !== undefined || name === null) return byDomain;
    return this.companies.findIdByName(db, workspaceId, name);
  }

  async update(actor: Actor, id: string, input: CompanyUpdate, ifMatch?: number): Promise<CompanyView> {
    requireAccess(actor, 'companies', 'write');
    const domain = input.domain === undefined ? null : parseDomain(input.domain);
    const written = await this.writeUnique(actor, domain, () => this.tx.writeIn(actor.workspaceId, (db, at) => this.updateIn(db, actor, id, input, at, ifMatch)));
    return written.record;
  }

  /** Creates the company, or updates the one with this domain with the fields given, in one transaction. */
  async upsert(actor: Actor, input: CompanyUpsert): Promise<Written<CompanyView>> {
    requireAccess(actor, 'companies', 'write');
    const domain = parseDomain(input.domain);
    if (domain === null) throw invalidFields({ domain: 'The domain field is required to upsert a company.' });
    return this.writeUnique(actor, domain, () =>
      upsert(this.capabilities, this.tx, actor.workspaceId, {
        find: (db) => this.companies.findIdByDomain(db, actor.workspaceId, domain),
        create: (db, at) => this.createIn(db, actor, input, at),
        update: (db, id, at) => this.updateIn(db, actor, id, input, at),
      }),
    );
  }

  /** Changes the company inside an open transaction (also used by imports); `unchanged` (and no event) when the input changes nothing. */
  async updateIn(db: Executor, actor: Actor, id: string, input: CompanyUpdate, at: number, ifMatch?: number): Promise<Written<CompanyView>> {
    const found = await this.companies.find(db, actor.workspaceId, id);
    if (!found) throw notFound('company');
    checkIfMatch(found.version, ifMatch);
    const current = await this.tagging.attachOne(actor.workspaceId, 'company', found, db);
    const next = this.apply(found, input);
    await this.checkReferences(db, actor.workspaceId, next, input.tag_ids);
    await this.refuseTakenDomain(db, actor.workspaceId, next.domain, id);
    const retagged = this.tagging.changes(current.tags, input.tag_ids);
    if (unchanged(found, next) && !retagged) return { record: current, outcome: 'unchanged' };
    const company: Company = { ...next, updated_at: at, version: found.version + 1 };
    if (!(await this.companies.replace(db, actor.workspaceId, company, found.version))) throw concurrentChange();
    await this.tagging.write(db, actor.workspaceId, 'company', id, input.tag_ids);
    const view = retagged ? await this.tagging.attachOne(actor.workspaceId, 'company', company, db) : { ...company, tags: current.tags };
    await this.events.record(db, actor, actor.workspaceId, at, 'company.updated', presentCompany(view), { before: presentCompany(current) });
    return { record: view, outcome: 'updated' };
  }

  /**
   * Merges the duplicate into the company: empty fields (the domain too) are
   * filled from the duplicate, its tags, contacts, deals, activities, tasks and
   * converted leads move over, and it is deleted. One company.merged event.
   * Needs companies:write only, as deleting does.
   */
  async merge(actor: Actor, id: string, duplicateId: string, ifMatch?: number, dryRun = false): Promise<CompanyView> {
    requireAccess(actor, 'companies', 'write');
    refuseSelfMerge('company', id, duplicateId);
    const deps = { tagging: this.tagging, referrers: this.referrers, events: this.events };
    return mergeOrPreview(this.tx, actor.workspaceId, dryRun, (db, at) => mergeRecords(db, actor, at, deps, this.mergeRecipe, { id, duplicateId, ifMatch }));
  }

  private readonly mergeRecipe: MergeRecipe<Company> = {
    type: 'company',
    find: (db, workspaceId, id) => this.companies.find(db, workspaceId, id),
    fill: (survivor, duplicate) => ({
      ...fillEmpty(survivor, duplicate, ['domain', 'industry', 'employee_count', 'phone', 'website', 'email', 'description', 'owner_id']),
      address: fillAddress(survivor.address, duplicate.address),
      custom_fields: fillCustomFields(survivor.custom_fields, duplicate.custom_fields),
    }),
    delete: (db, workspaceId, id) => this.companies.delete(db, workspaceId, id),
    replace: (db, workspaceId, next, previous) => this.companies.replace(db, workspaceId, next, previous.version),
    present: presentCompany,
  };

  /** Deletes the company; records that pointed at it are unlinked. */
  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'companies', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.companies.find(db, actor.workspaceId, id);
      if (!current) throw notFound('company');
      checkIfMatch(current.version, ifMatch);
      const view = await this.tagging.attachOne(actor.workspaceId, 'company', current, db);
      await releaseAll(this.referrers, db, actor.workspaceId, 'company', id, at);
      await this.tagging.remove(db, 'company', id);
      await this.companies.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'company.deleted', presentCompany(view));
      await this.events.recordKnockOn(db, actor, at, { type: 'company.deleted', id });
    });
  }

  /** The record after applying a create or update body to `current`. */
  private apply(current: Company, input: CompanyUpdate): Company {
    const text = <K extends 'industry' | 'phone' | 'website' | 'description'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    return {
      ...current,
      name: input.name?.trim() ?? current.name,
      domain: input.domain === undefined ? current.domain : parseDomain(input.domain),
      industry: text('industry'),
      phone: text('phone'),
      website: text('website'),
      email: input.email === undefined ? current.email : input.email === null ? null : normalizeEmail(input.email),
      description: text('description'),
      employee_count: input.employee_count === undefined ? current.employee_count : input.employee_count,
      address: mergeAddress(current.address, input.address),
      owner_id: input.owner_id === undefined ? current.owner_id : input.owner_id,
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
  }

  private async checkReferences(db: Executor, workspaceId: string, company: Company, tagIds: string[] | undefined): Promise<void> {
    const [error] = await this.referenceErrors(db, workspaceId, [company], [tagIds]);
    if (error) throw error;
  }

  /** For each company, the first reference (owner, tags) that names nothing in the workspace: one query per kind for the whole list. */
  private async referenceErrors(db: Executor, workspaceId: string, companies: Company[], tagIds: (string[] | undefined)[]): Promise<(DomainError | undefined)[]> {
    const owners = await existingIds(db, 'users', workspaceId, companies.flatMap((c) => (c.owner_id === null ? [] : [c.owner_id])));
    const tagErrors = await this.tagging.checkEach(db, workspaceId, tagIds);
    return companies.map((c, i) => (c.owner_id !== null && !owners.has(c.owner_id) ? unknownReference('owner_id', 'user') : tagErrors[i]));
  }

  private async refuseTakenDomain(db: Executor, workspaceId: string, domain: string | null, selfId: string | undefined): Promise<void> {
    if (domain === null) return;
    const existing = await this.companies.findIdByDomain(db, workspaceId, domain);
    if (existing !== undefined && existing !== selfId) throw duplicate('company', 'domain', existing);
  }

  /** `refuseTakenDomain` for new companies in one query; a domain also given by an earlier company of the list is taken by it. */
  private async takenDomainErrors(db: Executor, workspaceId: string, companies: Company[]): Promise<(DomainError | undefined)[]> {
    const owners = await this.companies.idsByDomains(
      db,
      workspaceId,
      companies.flatMap((c) => (c.domain === null ? [] : [c.domain])),
    );
    return companies.map((company) => {
      if (company.domain === null) return undefined;
      const other = owners.get(company.domain);
      if (other !== undefined) return duplicate('company', 'domain', other);
      owners.set(company.domain, company.id);
      return undefined;
    });
  }

  /** Runs the write; if a racing request took the domain first, answers 409 naming the company that has it. */
  private writeUnique<T>(actor: Actor, domain: string | null, work: () => Promise<T>): Promise<T> {
    return refuseDuplicates(this.capabilities, work, async () => {
      const existing = domain === null ? undefined : await this.companies.findIdByDomain(this.tx.db, actor.workspaceId, domain);
      return duplicate('company', 'domain', existing ?? 'unknown');
    });
  }
}

function parseDomain(value: string | null): string | null {
  const cleaned = cleanText(value);
  if (cleaned === null || cleaned === undefined) return null;
  const domain = normalizeDomain(cleaned);
  if (domain === undefined) throw invalidFields({ domain: `"${cleaned}" is not a domain name like acme.com.` });
  return domain;
}

function emptyCompany(): Company {
  return {
    id: '',
    name: '',
    domain: null,
    industry: null,
    employee_count: null,
    phone: null,
    website: null,
    email: null,
    description: null,
    address: EMPTY_ADDRESS,
    owner_id: null,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 0,
  };
}
