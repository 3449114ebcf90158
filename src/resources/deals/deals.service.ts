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
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { CompanyRepository } from '../companies/companies.repository.js';
import type { PipelineRepository, Stage } from '../pipelines/pipelines.repository.js';
import type { StageOccupancy } from '../pipelines/pipelines.service.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';
import type { UserRepository } from '../users/users.repository.js';
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
    private readonly companies: CompanyRepository,
    private readonly users: UserRepository,
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
    const stage = await this.placement(db, actor.workspaceId, input.pipeline_id, input.stage_id, undefined);
    const draft = this.apply(blankDeal(stage, at), input);
    await this.checkReferences(db, actor.workspaceId, draft, input.tag_ids);
    const deal: Deal = {
      ...draft,
      id: newId('deal'),
      status: stage.type,
      closed_at: stage.type === 'open' ? null : at,
      lost_reason: stage.type === 'lost' ? draft.lost_reason : null,
    };
    await this.deals.insert(db, actor.workspaceId, deal);
    await this.tagging.write(db, actor.workspaceId, 'deal', deal.id, input.tag_ids);
    // The stage a deal starts in is the first entry of its history.
    await this.deals.recordStageChange(db, actor.workspaceId, { id: newId('stageChange'), deal_id: deal.id, from_stage_id: null, to_stage_id: stage.id, changed_at: at, changed_by: actor.userId, ms_in_previous_stage: null });
    return this.recordChange(db, actor, actor.workspaceId, at, undefined, deal);
  }

  async update(actor: Actor, id: string, input: DealUpdate, ifMatch?: number): Promise<DealView> {
    requireAccess(actor, 'deals', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.load(db, actor.workspaceId, id, ifMatch);
      const before = await this.view(actor.workspaceId, current, db);
      const stage = await this.placement(db, actor.workspaceId, input.pipeline_id, input.stage_id, current);
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
      const stage = await this.placement(db, actor.workspaceId, undefined, stageId, current);
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
   * The events of a deal's change: created; or stage_changed when it moved
   * (else updated); and won or lost when it closed so.
   */
  private async recordChange(db: Executor, actor: Actor, workspaceId: string, at: number, before: DealView | undefined, deal: Deal): Promise<DealView> {
    const after = await this.view(workspaceId, deal, db);
    const object = presentDeal(after);
    if (before === undefined) {
      await this.events.record(db, actor, workspaceId, at, 'deal.created', object);
    } else {
      const previous = presentDeal(before);
      await this.events.record(db, actor, workspaceId, at, before.stage_id !== after.stage_id ? 'deal.stage_changed' : 'deal.updated', object, { before: previous });
      if (after.status !== before.status && (after.status === 'won' || after.status === 'lost')) {
        await this.events.record(db, actor, workspaceId, at, after.status === 'won' ? 'deal.won' : 'deal.lost', object, { before: previous });
      }
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

  /**
   * The stage a deal goes to: the one named (which must be in the deal's pipeline,
   * or in `pipeline_id` when that is given too), else the first stage of the
   * named or the default pipeline. For an update naming neither, the deal's own.
   */
  private async placement(db: Executor, workspaceId: string, pipelineId: string | undefined, stageId: string | undefined, current: Deal | undefined): Promise<Stage> {
    if (stageId !== undefined) {
      const stage = await this.pipelines.findStage(db, workspaceId, stageId);
      if (!stage) throw unknownReference('stage_id', 'stage');
      const pipeline = pipelineId ?? current?.pipeline_id;
      if (pipeline !== undefined && stage.pipeline_id !== pipeline) {
        throw new DomainError('unprocessable', 'stage_id is a stage of another pipeline.', { stage_id: [`Not a stage of pipeline ${pipeline}; to change pipelines send pipeline_id too.`] });
      }
      return stage;
    }
    if (current !== undefined && (pipelineId === undefined || pipelineId === current.pipeline_id)) {
      const stage = await this.pipelines.findStage(db, workspaceId, current.stage_id);
      if (!stage) throw new Error(`deal ${current.id} is in a stage that does not exist`);
      return stage;
    }
    const pipeline = pipelineId !== undefined ? await this.pipelines.find(db, workspaceId, pipelineId) : await this.pipelines.findDefault(db, workspaceId);
    if (!pipeline) throw pipelineId !== undefined ? unknownReference('pipeline_id', 'pipeline') : new DomainError('unprocessable', 'There is no default pipeline; give pipeline_id.');
    if (current !== undefined) throw new DomainError('unprocessable', 'Moving a deal to another pipeline needs the stage_id to put it in.', { stage_id: ['Required with a new pipeline_id.'] });
    const first = pipeline.stages[0];
    if (!first) throw new DomainError('unprocessable', 'The pipeline has no stages.');
    return first;
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

  private async checkReferences(db: Executor, workspaceId: string, deal: Deal, tagIds: string[] | undefined): Promise<void> {
    if (deal.owner_id !== null && !(await this.users.exists(db, workspaceId, deal.owner_id))) throw unknownReference('owner_id', 'user');
    if (deal.company_id !== null && !(await this.companies.exists(db, workspaceId, deal.company_id))) throw unknownReference('company_id', 'company');
    const contacts = await this.deals.existingContacts(db, workspaceId, deal.contact_ids);
    if (contacts.size !== deal.contact_ids.length) throw unknownReference('contact_ids', 'contact');
    await this.tagging.check(db, workspaceId, tagIds);
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
