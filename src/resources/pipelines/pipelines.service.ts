/**
 * Pipelines and stages. A pipeline's stages are ordered 0..n-1; the pipeline's
 * version moves with any change to its stages, since it presents them.
 */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { DomainError, invalidFields, notFound } from '../../domain/errors.js';
import { checkIfMatch } from '../../domain/versioning.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { PipelineRepository, Pipeline, Stage } from './pipelines.repository.js';
import type { EventLog } from '../../events/event-log.js';
import { presentPipeline } from './pipelines.presenter.js';
import { DEFAULT_STAGES, type PipelineCreate, type PipelineUpdate, type StageCreate, type StageType, type StageUpdate } from './pipelines.schema.js';

/** What the deals module tells and does for pipelines: which stages hold deals, and moving them. */
export interface StageOccupancy {
  countInStage(db: Executor, workspaceId: string, stageId: string): Promise<number>;
  countInPipeline(db: Executor, workspaceId: string, pipelineId: string): Promise<number>;
  /** Moves every deal of `from` to `to`, recording each move in the deals' history. */
  moveAll(db: Executor, actor: Actor, from: Stage, to: Stage, at: number): Promise<void>;
  /** A stage's type or probability changed: its deals' status (and closed_at) follow, and their versions move on. */
  stageChanged(db: Executor, actor: Actor, before: Stage, stage: Stage, at: number): Promise<void>;
}

export class PipelineService {
  private occupancy: StageOccupancy | undefined;

  constructor(
    private readonly tx: Transactor,
    private readonly pipelines: PipelineRepository,
    private readonly events: EventLog,
  ) {}

  /** Set once at wiring: the deals module depends on pipelines, and answers for its deals here. */
  attachOccupancy(occupancy: StageOccupancy): void {
    this.occupancy = occupancy;
  }

