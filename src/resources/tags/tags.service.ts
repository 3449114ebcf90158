/** Tags: names unique in the workspace regardless of case. */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { duplicate, notFound } from '../../domain/errors.js';
import { checkIfMatch } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { Tag, TagRepository } from './tags.repository.js';
import type { TagCreate, TagUpdate } from './tags.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentTag } from './tags.presenter.js';

export class TagService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly tags: TagRepository,
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<Tag> {
    requireAccess(actor, 'tags', 'read');
    const tag = await this.tags.find(this.tx.db, actor.workspaceId, id);
    if (!tag) throw notFound('tag');
    return tag;
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'tags', 'read');
    return this.tags.list(this.tx.db, actor.workspaceId, query);
  }

  create(actor: Actor, input: TagCreate): Promise<Tag> {
    requireAccess(actor, 'tags', 'write');
    const name = input.name.trim().replace(/\s+/g, ' ');
    return this.unique(actor, name, async (db, at) => {
      await this.refuseTakenName(db, actor.workspaceId, name, undefined);
      const tag: Tag = { id: newId('tag'), name, color: input.color ?? null, created_at: at, updated_at: at, version: 1 };
      await this.tags.insert(db, actor.workspaceId, tag);
      await this.events.record(db, actor, actor.workspaceId, at, 'tag.created', presentTag(tag));
      return tag;
    });
  }

  update(actor: Actor, id: string, input: TagUpdate, ifMatch?: number): Promise<Tag> {
    requireAccess(actor, 'tags', 'write');
    const name = input.name?.trim().replace(/\s+/g, ' ');
    return this.unique(actor, name ?? '', async (db, at) => {
      const current = await this.tags.find(db, actor.workspaceId, id);
      if (!current) throw notFound('tag');
      checkIfMatch(current.version, ifMatch);
      if (name !== undefined) await this.refuseTakenName(db, actor.workspaceId, name, id);
      const tag: Tag = { ...current, name: name ?? current.name, color: input.color === undefined ? current.color : input.color, updated_at: at, version: current.version + 1 };
      await this.tags.update(db, actor.workspaceId, tag);
      // Tagged records show the tag's name and colour.
      if (tag.name !== current.name || tag.color !== current.color) await this.tags.touchTagged(db, actor.workspaceId, id, at);
      await this.events.record(db, actor, actor.workspaceId, at, 'tag.updated', presentTag(tag), { before: presentTag(current) });
      await this.events.recordKnockOn(db, actor, at, { type: 'tag.updated', id });
      return tag;
    });
  }

  /** Deletes the tag and takes it off every record (their versions move on). */
  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'tags', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.tags.find(db, actor.workspaceId, id);
      if (!current) throw notFound('tag');
      checkIfMatch(current.version, ifMatch);
      await this.tags.touchTagged(db, actor.workspaceId, id, at);
      await this.tags.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'tag.deleted', presentTag(current));
      await this.events.recordKnockOn(db, actor, at, { type: 'tag.deleted', id });
    });
  }

  private async refuseTakenName(db: Executor, workspaceId: string, name: string, selfId: string | undefined): Promise<void> {
    const existing = await this.tags.findIdByName(db, workspaceId, name);
    if (existing !== undefined && existing !== selfId) throw duplicate('tag', 'name', existing);
  }

  private unique(actor: Actor, name: string, work: (db: Executor, at: number) => Promise<Tag>): Promise<Tag> {
    return refuseDuplicates(this.capabilities, () => this.tx.writeIn(actor.workspaceId, work), async () =>
      duplicate('tag', 'name', (await this.tags.findIdByName(this.tx.db, actor.workspaceId, name)) ?? 'unknown'),
    );
  }
}
