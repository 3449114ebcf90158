/**
 * Deals: placement in a pipeline, moves with their history, references,
 * tags. Moving to the stage a deal is already in changes nothing, so an
 * external trigger (a signed contract, a payment) can safely repeat its call.
 */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { DomainError, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, mergeCustomFields } from '../../domain/normalize.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import { existingIds } from '../../db/records.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { PipelineRepository, Stage } from '../pipelines/pipelines.repository.js';
import type { StageOccupancy } from '../pipelines/pipelines.service.js';
import { createRecords, writeTags } from '../shared/create-batch.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import type { Deal, DealRepository, StageChange } from './deals.repository.js';
import type { DealCreate, DealUpdate } from './deals.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentDeal } from './deals.presenter.js';

/** A deal as shown: with its tags and its stage's probability. */
export type DealView = Deal & { tags: TagRef[]; stage_probability: number };

export class DealService implements StageOccupancy {
  constructor(
    private readonly tx: Transactor,
    private readonly deals: DealRepository,
    private readonly pipelines: PipelineRepository,
    private readonly tagging: Tagging,
    private readonly referrers: readonly Referrer[],
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<DealView> {
    requireAccess(actor, 'deals', 'read');
    const deal = await this.deals.findShown(this.tx.db, actor.workspaceId, id);
    if (!deal) throw notFound('deal');
    return deal;
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'deals', 'read');
    return this.deals.list(this.tx.db, actor.workspaceId, query);
  }

  async create(actor: Actor, input: DealCreate): Promise<DealView> {
    requireAccess(actor, 'deals', 'write');
    return this.tx.writeIn(actor.workspaceId, (db, at) => this.createIn(db, actor, input, at));
  }

  /** Creates a deal inside an open transaction (also used by lead conversion). */
  async createIn(db: Executor, actor: Actor, input: DealCreate, at: number): Promise<DealView> {
    const [created] = await this.createManyIn(db, actor, [input], at);
    if (created instanceof DomainError) throw created;
    return created as DealView;
  }

  /**
   * Creates deals inside an open transaction (an import's batch goes this
   * way, and a single create is a list of one): every input is judged by the
   * same rules, with one query per rule for the whole list (the pipelines and
   * stages are read once). A refused input comes back as its error and writes
   * nothing; the others are written with multi-row statements, each with the
   * first row of its stage history and its deal.created event.
   */
  async createManyIn(db: Executor, actor: Actor, inputs: DealCreate[], at: number): Promise<(DealView | DomainError)[]> {
    if (inputs.length === 0) return [];
    const { workspaceId } = actor;
    const pipelines = await this.pipelinesOf(db, workspaceId);
    return createRecords<DealCreate, Deal, DealView>(
      db,
      actor,
      at,
      inputs,
      {
        event: 'deal.created',
        draft: (input) => {
          const stage = placement(pipelines, input.pipeline_id, input.stage_id, undefined);
          const draft = this.apply(blankDeal(stage, at), input);
          return {
            ...draft,
            id: newId('deal'),
            status: stage.type,
            closed_at: stage.type === 'open' ? null : at,
            lost_reason: stage.type === 'lost' ? draft.lost_reason : null,
          };
        },
        checks: [(records, standing) => this.referenceErrors(db, workspaceId, records, standing.map((input) => input.tag_ids))],
        insert: async (records) => {
          await this.deals.insertMany(db, workspaceId, records);
          // The stage a deal starts in is the first entry of its history.
          await this.deals.recordStageChanges(
            db,
            workspaceId,
            records.map((deal) => ({ id: newId('stageChange'), deal_id: deal.id, from_stage_id: null, to_stage_id: deal.stage_id, changed_at: at, changed_by: actor.userId, ms_in_previous_stage: null })),
          );
        },
        written: async (created) =>
          (await writeTags(db, workspaceId, 'deal', created, this.tagging)).map((deal) => ({ ...deal, stage_probability: pipelines.stages.get(deal.stage_id)?.probability ?? 0 })),
        present: presentDeal,
      },
      this.events,
    );
  }

