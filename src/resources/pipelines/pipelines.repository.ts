import type { Capabilities } from '../../db/capabilities.js';
import { listRows } from '../../db/list-rows.js';
import type { PipelineTable, StageTable } from '../../db/schema.js';
import type { Executor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { pipelineListSpec } from './pipelines.list.js';

export type PipelineRow = Omit<PipelineTable, 'workspace_id'>;
export type Stage = Omit<StageTable, 'workspace_id'> & { type: 'open' | 'won' | 'lost' };
export interface Pipeline extends Omit<PipelineRow, 'is_default'> {
  is_default: boolean;
  stages: Stage[];
}

const PIPELINE_COLUMNS = ['id', 'name', 'is_default', 'created_at', 'updated_at', 'version'] as const;
const STAGE_COLUMNS = ['id', 'pipeline_id', 'name', 'position', 'probability', 'type', 'created_at', 'updated_at', 'version'] as const;

export class PipelineRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insertPipeline(db: Executor, workspaceId: string, pipeline: PipelineRow): Promise<void> {
    await db.insertInto('pipelines').values({ ...pipeline, workspace_id: workspaceId }).execute();
  }

  async insertStages(db: Executor, workspaceId: string, stages: Stage[]): Promise<void> {
    if (stages.length > 0) await db.insertInto('stages').values(stages.map((s) => ({ ...s, workspace_id: workspaceId }))).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Pipeline | undefined> {
    const row = await db.selectFrom('pipelines').select(PIPELINE_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { ...row, is_default: row.is_default === 1, stages: await this.stagesOf(db, workspaceId, [row.id]) };
  }

  async findDefault(db: Executor, workspaceId: string): Promise<Pipeline | undefined> {
    const row = await db.selectFrom('pipelines').select('id').where('workspace_id', '=', workspaceId).where('is_default', '=', 1).executeTakeFirst();
    return row && this.find(db, workspaceId, row.id);
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<PipelineRow>(db, this.capabilities, pipelineListSpec, workspaceId, query, PIPELINE_COLUMNS);
    const stages = await this.stagesOf(db, workspaceId, page.rows.map((p) => p.id));
    return { ...page, rows: page.rows.map((p) => ({ ...p, is_default: p.is_default === 1, stages: stages.filter((s) => s.pipeline_id === p.id) })) };
  }

  async stagesOf(db: Executor, workspaceId: string, pipelineIds: string[]): Promise<Stage[]> {
    if (pipelineIds.length === 0) return [];
    const rows = await db
      .selectFrom('stages')
      .select(STAGE_COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('pipeline_id', 'in', pipelineIds)
      .orderBy('pipeline_id')
      .orderBy('position')
      .execute();
    return rows as Stage[];
  }

  async stagesByIds(db: Executor, workspaceId: string, ids: string[]): Promise<Map<string, Stage>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await db.selectFrom('stages').select(STAGE_COLUMNS).where('workspace_id', '=', workspaceId).where('id', 'in', unique).execute();
    return new Map((rows as Stage[]).map((stage) => [stage.id, stage]));
  }

  /** Every pipeline of the workspace with its stages in order, in one query (deals are placed with it, a batch at a time). */
  async allWithStages(db: Executor, workspaceId: string): Promise<{ id: string; is_default: boolean; stages: Stage[] }[]> {
    const rows = await db
      .selectFrom('pipelines')
      .leftJoin('stages', (join) => join.onRef('stages.pipeline_id', '=', 'pipelines.id').onRef('stages.workspace_id', '=', 'pipelines.workspace_id'))
      .select(['pipelines.id as pipeline', 'pipelines.is_default', ...STAGE_COLUMNS.map((c) => `stages.${c}` as const)])
      .where('pipelines.workspace_id', '=', workspaceId)
      .orderBy('pipelines.id')
      .orderBy('stages.position')
      .execute();
    const pipelines = new Map<string, { id: string; is_default: boolean; stages: Stage[] }>();
    for (const { pipeline, is_default, ...stage } of rows) {
      const found = pipelines.get(pipeline) ?? { id: pipeline, is_default: Number(is_default) === 1, stages: [] };
      pipelines.set(pipeline, found);
      // A pipeline without stages comes back once, with the stage columns null.
      if (stage.id !== null) found.stages.push(stage as Stage);
    }
    return [...pipelines.values()];
  }

  async findStage(db: Executor, workspaceId: string, id: string): Promise<Stage | undefined> {
    const row = await db.selectFrom('stages').select(STAGE_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row as Stage | undefined;
  }

  async updatePipeline(db: Executor, workspaceId: string, id: string, changes: Partial<Pick<PipelineRow, 'name' | 'is_default'>>, at: number): Promise<void> {
    await db
      .updateTable('pipelines')
      .set((eb) => ({ ...changes, updated_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async clearDefault(db: Executor, workspaceId: string, at: number): Promise<void> {
    await db
      .updateTable('pipelines')
      .set((eb) => ({ is_default: 0, updated_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('is_default', '=', 1)
      .execute();
  }

  /** Writes each stage's name, probability, type and position, bumping the version of those that changed. */
  async saveStages(db: Executor, workspaceId: string, before: Stage[], after: Stage[], at: number): Promise<void> {
    for (const stage of after) {
      const old = before.find((s) => s.id === stage.id);
      if (old && old.name === stage.name && old.probability === stage.probability && old.type === stage.type && old.position === stage.position) continue;
      await db
        .updateTable('stages')
        .set({ name: stage.name, probability: stage.probability, type: stage.type, position: stage.position, updated_at: at, version: stage.version })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', stage.id)
        .execute();
    }
  }

  async deleteStage(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('stages').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async deletePipeline(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('stages').where('workspace_id', '=', workspaceId).where('pipeline_id', '=', id).execute();
    await db.deleteFrom('pipelines').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }
}
