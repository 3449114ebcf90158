import { sql } from 'kysely';
import type { Capabilities } from '../../db/capabilities.js';
import { listRows } from '../../db/list-rows.js';
import type { TagTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import type { Executor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { tagListSpec, type TaggableType } from './tags.list.js';

export type Tag = Omit<TagTable, 'workspace_id' | 'name_key'>;
export interface TagRef {
  id: string;
  name: string;
  color: string | null;
}

const COLUMNS = ['id', 'name', 'color', 'created_at', 'updated_at', 'version'] as const;
const TABLES: Record<TaggableType, 'contacts' | 'companies' | 'leads' | 'deals'> = { contact: 'contacts', company: 'companies', lead: 'leads', deal: 'deals' };

/**
 * A record's tags as a column of the record's own read, a JSON array ordered by
 * name (as `tagsOf` orders them): reading one record is then one query.
 * `table` is the record's table in the outer query.
 */
export function tagsColumn(capabilities: Capabilities, type: TaggableType) {
  const table = TABLES[type];
  const from = sql`from record_tags rt join tags t on t.id = rt.tag_id
    where rt.workspace_id = ${sql.ref(`${table}.workspace_id`)} and rt.record_type = ${sql.lit(type)} and rt.record_id = ${sql.ref(`${table}.id`)}`;
  return capabilities.dialect === 'postgres'
    ? sql<unknown>`(select coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) order by t.name_key), '[]'::json) ${from})`.as('tags')
    : sql<unknown>`(select json_group_array(json_object('id', t.id, 'name', t.name, 'color', t.color) order by t.name_key) ${from})`.as('tags');
}

/** The tags `tagsColumn` read: parsed already on PostgreSQL (json), text on SQLite (most records have none: no parse for those). */
export const tagsFromColumn = (value: unknown): TagRef[] => (value === '[]' ? [] : typeof value === 'string' ? JSON.parse(value) : value) as TagRef[];

/** The record with the tags `tagsColumn` read. Set on the record itself: spreading a whole record into a new object cost more than reading it. */
export function withTags<T extends object>(record: T, column: unknown): T & { tags: TagRef[] } {
  const tagged = record as T & { tags: TagRef[] };
  tagged.tags = tagsFromColumn(column);
  return tagged;
}

export const tagNameKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

export class TagRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, tag: Tag): Promise<void> {
    await db.insertInto('tags').values({ ...tag, workspace_id: workspaceId, name_key: tagNameKey(tag.name) }).execute();
  }

  find(db: Executor, workspaceId: string, id: string): Promise<Tag | undefined> {
    return db.selectFrom('tags').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  async findIdByName(db: Executor, workspaceId: string, name: string): Promise<string | undefined> {
    const row = await db.selectFrom('tags').select('id').where('workspace_id', '=', workspaceId).where('name_key', '=', tagNameKey(name)).executeTakeFirst();
    return row?.id;
  }

  list(db: Executor, workspaceId: string, query: ListQuery) {
    return listRows<Tag>(db, this.capabilities, tagListSpec, workspaceId, query, COLUMNS);
  }

  async update(db: Executor, workspaceId: string, tag: Tag): Promise<void> {
    await db
      .updateTable('tags')
      .set({ name: tag.name, name_key: tagNameKey(tag.name), color: tag.color, updated_at: tag.updated_at, version: tag.version })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', tag.id)
      .execute();
  }

  async delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('record_tags').where('workspace_id', '=', workspaceId).where('tag_id', '=', id).execute();
    await db.deleteFrom('tags').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  /** Which of these ids are tags of the workspace. */
  async existing(db: Executor, workspaceId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db.selectFrom('tags').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  /** The tags of each record, by name. */
  async tagsOf(db: Executor, workspaceId: string, recordType: TaggableType, recordIds: string[]): Promise<Map<string, TagRef[]>> {
    const byRecord = new Map<string, TagRef[]>();
    if (recordIds.length === 0) return byRecord;
    const rows = recordIds.length === 1 ? await this.tagsOfOne(db, workspaceId, recordType, recordIds[0] as string) : await db
      .selectFrom('record_tags as rt')
      .innerJoin('tags as t', 't.id', 'rt.tag_id')
      .select(['rt.record_id', 't.id', 't.name', 't.color'])
      .where('rt.workspace_id', '=', workspaceId)
      .where('rt.record_type', '=', recordType)
      .where('rt.record_id', 'in', recordIds)
      .orderBy('t.name_key')
      .execute();
    for (const row of rows) {
      const list = byRecord.get(row.record_id) ?? [];
      list.push({ id: row.id, name: row.name, color: row.color });
      byRecord.set(row.record_id, list);
    }
    return byRecord;
  }

  private readonly tagsOfOne = prepared((db: Executor, workspaceId: string, recordType: string, recordId: string) =>
    db
      .selectFrom('record_tags as rt')
      .innerJoin('tags as t', 't.id', 'rt.tag_id')
      .select(['rt.record_id', 't.id', 't.name', 't.color'])
      .where('rt.workspace_id', '=', workspaceId)
      .where('rt.record_type', '=', recordType)
      .where('rt.record_id', '=', recordId)
      .orderBy('t.name_key'),
  );

  async setTags(db: Executor, workspaceId: string, recordType: TaggableType, recordId: string, tagIds: string[]): Promise<void> {
    await db.deleteFrom('record_tags').where('record_type', '=', recordType).where('record_id', '=', recordId).execute();
    if (tagIds.length > 0) {
      await db
        .insertInto('record_tags')
        .values(tagIds.map((tag_id) => ({ workspace_id: workspaceId, tag_id, record_type: recordType, record_id: recordId })))
        .execute();
    }
  }

  async removeRecord(db: Executor, recordType: TaggableType, recordId: string): Promise<void> {
    await db.deleteFrom('record_tags').where('record_type', '=', recordType).where('record_id', '=', recordId).execute();
  }

  /** Records that show this tag change when it is renamed or deleted: new version and updated_at, for syncing clients. */
  async touchTagged(db: Executor, workspaceId: string, tagId: string, at: number): Promise<void> {
    for (const [type, table] of Object.entries(TABLES)) {
      await sql`update ${sql.table(table)} set updated_at = ${at}, version = version + 1
        where workspace_id = ${workspaceId}
          and id in (select record_id from record_tags where workspace_id = ${workspaceId} and tag_id = ${tagId} and record_type = ${type})`.execute(db);
    }
  }
}
