/** Tags on records (contacts, companies, leads, deals): checking, writing and reading them, for every taggable resource alike. */
import { unknownReference, type DomainError } from '../../domain/errors.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { TaggableType } from './tags.list.js';
import type { TagRef, TagRepository } from './tags.repository.js';

export class Tagging {
  constructor(
    private readonly tx: Transactor,
    private readonly tags: TagRepository,
  ) {}

  /** Refuses tag ids that are not tags of the workspace (422 on `tag_ids`). */
  async check(db: Executor, workspaceId: string, tagIds: string[] | undefined): Promise<void> {
    const [error] = await this.checkEach(db, workspaceId, [tagIds]);
    if (error) throw error;
  }

  /** `check` for the tag lists of many records in one query: each list's error, if it names a tag the workspace lacks. */
  async checkEach(db: Executor, workspaceId: string, tagIdLists: (string[] | undefined)[]): Promise<(DomainError | undefined)[]> {
    const named = [...new Set(tagIdLists.flatMap((ids) => ids ?? []))];
    if (named.length === 0) return tagIdLists.map(() => undefined);
    const found = await this.tags.existing(db, workspaceId, named);
    return tagIdLists.map((ids) => (ids === undefined || ids.every((id) => found.has(id)) ? undefined : unknownReference('tag_ids', 'tag')));
  }

  /** Whether writing `tagIds` would change a record that carries `current`. */
  changes(current: readonly TagRef[], tagIds: string[] | undefined): boolean {
    if (tagIds === undefined) return false;
    return current.map((t) => t.id).sort().join() !== [...new Set(tagIds)].sort().join();
  }

  /** Replaces the record's tags when `tagIds` is given. */
  async write(db: Executor, workspaceId: string, type: TaggableType, recordId: string, tagIds: string[] | undefined): Promise<void> {
    if (tagIds !== undefined) await this.tags.setTags(db, workspaceId, type, recordId, [...new Set(tagIds)]);
  }

  remove(db: Executor, type: TaggableType, recordId: string): Promise<void> {
    return this.tags.removeRecord(db, type, recordId);
  }

  /** Adds `tags` to each record, in one query. */
  async attach<T extends { id: string }>(workspaceId: string, type: TaggableType, records: T[], db: Executor = this.tx.db): Promise<(T & { tags: TagRef[] })[]> {
    const byRecord = await this.tags.tagsOf(db, workspaceId, type, records.map((r) => r.id));
    return records.map((record) => ({ ...record, tags: byRecord.get(record.id) ?? [] }));
  }

  /** A record just created: with no tag_ids it has no tags, and no query is needed to say so. */
  async attachCreated<T extends { id: string }>(workspaceId: string, type: TaggableType, record: T, tagIds: string[] | undefined, db: Executor = this.tx.db): Promise<T & { tags: TagRef[] }> {
    if (tagIds === undefined || tagIds.length === 0) return { ...record, tags: [] };
    return this.attachOne(workspaceId, type, record, db);
  }

  async attachOne<T extends { id: string }>(workspaceId: string, type: TaggableType, record: T, db: Executor = this.tx.db): Promise<T & { tags: TagRef[] }> {
    const [tagged] = await this.attach(workspaceId, type, [record], db);
    return tagged as T & { tags: TagRef[] };
  }
}
