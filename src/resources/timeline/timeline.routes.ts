import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { list } from '../../http/envelope.js';
import { commonErrors, IdParams, ListEnvelope, StringEnum, Timestamp } from '../../http/schemas.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../list/list-query.js';
import { toIso } from '../../platform/clock.js';
import { presentActivity } from '../activities/activities.presenter.js';
import { presentStageChange } from '../deals/deals.presenter.js';
import { presentTask } from '../tasks/tasks.presenter.js';
import type { TimelineEntry } from './timeline.repository.js';
import type { TimelineService, TimelineSubject } from './timeline.service.js';

const TimelineEntryOut = Type.Object(
  {
    type: StringEnum(['activity', 'task', 'stage_change'] as const),
    id: Type.String(),
    at: { ...Timestamp, description: 'When it happened: occurred_at for an activity, created_at for a task, changed_at for a stage change.' },
    activity: Type.Optional(Type.Ref('Activity')),
    task: Type.Optional(Type.Ref('Task')),
    stage_change: Type.Optional(Type.Ref('StageChange')),
  },
  { $id: 'TimelineEntry', title: 'TimelineEntry' },
);
export { TimelineEntryOut };

const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Page size, 1 to ${MAX_LIMIT}.` })),
  cursor: Type.Optional(Type.String({ description: 'meta.next_cursor of the previous page.' })),
});

function presentEntry(entry: TimelineEntry) {
  const base = { id: entry.id, at: toIso(entry.at) };
  switch (entry.kind) {
    case 'activity':
      return { type: 'activity' as const, ...base, activity: presentActivity(entry.activity) };
    case 'task':
      return { type: 'task' as const, ...base, task: presentTask(entry.task) };
    case 'stage_change':
      return { type: 'stage_change' as const, ...base, stage_change: presentStageChange(entry.stageChange) };
  }
}

export function timelineRoutes(app: FastifyInstance, timeline: TimelineService): void {
  const subjects: [TimelineSubject, string, string][] = [
    ['contact', 'contacts', 'Contacts'],
    ['company', 'companies', 'Companies'],
    ['deal', 'deals', 'Deals'],
    ['lead', 'leads', 'Leads'],
  ];
  for (const [subject, path, tag] of subjects) {
    app.get(`/v1/${path}/:id/timeline`, {
      schema: {
        operationId: `${path}.timeline`,
        tags: [tag],
        summary: `A ${subject}'s timeline`,
        description: `The ${subject}'s activities and tasks${subject === 'deal' ? ' and stage changes' : ''}, newest first, paginated. A key sees only the kinds it may read.`,
        params: IdParams,
        querystring: Query,
        response: { 200: ListEnvelope(Type.Ref('TimelineEntry')), ...commonErrors(404) },
      },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        // The schema has checked and coerced limit (1 to 100, default 25).
        const { limit, cursor } = request.query as { limit: number; cursor?: string };
        const page = await timeline.page(actorOf(request), subject, id, limit, cursor);
        return list(request, page, page.entries.map(presentEntry), limit);
      },
    });
  }
}