  async update(actor: Actor, id: string, input: DealUpdate, ifMatch?: number): Promise<DealView> {
    requireAccess(actor, 'deals', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id, ifMatch);
      const before = await this.view(actor.workspaceId, current, db);
      const stage = placement(await this.pipelinesOf(db, actor.workspaceId), input.pipeline_id, input.stage_id, current);
      let next = this.apply(current, input);
      await this.checkReferences(db, actor.workspaceId, next, input.tag_ids);
      next = await this.moved(db, actor, next, stage, at, input.lost_reason ?? undefined);
      if (next.status !== 'lost') next = { ...next, lost_reason: null };
      if (unchanged(current, next) && !this.tagging.changes(before.tags, input.tag_ids)) return before;
      next = { ...next, updated_at: at, version: current.version + 1 };
      if (!(await this.deals.replace(db, actor.workspaceId, next, current))) throw concurrentChange();
      await this.tagging.write(db, actor.workspaceId, 'deal', id, input.tag_ids);
      return this.recordChange(db, actor, actor.workspaceId, at, before, next);
    });
  }

  /**
   * Moves the deal to a stage of its pipeline; moving it to its current stage changes nothing.
   * `ifMatch` is checked first, so a stale move is refused even when it would change nothing.
   */
  async move(actor: Actor, id: string, stageId: string, lostReason?: string, ifMatch?: number): Promise<DealView> {
    requireAccess(actor, 'deals', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id, ifMatch);
      const before = await this.view(actor.workspaceId, current, db);
      if (current.stage_id === stageId) return before;
      const stage = placement(await this.pipelinesOf(db, actor.workspaceId), undefined, stageId, current);
      const next = { ...(await this.moved(db, actor, current, stage, at, lostReason)), updated_at: at, version: current.version + 1 };
      if (!(await this.deals.replace(db, actor.workspaceId, next, current))) throw concurrentChange();
      return this.recordChange(db, actor, actor.workspaceId, at, before, next);
    });
  }

  async history(actor: Actor, id: string): Promise<StageChange[]> {
    requireAccess(actor, 'deals', 'read');
    if (!(await this.deals.exists(this.tx.db, actor.workspaceId, id))) throw notFound('deal');
    return this.deals.history(this.tx.db, actor.workspaceId, id);
  }

  /** Deletes the deal with its history; activities, tasks and leads that pointed at it are unlinked. */
  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'deals', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const before = await this.view(actor.workspaceId, await this.load(db, actor.workspaceId, id, ifMatch), db);
      await releaseAll(this.referrers, db, actor.workspaceId, 'deal', id, at);
      await this.tagging.remove(db, 'deal', id);
      await this.deals.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'deal.deleted', presentDeal(before));
      await this.events.recordKnockOn(db, actor, at, { type: 'deal.deleted', id });
    });
  }

  // StageOccupancy: what pipelines need to know of deals.

  countInStage(db: Executor, workspaceId: string, stageId: string): Promise<number> {
    return this.deals.countWhere(db, workspaceId, 'stage_id', stageId);
  }

  countInPipeline(db: Executor, workspaceId: string, pipelineId: string): Promise<number> {
    return this.deals.countWhere(db, workspaceId, 'pipeline_id', pipelineId);
  }

  async moveAll(db: Executor, actor: Actor, from: Stage, to: Stage, at: number): Promise<void> {
    for (const id of await this.deals.idsInStage(db, actor.workspaceId, from.id)) {
      const current = await this.load(db, actor.workspaceId, id);
      const before = await this.view(actor.workspaceId, current, db);
      const next = { ...(await this.moved(db, actor, current, to, at, undefined)), updated_at: at, version: current.version + 1 };
      if (!(await this.deals.replace(db, actor.workspaceId, next, current))) throw concurrentChange();
      await this.recordChange(db, actor, actor.workspaceId, at, before, next);
    }
  }

  async stageChanged(db: Executor, actor: Actor, before: Stage, stage: Stage, at: number): Promise<void> {
    const { workspaceId } = actor;
    for (const id of await this.deals.idsInStage(db, workspaceId, stage.id)) {
      const current = await this.load(db, workspaceId, id);
      // The deal shows its stage's probability as it was until now.
      const previous = { ...(await this.view(workspaceId, current, db)), stage_probability: before.probability };
      // Status follows the stage's type; the version moves on either way, since a deal shows its stage's probability.
      const next: Deal = { ...current, ...(current.status !== stage.type && closing(current, stage, at, undefined)), updated_at: at, version: current.version + 1 };
      if (!(await this.deals.replace(db, workspaceId, next, current))) throw concurrentChange();
      await this.recordChange(db, actor, workspaceId, at, previous, next);
    }
  }

  /**
   * The events of a deal's change (its creation's are createManyIn's): stage_changed
   * when it moved, else updated; and won or lost when it closed so.
   */
  private async recordChange(db: Executor, actor: Actor, workspaceId: string, at: number, before: DealView, deal: Deal): Promise<DealView> {
    const after = await this.view(workspaceId, deal, db);
    const object = presentDeal(after);
    const previous = presentDeal(before);
    await this.events.record(db, actor, workspaceId, at, before.stage_id !== after.stage_id ? 'deal.stage_changed' : 'deal.updated', object, { before: previous });
    if (after.status !== before.status && (after.status === 'won' || after.status === 'lost')) {
      await this.events.record(db, actor, workspaceId, at, after.status === 'won' ? 'deal.won' : 'deal.lost', object, { before: previous });
    }
    return after;
  }

  /** The deal after entering `stage` (a history row is written); unchanged when already there. */
  private async moved(db: Executor, actor: Actor, deal: Deal, stage: Stage, at: number, lostReason: string | undefined): Promise<Deal> {
    if (stage.id === deal.stage_id) return lostReason !== undefined && deal.status === 'lost' ? { ...deal, lost_reason: lostReason } : deal;
    await this.deals.recordStageChange(db, actor.workspaceId, {
      id: newId('stageChange'),
      deal_id: deal.id,
      from_stage_id: deal.stage_id,
      to_stage_id: stage.id,
      changed_at: at,
      changed_by: actor.userId,
      ms_in_previous_stage: at - deal.stage_entered_at,
    });
    return { ...deal, pipeline_id: stage.pipeline_id, stage_id: stage.id, stage_entered_at: at, ...closing(deal, stage, at, lostReason) };
  }

  /** The workspace's pipelines and stages, read in one query: what placing a deal (or a batch of them) needs. */
  private async pipelinesOf(db: Executor, workspaceId: string): Promise<Pipelines> {
    const pipelines = await this.pipelines.allWithStages(db, workspaceId);
    return {
      byId: new Map(pipelines.map((p) => [p.id, p.stages])),
      defaultId: pipelines.find((p) => p.is_default)?.id,
      stages: new Map(pipelines.flatMap((p) => p.stages.map((stage) => [stage.id, stage]))),
    };
  }

  private apply(current: Deal, input: DealUpdate): Deal {
    const text = <K extends 'lost_reason' | 'source' | 'description'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    return {
      ...current,
      name: input.name?.trim() ?? current.name,
      amount: input.value === undefined ? current.amount : (input.value?.amount ?? null),
      currency: input.value === undefined ? current.currency : (input.value?.currency ?? null),
      probability: input.probability === undefined ? current.probability : input.probability,
      owner_id: input.owner_id === undefined ? current.owner_id : input.owner_id,
      company_id: input.company_id === undefined ? current.company_id : input.company_id,
      contact_ids: input.contact_ids ?? current.contact_ids,
      expected_close_date: input.expected_close_date === undefined ? current.expected_close_date : input.expected_close_date,
      lost_reason: text('lost_reason'),
      source: text('source'),
      description: text('description'),
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
  }

  /** The rules of createManyIn, in the same order, for a deal being changed. */
  private async checkReferences(db: Executor, workspaceId: string, deal: Deal, tagIds: string[] | undefined): Promise<void> {
    const [error] = await this.referenceErrors(db, workspaceId, [deal], [tagIds]);
    if (error) throw error;
  }

  /** For each deal, its first reference (owner, company, contacts, tags) that names nothing in the workspace: one query per kind for the whole list. */
  private async referenceErrors(db: Executor, workspaceId: string, deals: Deal[], tagIds: (string[] | undefined)[]): Promise<(DomainError | undefined)[]> {
    const owners = await existingIds(db, 'users', workspaceId, deals.flatMap((d) => (d.owner_id === null ? [] : [d.owner_id])));
    const companies = await existingIds(db, 'companies', workspaceId, deals.flatMap((d) => (d.company_id === null ? [] : [d.company_id])));
    const contacts = await existingIds(db, 'contacts', workspaceId, deals.flatMap((d) => d.contact_ids));
    const tagErrors = await this.tagging.checkEach(db, workspaceId, tagIds);
    return deals.map((d, i) => {
      if (d.owner_id !== null && !owners.has(d.owner_id)) return unknownReference('owner_id', 'user');
      if (d.company_id !== null && !companies.has(d.company_id)) return unknownReference('company_id', 'company');
      if (new Set(d.contact_ids.filter((id) => contacts.has(id))).size !== d.contact_ids.length) return unknownReference('contact_ids', 'contact');
      return tagErrors[i];
    });
  }

  private async load(db: Executor, workspaceId: string, id: string, ifMatch?: number): Promise<Deal> {
    const deal = await this.deals.find(db, workspaceId, id);
    if (!deal) throw notFound('deal');
    checkIfMatch(deal.version, ifMatch);
    return deal;
  }

  private async view(workspaceId: string, deal: Deal, db: Executor = this.tx.db): Promise<DealView> {
    const [view] = await this.views(workspaceId, [deal], db);
    return view as DealView;
  }

  /** Deals as shown (tags, stage probability), read through `db` (inside a transaction too). */
  async views(workspaceId: string, deals: Deal[], db: Executor = this.tx.db): Promise<DealView[]> {
    const stages = await this.pipelines.stagesByIds(db, workspaceId, deals.map((d) => d.stage_id));
    const tagged = await this.tagging.attach(workspaceId, 'deal', deals, db);
    return tagged.map((deal) => ({ ...deal, stage_probability: stages.get(deal.stage_id)?.probability ?? 0 }));
  }
}

