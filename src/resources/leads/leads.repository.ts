import type { Capabilities } from '../../db/capabilities.js';
import { chunks, IN_LIST_MAX, insertRows } from '../../db/bulk.js';
import { listRows } from '../../db/list-rows.js';
import type { LeadTable } from '../../db/schema.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference, moveReference } from '../../db/unlink.js';
import type { JsonObject } from '../../domain/normalize.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import { leadListSpec } from './leads.list.js';
import { prepared } from '../../db/prepared.js';
import { tagsColumn, withTags, type TagRef } from '../tags/tags.repository.js';

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

  /** New leads in multi-row statements. */
  async insertMany(db: Executor, workspaceId: string, leads: Lead[]): Promise<void> {
    await insertRows(db, 'leads', leads.map((lead) => ({ workspace_id: workspaceId, ...toRow(lead) })));
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Lead | undefined> {
    const row = await db.selectFrom('leads').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The lead with its tags, in one query. */
  async findTagged(db: Executor, workspaceId: string, id: string): Promise<(Lead & { tags: TagRef[] }) | undefined> {
    const [found] = await this.findTaggedQuery(db, workspaceId, id);
    return found && withTags(fromRow(found), found.tags);
  }

  private readonly findTaggedQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('leads').select(COLUMNS).select(tagsColumn(this.capabilities, 'lead')).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'leads', workspaceId, id);
  }

  /**
   * The leads that share an email or a name key with these, oldest first
   * (except `exceptId`, the lead being changed): what the dedup rule compares
   * against, one query per thousand values.
   */
  async dedupCandidates(db: Executor, workspaceId: string, leads: Lead[], exceptId?: string): Promise<{ id: string; email: string | null; name_key: string }[]> {
    const emails = [...new Set(leads.flatMap((l) => (l.email === null ? [] : [l.email])))];
    const keys = [...new Set(leads.map(leadNameKey))];
    const found = new Map<string, { id: string; email: string | null; name_key: string; created_at: number }>();
    const pieces: ['email' | 'name_key', string[]][] = [...chunks(emails, IN_LIST_MAX).map((p): ['email', string[]] => ['email', p]), ...chunks(keys, IN_LIST_MAX).map((p): ['name_key', string[]] => ['name_key', p])];
    for (const [column, piece] of pieces) {
      let query = db.selectFrom('leads').select(['id', 'email', 'name_key', 'created_at']).where('workspace_id', '=', workspaceId).where(column, 'in', piece);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      for (const row of await query.execute()) found.set(row.id, { ...row, created_at: Number(row.created_at) });
    }
    return [...found.values()].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  }

  /** The leads that have these emails (normalised), one query per thousand: email → id. */
  async idsByEmails(db: Executor, workspaceId: string, emails: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const piece of chunks([...new Set(emails)], IN_LIST_MAX)) {
      const rows = await db.selectFrom('leads').select(['id', 'email']).where('workspace_id', '=', workspaceId).where('email', 'in', piece).execute();
      for (const row of rows) if (row.email !== null) ids.set(row.email, row.id);
    }
    return ids;
  }

  async findIdByEmail(db: Executor, workspaceId: string, email: string): Promise<string | undefined> {
    const row = await db.selectFrom('leads').select('id').where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
    return row?.id;
  }

  /** A page of leads with their tags, in one query. */
  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<Row & { tags: unknown }>(db, this.capabilities, leadListSpec, workspaceId, query, [...COLUMNS, tagsColumn(this.capabilities, 'lead')]);
    return { ...page, rows: page.rows.map((row) => withTags(fromRow(row), row.tags)) };
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
