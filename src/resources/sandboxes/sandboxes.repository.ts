/** What a new sandbox copies from its workspace: users, tags, pipelines and stages, with new ids. */
import type { Executor } from '../../db/transactor.js';
import { newId } from '../../platform/ids.js';

export class SandboxRepository {
  /** Copies the set-up; returns the sandbox's id for each copied user, by the original's id. */
  async copySetup(db: Executor, parentId: string, sandboxId: string, at: number): Promise<Map<string, string>> {
    const users = await db.selectFrom('users').select(['id', 'email', 'name', 'role']).where('workspace_id', '=', parentId).execute();
    const userIds = new Map(users.map((u) => [u.id, newId('user')]));
    if (users.length > 0) {
      await db
        .insertInto('users')
        .values(users.map((u) => ({ ...u, id: userIds.get(u.id) as string, workspace_id: sandboxId, created_at: at, updated_at: at, version: 1 })))
        .execute();
    }

    const tags = await db.selectFrom('tags').select(['name', 'name_key', 'color']).where('workspace_id', '=', parentId).execute();
    if (tags.length > 0) {
      await db
        .insertInto('tags')
        .values(tags.map((t) => ({ ...t, id: newId('tag'), workspace_id: sandboxId, created_at: at, updated_at: at, version: 1 })))
        .execute();
    }

    const pipelines = await db.selectFrom('pipelines').select(['id', 'name', 'is_default']).where('workspace_id', '=', parentId).orderBy('created_at').execute();
    const pipelineIds = new Map(pipelines.map((p) => [p.id, newId('pipeline')]));
    if (pipelines.length > 0) {
      await db
        .insertInto('pipelines')
        .values(pipelines.map((p) => ({ ...p, id: pipelineIds.get(p.id) as string, workspace_id: sandboxId, created_at: at, updated_at: at, version: 1 })))
        .execute();
      const stages = await db.selectFrom('stages').select(['pipeline_id', 'name', 'position', 'probability', 'type']).where('workspace_id', '=', parentId).execute();
      if (stages.length > 0) {
        await db
          .insertInto('stages')
          .values(stages.map((s) => ({ ...s, id: newId('stage'), pipeline_id: pipelineIds.get(s.pipeline_id) as string, workspace_id: sandboxId, created_at: at, updated_at: at, version: 1 })))
          .execute();
      }
    }
    return userIds;
  }
}