/** The workspace's pipelines (each with its stages in order), its default pipeline and every stage by id. */
interface Pipelines {
  byId: Map<string, Stage[]>;
  defaultId: string | undefined;
  stages: Map<string, Stage>;
}

/**
 * The stage a deal goes to: the one named (which must be in the deal's pipeline,
 * or in `pipelineId` when that is given too), else the first stage of the
 * named or the default pipeline. For an update naming neither, the deal's own.
 */
function placement(pipelines: Pipelines, pipelineId: string | undefined, stageId: string | undefined, current: Deal | undefined): Stage {
  if (stageId !== undefined) {
    const stage = pipelines.stages.get(stageId);
    if (!stage) throw unknownReference('stage_id', 'stage');
    const pipeline = pipelineId ?? current?.pipeline_id;
    if (pipeline !== undefined && stage.pipeline_id !== pipeline) {
      throw new DomainError('unprocessable', 'stage_id is a stage of another pipeline.', { stage_id: [`Not a stage of pipeline ${pipeline}; to change pipelines send pipeline_id too.`] });
    }
    return stage;
  }
  if (current !== undefined && (pipelineId === undefined || pipelineId === current.pipeline_id)) {
    const stage = pipelines.stages.get(current.stage_id);
    if (!stage) throw new Error(`deal ${current.id} is in a stage that does not exist`);
    return stage;
  }
  const stages = pipelines.byId.get(pipelineId ?? pipelines.defaultId ?? '');
  if (!stages) throw pipelineId !== undefined ? unknownReference('pipeline_id', 'pipeline') : new DomainError('unprocessable', 'There is no default pipeline; give pipeline_id.');
  if (current !== undefined) throw new DomainError('unprocessable', 'Moving a deal to another pipeline needs the stage_id to put it in.', { stage_id: ['Required with a new pipeline_id.'] });
  const first = stages[0];
  if (!first) throw new DomainError('unprocessable', 'The pipeline has no stages.');
  return first;
}

/** Status, closing time and lost reason follow the stage's type. */
function closing(deal: Deal, stage: Stage, at: number, lostReason: string | undefined): Pick<Deal, 'status' | 'closed_at' | 'lost_reason'> {
  const wasClosed = deal.status !== 'open';
  return {
    status: stage.type,
    closed_at: stage.type === 'open' ? null : wasClosed && deal.status === stage.type ? deal.closed_at : at,
    lost_reason: stage.type === 'lost' ? (lostReason ?? deal.lost_reason) : null,
  };
}

function blankDeal(stage: Stage, at: number): Deal {
  return {
    id: '',
    name: '',
    amount: null,
    currency: null,
    pipeline_id: stage.pipeline_id,
    stage_id: stage.id,
    status: stage.type,
    probability: null,
    owner_id: null,
    company_id: null,
    contact_ids: [],
    expected_close_date: null,
    closed_at: null,
    lost_reason: null,
    source: null,
    description: null,
    custom_fields: {},
    stage_entered_at: at,
    created_at: at,
    updated_at: at,
    version: 1,
  };
}
