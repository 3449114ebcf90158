import { sql } from 'kysely';
import type { Capabilities } from '../../db/capabilities.js';
import { insertRows } from '../../db/bulk.js';
import { listRows, type ListScope } from '../../db/list-rows.js';
import type { DealStageChangeTable, DealTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference, moveReference } from '../../db/unlink.js';
import type { JsonObject } from '../../domain/normalize.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import { dealListSpec } from './deals.list.js';
import { tagsColumn, tagsFromColumn, type TagRef } from '../tags/tags.repository.js';

export type DealStatus = 'open' | 'won' | 'lost';

export interface Deal {
  id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  pipeline_id: string;
  stage_id: string;
  status: DealStatus;
  /** The deal's own probability; null when the stage's applies. */
  probability: number | null;
  owner_id: string | null;
  company_id: string | null;
  contact_ids: string[];
  expected_close_date: string | null;
  closed_at: number | null;
  lost_reason: string | null;
  source: string | null;
  description: string | null;
  custom_fields: JsonObject;
  stage_entered_at: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export type StageChange = Omit<DealStageChangeTable, 'workspace_id'>;

type Row = Omit<DealTable, 'workspace_id'>;
const COLUMNS = ['id', 'name', 'amount', 'currency', 'pipeline_id', 'stage_id', 'status', 'probability', 'owner_id', 'company_id', 'expected_close_date', 'closed_at', 'lost_reason', 'source', 'description', 'custom_fields', 'stage_entered_at', 'created_at', 'updated_at', 'version'] as const;
export const STAGE_CHANGE_COLUMNS = ['id', 'deal_id', 'from_stage_id', 'to_stage_id', 'changed_at', 'changed_by', 'ms_in_previous_stage'] as const;

/** A history row as the rest of the code sees it: times as numbers of milliseconds. */
export const stageChangeFromRow = (row: StageChange): StageChange => ({
  ...row,
  changed_at: Number(row.changed_at),
  ms_in_previous_stage: row.ms_in_previous_stage === null ? null : Number(row.ms_in_previous_stage),
});

const fromRow = (row: Row, contactIds: string[]): Deal => ({
  ...row,
  amount: row.amount === null ? null : Number(row.amount),
  status: row.status as DealStatus,
  closed_at: row.closed_at === null ? null : Number(row.closed_at),
  stage_entered_at: Number(row.stage_entered_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
  contact_ids: contactIds,
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
});

/** A deal row read with `shownColumns`. */
type ShownRow = Row & { contact_ids: unknown; tags: unknown; stage_probability: unknown };

const shown = ({ contact_ids, tags, stage_probability, ...row }: ShownRow): Deal & { tags: TagRef[]; stage_probability: number } => ({
  ...fromRow(row, (typeof contact_ids === 'string' ? JSON.parse(contact_ids) : contact_ids) as string[]),
  tags: tagsFromColumn(tags),
  stage_probability: Number(stage_probability ?? 0),
});

const toRow = ({ contact_ids: _contacts, custom_fields, ...deal }: Deal): Row => ({ ...deal, custom_fields: JSON.stringify(custom_fields) });

export class DealRepository {
  constructor(private readonly capabilities: Capabilities) {}

  /** New deals with their contacts, in multi-row statements. */
  async insertMany(db: Executor, workspaceId: string, deals: Deal[]): Promise<void> {
    await insertRows(db, 'deals', deals.map((deal) => ({ workspace_id: workspaceId, ...toRow(deal) })));
    await insertRows(db, 'deal_contacts', deals.flatMap((deal) => contactRows(workspaceId, deal)));
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Deal | undefined> {
    const row = await db.selectFrom('deals').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const contacts = await this.contactsOf(db, [id]);
    return fromRow(row, contacts.get(id) ?? []);
  }

  /** The deal as shown (its contacts, tags and its stage's probability), in one query. */
  async findShown(db: Executor, workspaceId: string, id: string): Promise<(Deal & { tags: TagRef[]; stage_probability: number }) | undefined> {
    const [found] = await this.findShownQuery(db, workspaceId, id);
    return found && shown(found);
  }

  private readonly findShownQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('deals').select(COLUMNS).select(this.shownColumns()).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  /** What a deal is shown with besides its row: its contacts in order, its tags and its stage's probability. */
  private shownColumns() {
    return [
      this.capabilities.dialect === 'postgres'
        ? sql<unknown>`(select coalesce(json_agg(dc.contact_id order by dc.position), '[]'::json) from deal_contacts dc where dc.deal_id = deals.id)`.as('contact_ids')
        : sql<unknown>`(select json_group_array(dc.contact_id order by dc.position) from deal_contacts dc where dc.deal_id = deals.id)`.as('contact_ids'),
      tagsColumn(this.capabilities, 'deal'),
      sql<unknown>`(select stages.probability from stages where stages.id = deals.stage_id and stages.workspace_id = deals.workspace_id)`.as('stage_probability'),
    ];
  }

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'deals', workspaceId, id);
  }

  /** A page of deals as shown, in one query. */
  async list(db: Executor, workspaceId: string, query: ListQuery, scope?: ListScope) {
    const page = await listRows<ShownRow>(db, this.capabilities, dealListSpec, workspaceId, query, [...COLUMNS, ...this.shownColumns()], scope);
    return { ...page, rows: page.rows.map(shown) };
  }

  /** Writes the whole deal if it is still at `previous.version`; false when it moved on. */
  async replace(db: Executor, workspaceId: string, deal: Deal, previous: Deal): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(deal);
    if (!(await replaceRecord(db, 'deals', workspaceId, id, changes, previous.version))) return false;
    if (deal.contact_ids.join() !== previous.contact_ids.join()) await this.writeContacts(db, workspaceId, deal);
    return true;
  }

