/**
 * The timeline of a contact, company, deal or lead: its activities, tasks and
 * (for deals) stage changes, newest first. A key sees only the kinds it may read.
 */
import { can, requireAccess, type Actor, type GrantResource } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { Transactor } from '../../db/transactor.js';
import { encodeCursorPayload, isCursorInteger, isCursorText, readCursorPayload } from '../../list/cursor.js';
import type { TimelineEntry, TimelinePosition, TimelineRepository, LinkColumn } from './timeline.repository.js';

export type TimelineSubject = 'contact' | 'company' | 'deal' | 'lead';

const SUBJECTS: Record<TimelineSubject, { resource: GrantResource; link: LinkColumn }> = {
  contact: { resource: 'contacts', link: 'contact_id' },
  company: { resource: 'companies', link: 'company_id' },
  deal: { resource: 'deals', link: 'deal_id' },
  lead: { resource: 'leads', link: 'lead_id' },
};

export interface TimelinePage {
  entries: TimelineEntry[];
  total: number;
  nextCursor: string | null;
  hasMore: boolean;
}

export class TimelineService {
  constructor(
    private readonly tx: Transactor,
    private readonly timeline: TimelineRepository,
    private readonly exists: (type: TimelineSubject, workspaceId: string, id: string) => Promise<boolean>,
  ) {}

  async page(actor: Actor, type: TimelineSubject, id: string, limit: number, cursor: string | undefined): Promise<TimelinePage> {
    const { resource, link } = SUBJECTS[type];
    requireAccess(actor, resource, 'read');
    if (!(await this.exists(type, actor.workspaceId, id))) throw notFound(type);
    const before = cursor === undefined ? null : decodePosition(cursor);
    const db = this.tx.db;
    const ws = actor.workspaceId;
    // Each source gives its newest `limit + 1` entries before the cursor; merged, the first `limit` are the page.
    const sources: Promise<TimelineEntry[]>[] = [];
    const counts: Promise<number>[] = [];
    if (can(actor, 'activities', 'read')) {
      sources.push(this.timeline.activities(db, ws, link, id, before, limit + 1));
      counts.push(this.timeline.count(db, ws, 'activities', link, id));
    }
    if (can(actor, 'tasks', 'read')) {
      sources.push(this.timeline.tasks(db, ws, link, id, before, limit + 1));
      counts.push(this.timeline.count(db, ws, 'tasks', link, id));
    }
    if (type === 'deal') {
      sources.push(this.timeline.stageChanges(db, ws, id, before, limit + 1));
      counts.push(this.timeline.count(db, ws, 'deal_stage_changes', 'deal_id', id));
    }
    const merged = (await Promise.all(sources)).flat().sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const entries = merged.slice(0, limit);
    const hasMore = merged.length > limit;
    const last = entries[entries.length - 1];
    const total = (await Promise.all(counts)).reduce((sum, n) => sum + n, 0);
    return { entries, total, hasMore, nextCursor: hasMore && last ? encodePosition({ at: last.at, id: last.id }) : null };
  }
}

function encodePosition(position: TimelinePosition): string {
  return encodeCursorPayload({ t: 'timeline', at: position.at, id: position.id });
}

function decodePosition(text: string): TimelinePosition {
  const value = readCursorPayload(text);
  if (value?.t === 'timeline' && isCursorInteger(value.at) && isCursorText(value.id)) return { at: value.at, id: value.id };
  throw new DomainError('invalid_cursor', 'The cursor is not one this timeline gave out.', { cursor: ['Use meta.next_cursor of the previous page.'] });
}