  async get(actor: Actor, id: string): Promise<Pipeline> {
    requireAccess(actor, 'pipelines', 'read');
    const pipeline = await this.pipelines.find(this.tx.db, actor.workspaceId, id);
    if (!pipeline) throw notFound('pipeline');
    return pipeline;
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'pipelines', 'read');
    return this.pipelines.list(this.tx.db, actor.workspaceId, query);
  }

  async getStage(actor: Actor, id: string): Promise<Stage> {
    requireAccess(actor, 'pipelines', 'read');
    const stage = await this.pipelines.findStage(this.tx.db, actor.workspaceId, id);
    if (!stage) throw notFound('stage');
    return stage;
  }

  async create(actor: Actor, input: PipelineCreate): Promise<Pipeline> {
    requireAccess(actor, 'pipelines', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      if (input.is_default) await this.clearDefault(db, actor, at);
      const pipeline = await this.insert(db, actor.workspaceId, input.name.trim(), input.is_default ?? false, input.stages ?? DEFAULT_STAGES, at);
      await this.events.record(db, actor, actor.workspaceId, at, 'pipeline.created', presentPipeline(pipeline));
      return pipeline;
    });
  }

  /** Every new workspace starts with the "Sales" pipeline. */
  async createDefault(db: Executor, workspaceId: string, at: number): Promise<Pipeline> {
    return this.insert(db, workspaceId, 'Sales', true, DEFAULT_STAGES, at);
  }

  async update(actor: Actor, id: string, input: PipelineUpdate, ifMatch?: number): Promise<Pipeline> {
    requireAccess(actor, 'pipelines', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const pipeline = await this.load(db, actor.workspaceId, id, ifMatch);
      if (input.is_default && !pipeline.is_default) await this.clearDefault(db, actor, at);
      const changes = { ...(input.name !== undefined && { name: input.name.trim() }), ...(input.is_default && { is_default: 1 }) };
      await this.pipelines.updatePipeline(db, actor.workspaceId, id, changes, at);
      return this.recordUpdate(db, actor, pipeline, at);
    });
  }

  /** Only an empty pipeline can go, and never the default one. */
  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'pipelines', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const pipeline = await this.load(db, actor.workspaceId, id, ifMatch);
      if (pipeline.is_default) throw new DomainError('unprocessable', 'The default pipeline cannot be deleted; make another pipeline the default first.');
      const deals = await this.requireOccupancy().countInPipeline(db, actor.workspaceId, id);
      if (deals > 0) throw new DomainError('unprocessable', `The pipeline still holds ${deals} deal(s); move or delete them first.`, { deal_count: deals });
      await this.pipelines.deletePipeline(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'pipeline.deleted', presentPipeline(pipeline));
    });
  }

  async createStage(actor: Actor, pipelineId: string, input: StageCreate): Promise<Stage> {
    requireAccess(actor, 'pipelines', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const pipeline = await this.load(db, actor.workspaceId, pipelineId);
      const position = Math.min(input.position ?? pipeline.stages.length, pipeline.stages.length);
      const stage: Stage = {
        id: newId('stage'),
        pipeline_id: pipelineId,
        name: input.name.trim(),
        position,
        probability: input.probability,
        type: input.type ?? 'open',
        created_at: at,
        updated_at: at,
        version: 1,
      };
      const shifted = pipeline.stages.map((s) => (s.position >= position ? { ...s, position: s.position + 1, version: s.version + 1 } : s));
      await this.pipelines.saveStages(db, actor.workspaceId, pipeline.stages, shifted, at);
      await this.pipelines.insertStages(db, actor.workspaceId, [stage]);
      await this.touch(db, actor, pipeline, at);
      return stage;
    });
  }

  async updateStage(actor: Actor, id: string, input: StageUpdate, ifMatch?: number): Promise<Stage> {
    requireAccess(actor, 'pipelines', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const stage = await this.pipelines.findStage(db, actor.workspaceId, id);
      if (!stage) throw notFound('stage');
      checkIfMatch(stage.version, ifMatch);
      const next: Stage = {
        ...stage,
        name: input.name?.trim() ?? stage.name,
        probability: input.probability ?? stage.probability,
        type: (input.type ?? stage.type) as StageType,
        updated_at: at,
        version: stage.version + 1,
      };
      if (next.type !== stage.type) requireAccess(actor, 'deals', 'write');
      const pipeline = await this.load(db, actor.workspaceId, stage.pipeline_id);
      await this.pipelines.saveStages(db, actor.workspaceId, [stage], [next], at);
      if (next.type !== stage.type || next.probability !== stage.probability) await this.requireOccupancy().stageChanged(db, actor, stage, next, at);
      await this.touch(db, actor, pipeline, at);
      return next;
    });
  }

  /** A stage that holds deals goes only with `move_deals_to`, a stage of the same pipeline (and deals:write). */
  async deleteStage(actor: Actor, id: string, moveDealsTo: string | undefined, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'pipelines', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const stage = await this.pipelines.findStage(db, actor.workspaceId, id);
      if (!stage) throw notFound('stage');
      checkIfMatch(stage.version, ifMatch);
      const pipeline = await this.load(db, actor.workspaceId, stage.pipeline_id);
      if (pipeline.stages.length === 1) throw new DomainError('unprocessable', 'A pipeline keeps at least one stage.');
      const deals = await this.requireOccupancy().countInStage(db, actor.workspaceId, id);
      if (deals > 0) {
        requireAccess(actor, 'deals', 'write');
        if (moveDealsTo === undefined) {
          throw new DomainError('unprocessable', `The stage holds ${deals} deal(s); say where they go with move_deals_to.`, {
            move_deals_to: ['Required: the stage holds deals.'],
            deal_count: deals,
          });
        }
        const target = pipeline.stages.find((s) => s.id === moveDealsTo && s.id !== id);
        if (!target) throw new DomainError('unprocessable', 'move_deals_to must be another stage of the same pipeline.', { move_deals_to: ['Not another stage of this pipeline.'] });
        await this.requireOccupancy().moveAll(db, actor, stage, target, at);
      }
      await this.pipelines.deleteStage(db, actor.workspaceId, id);
      const remaining = pipeline.stages.filter((s) => s.id !== id);
      await this.pipelines.saveStages(db, actor.workspaceId, remaining, renumber(remaining), at);
      await this.touch(db, actor, pipeline, at);
    });
  }

  async reorder(actor: Actor, pipelineId: string, stageIds: string[]): Promise<Pipeline> {
    requireAccess(actor, 'pipelines', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const pipeline = await this.load(db, actor.workspaceId, pipelineId);
      const known = new Set(pipeline.stages.map((s) => s.id));
      if (stageIds.length !== known.size || new Set(stageIds).size !== stageIds.length || !stageIds.every((id) => known.has(id))) {
        throw invalidFields({ stage_ids: 'Name every stage of the pipeline exactly once, in the new order.' });
      }
      const ordered = stageIds.map((id) => pipeline.stages.find((s) => s.id === id) as Stage);
      await this.pipelines.saveStages(db, actor.workspaceId, pipeline.stages, renumber(ordered), at);
      return this.touch(db, actor, pipeline, at);
    });
  }

  private async insert(db: Executor, workspaceId: string, name: string, isDefault: boolean, stages: readonly { name: string; probability: number; type?: StageType }[], at: number): Promise<Pipeline> {
    const id = newId('pipeline');
    await this.pipelines.insertPipeline(db, workspaceId, { id, name, is_default: isDefault ? 1 : 0, created_at: at, updated_at: at, version: 1 });
    const rows: Stage[] = stages.map((s, position) => ({
      id: newId('stage'),
      pipeline_id: id,
      name: s.name.trim(),
      position,
      probability: s.probability,
      type: s.type ?? 'open',
      created_at: at,
      updated_at: at,
      version: 1,
    }));
    await this.pipelines.insertStages(db, workspaceId, rows);
    return { id, name, is_default: isDefault, stages: rows, created_at: at, updated_at: at, version: 1 };
  }

  private async load(db: Executor, workspaceId: string, id: string, ifMatch?: number): Promise<Pipeline> {
    const pipeline = await this.pipelines.find(db, workspaceId, id);
    if (!pipeline) throw notFound('pipeline');
    checkIfMatch(pipeline.version, ifMatch);
    return pipeline;
  }

  /** A pipeline presents its stages, so a change to a stage is a change to the pipeline: its version moves on. */
  private async touch(db: Executor, actor: Actor, before: Pipeline, at: number): Promise<Pipeline> {
    await this.pipelines.updatePipeline(db, actor.workspaceId, before.id, {}, at);
    return this.recordUpdate(db, actor, before, at);
  }

  private async recordUpdate(db: Executor, actor: Actor, before: Pipeline, at: number): Promise<Pipeline> {
    const after = (await this.pipelines.find(db, actor.workspaceId, before.id)) as Pipeline;
    await this.events.record(db, actor, actor.workspaceId, at, 'pipeline.updated', presentPipeline(after), { before: presentPipeline(before) });
    return after;
  }

  /** Another pipeline becomes the default: the old default changes too. */
  private async clearDefault(db: Executor, actor: Actor, at: number): Promise<void> {
    const previous = await this.pipelines.findDefault(db, actor.workspaceId);
    await this.pipelines.clearDefault(db, actor.workspaceId, at);
    if (previous) await this.recordUpdate(db, actor, previous, at);
  }

  private requireOccupancy(): StageOccupancy {
    if (!this.occupancy) throw new Error('PipelineService used before the deals module was attached');
    return this.occupancy;
  }
}

/** Positions 0..n-1 in the given order; a stage whose position changes gets a new version. */
function renumber(stages: Stage[]): Stage[] {
  return stages.map((s, position) => (s.position === position ? s : { ...s, position, version: s.version + 1 }));
}