  async delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('deal_contacts').where('workspace_id', '=', workspaceId).where('deal_id', '=', id).execute();
    await db.deleteFrom('deal_stage_changes').where('workspace_id', '=', workspaceId).where('deal_id', '=', id).execute();
    await deleteRecord(db, 'deals', workspaceId, id);
  }

  async recordStageChange(db: Executor, workspaceId: string, change: StageChange): Promise<void> {
    await this.recordStageChanges(db, workspaceId, [change]);
  }

  async recordStageChanges(db: Executor, workspaceId: string, changes: StageChange[]): Promise<void> {
    await insertRows(db, 'deal_stage_changes', changes.map((change) => ({ workspace_id: workspaceId, ...change })));
  }

  async history(db: Executor, workspaceId: string, dealId: string): Promise<StageChange[]> {
    const rows = await db
      .selectFrom('deal_stage_changes')
      .select(STAGE_CHANGE_COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('deal_id', '=', dealId)
      .orderBy('changed_at')
      .orderBy('id')
      .execute();
    return rows.map(stageChangeFromRow);
  }

  async countWhere(db: Executor, workspaceId: string, column: 'stage_id' | 'pipeline_id', id: string): Promise<number> {
    const row = await db
      .selectFrom('deals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where(column, '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async idsInStage(db: Executor, workspaceId: string, stageId: string): Promise<string[]> {
    const rows = await db.selectFrom('deals').select('id').where('workspace_id', '=', workspaceId).where('stage_id', '=', stageId).execute();
    return rows.map((r) => r.id);
  }

  /** Deals let go of a deleted owner, company or contact. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    if (type === 'user') {
      await clearReference(db, 'deals', 'owner_id', workspaceId, id, at);
      // History keeps the move, without naming a user who no longer exists.
      await db.updateTable('deal_stage_changes').set({ changed_by: null }).where('workspace_id', '=', workspaceId).where('changed_by', '=', id).execute();
    }
    if (type === 'company') await clearReference(db, 'deals', 'company_id', workspaceId, id, at);
    if (type === 'contact') {
      await sql`update deals set updated_at = ${at}, version = version + 1
        where workspace_id = ${workspaceId} and id in (select deal_id from deal_contacts where contact_id = ${id})`.execute(db);
      await db.deleteFrom('deal_contacts').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
    }
  }

  /**
   * Deals of a merged company belong to the survivor; deals of a merged
   * contact name the survivor instead (once: a deal that names both keeps one link).
   */
  async reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
    if (type === 'company') return moveReference(db, 'deals', 'company_id', workspaceId, fromId, toId, at);
    if (type !== 'contact') return [];
    const changed = await sql<{ id: string }>`update deals set updated_at = ${at}, version = version + 1
      where workspace_id = ${workspaceId} and id in (select deal_id from deal_contacts where workspace_id = ${workspaceId} and contact_id = ${fromId}) returning id`.execute(db);
    await sql`delete from deal_contacts where workspace_id = ${workspaceId} and contact_id = ${fromId}
      and deal_id in (select deal_id from deal_contacts where workspace_id = ${workspaceId} and contact_id = ${toId})`.execute(db);
    await db.updateTable('deal_contacts').set({ contact_id: toId }).where('workspace_id', '=', workspaceId).where('contact_id', '=', fromId).execute();
    return changed.rows.map((row) => row.id);
  }

  private async contactsOf(db: Executor, dealIds: string[]): Promise<Map<string, string[]>> {
    const byDeal = new Map<string, string[]>();
    if (dealIds.length === 0) return byDeal;
    const rows = await db.selectFrom('deal_contacts').select(['deal_id', 'contact_id']).where('deal_id', 'in', dealIds).orderBy('deal_id').orderBy('position').execute();
    for (const row of rows) byDeal.set(row.deal_id, [...(byDeal.get(row.deal_id) ?? []), row.contact_id]);
    return byDeal;
  }

  private async writeContacts(db: Executor, workspaceId: string, deal: Deal): Promise<void> {
    await db.deleteFrom('deal_contacts').where('deal_id', '=', deal.id).execute();
    await insertRows(db, 'deal_contacts', contactRows(workspaceId, deal));
  }
}

const contactRows = (workspaceId: string, deal: Deal) => deal.contact_ids.map((contact_id, position) => ({ workspace_id: workspaceId, deal_id: deal.id, contact_id, position }));
