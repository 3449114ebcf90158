/** Companies: validation, domain dedup, references, what a deletion unlinks, upsert by domain, merging. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import { upsert, type Written } from '../../domain/upsert.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import { duplicate, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, EMPTY_ADDRESS, mergeAddress, mergeCustomFields, normalizeDomain } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { EventLog } from '../../events/event-log.js';
import { presentCompany } from './companies.presenter.js';
import type { UserRepository } from '../users/users.repository.js';
import { fillAddress, fillCustomFields, fillEmpty, mergeRecords, refuseSelfMerge, type MergeRecipe } from '../shared/merge.js';
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
    const company = await this.companies.find(this.tx.db, actor.workspaceId, id);
    if (!company) throw notFound('company');
    return this.tagging.attachOne(actor.workspaceId, 'company', company);
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'companies', 'read');
    const page = await this.companies.list(this.tx.db, actor.workspaceId, query);
    return { ...page, rows: await this.tagging.attach(actor.workspaceId, 'company', page.rows) };
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
    const draft = this.apply(emptyCompany(), input);
    await this.checkReferences(db, actor.workspaceId, draft, input.tag_ids);
    await this.refuseTakenDomain(db, actor.workspaceId, draft.domain, undefined);
    const company: Company = { ...draft, id: newId('company'), created_at: at, updated_at: at, version: 1 };
    await this.companies.insert(db, actor.workspaceId, company);
    await this.tagging.write(db, actor.workspaceId, 'company', company.id, input.tag_ids);
    const view = await this.tagging.attachCreated(actor.workspaceId, 'company', company, input.tag_ids, db);
    await this.events.record(db, actor, actor.workspaceId, at, 'company.created', presentCompany(view));
    return view;
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

  /** Changes the company inside an open transaction; `unchanged` (and no event) when the input changes nothing. */
  private async updateIn(db: Executor, actor: Actor, id: string, input: CompanyUpdate, at: number, ifMatch?: number): Promise<Written<CompanyView>> {
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
  async merge(actor: Actor, id: string, duplicateId: string, ifMatch?: number): Promise<CompanyView> {
    requireAccess(actor, 'companies', 'write');
    refuseSelfMerge('company', id, duplicateId);
    const deps = { tagging: this.tagging, referrers: this.referrers, events: this.events };
    return this.tx.writeIn(actor.workspaceId, (db, at) => mergeRecords(db, actor, at, deps, this.mergeRecipe, { id, duplicateId, ifMatch }));
  }

  private readonly mergeRecipe: MergeRecipe<Company> = {
    type: 'company',
    find: (db, workspaceId, id) => this.companies.find(db, workspaceId, id),
    fill: (survivor, duplicate) => ({
      ...fillEmpty(survivor, duplicate, ['domain', 'industry', 'employee_count', 'phone', 'website', 'owner_id']),
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
    const text = <K extends 'industry' | 'phone' | 'website'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    return {
      ...current,
      name: input.name?.trim() ?? current.name,
      domain: input.domain === undefined ? current.domain : parseDomain(input.domain),
      industry: text('industry'),
      phone: text('phone'),
      website: text('website'),
      employee_count: input.employee_count === undefined ? current.employee_count : input.employee_count,
      address: mergeAddress(current.address, input.address),
      owner_id: input.owner_id === undefined ? current.owner_id : input.owner_id,
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
  }

  private async checkReferences(db: Executor, workspaceId: string, company: Company, tagIds: string[] | undefined): Promise<void> {
    if (company.owner_id !== null && !(await this.users.exists(db, workspaceId, company.owner_id))) throw unknownReference('owner_id', 'user');
    await this.tagging.check(db, workspaceId, tagIds);
  }

  private async refuseTakenDomain(db: Executor, workspaceId: string, domain: string | null, selfId: string | undefined): Promise<void> {
    if (domain === null) return;
    const existing = await this.companies.findIdByDomain(db, workspaceId, domain);
    if (existing !== undefined && existing !== selfId) throw duplicate('company', 'domain', existing);
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
    address: EMPTY_ADDRESS,
    owner_id: null,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 0,
  };
}
