import { addressFromColumns, addressToColumns, ADDRESS_COLUMNS } from '../../db/address-columns.js';
import type { Capabilities } from '../../db/capabilities.js';
import { chunks, IN_LIST_MAX, insertRows } from '../../db/bulk.js';
import { listRows, type ListScope } from '../../db/list-rows.js';
import type { CompanyTable } from '../../db/schema.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference } from '../../db/unlink.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import type { Address, JsonObject } from '../../domain/normalize.js';
import { companyListSpec } from './companies.list.js';
import { prepared } from '../../db/prepared.js';
import { tagsColumn, withTags, type TagRef } from '../tags/tags.repository.js';

export interface Company {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employee_count: number | null;
  phone: string | null;
  website: string | null;
  email: string | null;
  description: string | null;
  address: Address;
  owner_id: string | null;
  custom_fields: JsonObject;
  created_at: number;
  updated_at: number;
  version: number;
}

type Row = Omit<CompanyTable, 'workspace_id'>;
const COLUMNS = ['id', 'name', 'domain', 'industry', 'employee_count', 'phone', 'website', 'email', 'description', ...ADDRESS_COLUMNS, 'owner_id', 'custom_fields', 'created_at', 'updated_at', 'version'] as const;

const fromRow = (row: Row): Company => ({
  id: row.id,
  name: row.name,
  domain: row.domain,
  industry: row.industry,
  employee_count: row.employee_count,
  phone: row.phone,
  website: row.website,
  email: row.email,
  description: row.description,
  address: addressFromColumns(row),
  owner_id: row.owner_id,
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
  version: row.version,
});

const toRow = ({ address, custom_fields, ...company }: Company): Row => ({
  ...company,
  ...addressToColumns(address),
  custom_fields: JSON.stringify(custom_fields),
});

export class CompanyRepository {
  constructor(private readonly capabilities: Capabilities) {}

  /** New companies in multi-row statements. */
  async insertMany(db: Executor, workspaceId: string, companies: Company[]): Promise<void> {
    await insertRows(db, 'companies', companies.map((company) => ({ workspace_id: workspaceId, ...toRow(company) })));
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Company | undefined> {
    const row = await db.selectFrom('companies').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The company with its tags, in one query. */
  async findTagged(db: Executor, workspaceId: string, id: string): Promise<(Company & { tags: TagRef[] }) | undefined> {
    const [row] = await this.findTaggedQuery(db, workspaceId, id);
    return row && withTags(fromRow(row), row.tags);
  }

  private readonly findTaggedQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('companies').select(COLUMNS).select(tagsColumn(this.capabilities, 'company')).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  async findIdByDomain(db: Executor, workspaceId: string, domain: string): Promise<string | undefined> {
    const row = await db.selectFrom('companies').select('id').where('workspace_id', '=', workspaceId).where('domain', '=', domain).executeTakeFirst();
    return row?.id;
  }

  /** The companies that have these domains (normalised), one query per thousand: domain → id. */
  async idsByDomains(db: Executor, workspaceId: string, domains: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const piece of chunks([...new Set(domains)], IN_LIST_MAX)) {
      const rows = await db.selectFrom('companies').select(['id', 'domain']).where('workspace_id', '=', workspaceId).where('domain', 'in', piece).execute();
      for (const row of rows) if (row.domain !== null) ids.set(row.domain, row.id);
    }
    return ids;
  }

  /** A company whose name is this one, ignoring case; the oldest when several are. */
  async findIdByName(db: Executor, workspaceId: string, name: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('companies')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'companies', workspaceId, id);
  }

  /** A page of companies with their tags, in one query. */
  async list(db: Executor, workspaceId: string, query: ListQuery, scope?: ListScope) {
    const page = await listRows<Row & { tags: unknown }>(db, this.capabilities, companyListSpec, workspaceId, query, [...COLUMNS, tagsColumn(this.capabilities, 'company')], scope);
    return { ...page, rows: page.rows.map((row) => withTags(fromRow(row), row.tags)) };
  }

  /** Writes the whole record if it is still at `expectedVersion`; false when it moved on. */
  async replace(db: Executor, workspaceId: string, company: Company, expectedVersion: number): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(company);
    return replaceRecord(db, 'companies', workspaceId, id, changes, expectedVersion);
  }

  delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    return deleteRecord(db, 'companies', workspaceId, id);
  }

  /** Companies let go of a deleted owner. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    if (type === 'user') await clearReference(db, 'companies', 'owner_id', workspaceId, id, at);
  }

  /** Companies point at no contact or company, so a merge changes none. */
  async reassign(): Promise<string[]> {
    return [];
  }
}
