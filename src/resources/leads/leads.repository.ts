import type { Capabilities } from '../../db/capabilities.js';
import { listRows } from '../../db/list-rows.js';
import type { LeadTable } from '../../db/schema.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference, moveReference } from '../../db/unlink.js';
import type { JsonObject } from '../../domain/normalize.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import { leadListSpec } from './leads.list.js';

export type Lead = Omit<LeadTable, 'workspace_id' | 'name_key' | 'custom_fields'> & { custom_fields: JsonObject };
type Row = Omit<LeadTable, 'workspace_id' | 'name_key'>;

const COLUMNS = ['id', 'first_name', 'last_name', 'email', 'phone', 'company_name', 'website', 'source', 'address', 'city', 'state', 'zipcode', 'country', 'status', 'owner_id', 'created_by', 'custom_fields', 'converted_at', 'converted_contact_id', 'converted_company_id', 'converted_deal_id', 'created_at', 'updated_at', 'version'] as const;

/** The name rule of dedup compares first name, last name and company, ignoring case and spacing. */
export const leadNameKey = (lead: Pick<Lead, 'first_name' | 'last_name' | 'company_name'>): string =>
  [lead.first_name, lead.last_name, lead.company_name ?? ''].map((part) => part.trim().replace(/\s+/g, ' ').toLowerCase()).join('|');

const fromRow = (row: Row): Lead => ({
  ...row,
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  converted_at: row.converted_at === null ? null : Number(row.converted_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});

/** The lead columns that point at records of each type. */
const LEAD_REFERENCES: Partial<Record<ReferencedType, string[]>> = {
  user: ['owner_id', 'created_by'],
  contact: ['converted_contact_id'],
  company: ['converted_company_id'],
  deal: ['converted_deal_id'],
};

const toRow = (lead: Lead): Omit<LeadTable, 'workspace_id'> => ({ ...lead, name_key: leadNameKey(lead), custom_fields: JSON.stringify(lead.custom_fields) });

export class LeadRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, lead: Lead): Promise<void> {
    await db.insertInto('leads').values({ ...toRow(lead), workspace_id: workspaceId }).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Lead | undefined> {
    const row = await db.selectFrom('leads').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'leads', workspaceId, id);
  }

  /**
   * A lead this one would duplicate: the same email, or, when either has no
   * email, the same name and company.
   */
  async findDuplicate(db: Executor, workspaceId: string, lead: Lead): Promise<{ id: string; field: 'email' | 'name' } | undefined> {
    if (lead.email !== null) {
      const byEmail = await db.selectFrom('leads').select('id').where('workspace_id', '=', workspaceId).where('email', '=', lead.email).where('id', '!=', lead.id).executeTakeFirst();
      if (byEmail) return { id: byEmail.id, field: 'email' };
    }
    let byName = db.selectFrom('leads').select('id').where('workspace_id', '=', workspaceId).where('name_key', '=', leadNameKey(lead)).where('id', '!=', lead.id);
    if (lead.email !== null) byName = byName.where('email', 'is', null);
    const row = await byName.orderBy('created_at').limit(1).executeTakeFirst();
    return row && { id: row.id, field: 'name' };
  }

  async findIdByEmail(db: Executor, workspaceId: string, email: string): Promise<string | undefined> {
    const row = await db.selectFrom('leads').select('id').where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
    return row?.id;
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<Row>(db, this.capabilities, leadListSpec, workspaceId, query, COLUMNS);
    return { ...page, rows: page.rows.map(fromRow) };
  }

  async replace(db: Executor, workspaceId: string, lead: Lead, expectedVersion: number): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(lead);
    return replaceRecord(db, 'leads', workspaceId, id, changes, expectedVersion);
  }

  delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    return deleteRecord(db, 'leads', workspaceId, id);
  }

  /** Leads let go of a deleted owner or creator, and of records they were converted into. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    for (const column of LEAD_REFERENCES[type] ?? []) await clearReference(db, 'leads', column, workspaceId, id, at);
  }

  /** A lead converted into a merged contact or company names the survivor. */
  async reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
    const changed: string[] = [];
    for (const column of LEAD_REFERENCES[type] ?? []) changed.push(...(await moveReference(db, 'leads', column, workspaceId, fromId, toId, at)));
    return changed;
  }
}
