/**
 * GET /v1/events/stream: the change log as server-sent events, for a page
 * that shows records (a pipeline board) and must show changes made elsewhere
 * without reloading. Authenticated like every /v1 request (an API key, or the
 * browser's session cookie, which EventSource sends), drawing one point of the
 * rate limit per connection rather than one per poll.
 *
 * Each open stream reads the events after the last one it sent, every
 * `pollMs`, with the list's filters (type, record_id); so it works the same on
 * SQLite and PostgreSQL and with several server processes. The stream ends
 * after `maxMs`; EventSource reconnects by itself with `Last-Event-ID` and
 * resumes where it stopped. Before each look the stream checks that its key or
 * session is still accepted, so a revoked key or a signed-out session stops
 * receiving within `pollMs`.
 */
import { PassThrough } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../http/auth.js';
import { commonErrors } from '../http/schemas.js';
import { parseListQuery, type Filter } from '../list/list-query.js';
import type { ListSpec } from '../list/list-spec.js';
import { eventListSpec } from './events.list.js';
import type { EventPosition, EventService } from './events.service.js';

export interface EventStreamOptions {
  /** How often an open stream looks for new events. */
  pollMs: number;
  /** How long one connection lasts before the client reconnects. */
  maxMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = { pollMs: 1000, maxMs: 5 * 60_000, heartbeatMs: 15_000 };

/** Events read per look; more wait for the next look, which comes at once. */
const BATCH = 100;
/** What EventSource waits before reconnecting, ms. */
const RETRY_MS = 2000;

/** Only type and record_id filter a stream: it has its own order and position. */
const streamSpec: ListSpec = {
  ...eventListSpec,
  fields: { type: eventListSpec.fields.type as NonNullable<ListSpec['fields']['type']>, record_id: eventListSpec.fields.record_id as NonNullable<ListSpec['fields']['record_id']> },
};

const StreamQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ maxLength: 100, description: 'Start after this event id (as Last-Event-ID does on a reconnect). Default: only events from now on.' })),
    type: Type.Optional(Type.String({ description: 'Only events of this type.' })),
    'type[starts_with]': Type.Optional(Type.String({ description: 'Only events whose type starts with this, e.g. `deal.`' })),
    'type[in]': Type.Optional(Type.String({ description: 'Only events of these types, comma-separated.' })),
    record_id: Type.Optional(Type.String({ description: 'Only events about this record.' })),
    'record_id[in]': Type.Optional(Type.String({ description: 'Only events about these records, comma-separated.' })),
  },
  { additionalProperties: false },
);

const frame = (fields: { id?: string; event?: string; data: unknown }): string =>
  `${fields.id ? `id: ${fields.id}\n` : ''}${fields.event ? `event: ${fields.event}\n` : ''}data: ${JSON.stringify(fields.data)}\n\n`;

export function eventStreamRoutes(
  app: FastifyInstance,
  events: EventService,
  stillAuthenticated: (request: FastifyRequest) => Promise<boolean>,
  options: EventStreamOptions = EVENT_STREAM_DEFAULTS,
): void {
  const open = new Set<() => void>();
  // Open streams end when the server closes, so closing does not wait for clients.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get('/v1/events/stream', {
    // The list's rules check the filters (the same invalid_filter errors); `after` is the stream's own.
    preValidation: async (request: FastifyRequest) => {
      const { after: _after, ...filters } = request.query as Record<string, unknown>;
      checked.set(request, parseListQuery(streamSpec, filters).filters);
    },
    schema: {
      operationId: 'events.stream',
      tags: ['Events'],
      summary: 'Follow events as they happen (server-sent events)',
      description: `A text/event-stream of the workspace's events from now on (or after \`after\` / the Last-Event-ID header), oldest first: each is a message whose \`id\` is the event id and whose \`data\` is the event's JSON, as GET /v1/events shows it. Filter by type and record_id as the list does. Works with an API key (send it as a header: fetch, not EventSource) and with the web app's session cookie (EventSource). New events arrive within about ${options.pollMs / 1000} s. The stream ends after ${options.maxMs / 60_000} min; reconnect with Last-Event-ID (EventSource does) to resume without gaps. An \`event: reset\` message means the position asked for is no longer kept (older than the retention): reload what you show. An \`event: unauthorized\` message ends the stream when its key is revoked or its session ended (checked before each look).`,
      querystring: StreamQuery,
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 100, description: 'The id of the last event received; resumes after it.' })) }),
      response: {
        200: {
          description: 'The stream: `retry`, then one message per event, and `: heartbeat` comments.',
          content: { 'text/event-stream': { schema: Type.String({ description: 'Server-sent events: `id: evt_…` and `data: {event JSON}` per event.' }) } },
        },
        ...commonErrors(),
      },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const filters = checked.get(request) ?? [];
      const lastEventId = (request.headers['last-event-id'] as string | undefined) ?? (request.query as { after?: string }).after;
      const start = await events.streamStart(actor, lastEventId?.trim() || undefined);
      let position: EventPosition = start.position;

      const stream = new PassThrough();
      let ended = false;
      const timers: NodeJS.Timeout[] = [];
      const end = () => {
        if (ended) return;
        ended = true;
        for (const timer of timers) clearTimeout(timer);
        open.delete(end);
        stream.end();
      };
      open.add(end);
      reply.raw.on('close', end);

      stream.write(`retry: ${RETRY_MS}\n\n`);
      if (!start.known) stream.write(frame({ event: 'reset', data: { reason: 'The event to resume after is no longer kept; reload.', resume_after: position.id || null } }));

      const look = async (): Promise<void> => {
        if (ended) return;
        let full = false;
        try {
          // A revoked key or an ended session ends the stream before anything more is sent.
          if (!(await stillAuthenticated(request))) {
            stream.write(frame({ event: 'unauthorized', data: { reason: 'The key or session of this stream is no longer accepted.' } }));
            end();
            return;
          }
          const batch = await events.after(actor, position, filters, BATCH);
          for (const event of batch) {
            stream.write(frame({ id: event.id, data: event }));
            position = { createdAt: Date.parse(event.created_at), id: event.id };
          }
          full = batch.length === BATCH;
        } catch (error) {
          request.log.error({ err: error }, 'event stream could not read events');
          end();
          return;
        }
        if (!ended) timers[0] = setTimeout(() => void look(), full ? 0 : options.pollMs);
      };
      timers[0] = setTimeout(() => void look(), 0);
      timers[1] = setInterval(() => stream.write(': heartbeat\n\n'), options.heartbeatMs);
      timers[2] = setTimeout(end, options.maxMs);

      reply.header('content-type', 'text/event-stream; charset=utf-8');
      reply.header('cache-control', 'no-cache, no-transform');
      // Proxies such as nginx would otherwise hold the messages back.
      reply.header('x-accel-buffering', 'no');
      return reply.send(stream);
    },
  });
}

const checked = new WeakMap<FastifyRequest, Filter[]>();
