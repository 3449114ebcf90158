/** The change log and webhook endpoints and deliveries. */
import type { Api } from '../core/api.js';
import type { RequestOptions } from '../core/options.js';
import type { DataOf, ItemOf, MetaOf, QueryOf } from '../core/operation-types.js';
import type { PagePromise } from '../core/paging.js';
import type { Event } from '../generated/schemas.js';
import { CrudResource, Resource } from './crud.js';

export interface EventStreamOptions extends RequestOptions {
  /** Called when the position to resume from is no longer kept: reload what you show. */
  onReset?: () => void;
}

export class Events extends Resource<'events'> {
  constructor(api: Api) {
    super(api, 'events');
  }

  /** Oldest first; `{'created_at[gt]': lastSeen}` to catch up. */
  list(query?: QueryOf<'events.list'>, options?: RequestOptions): PagePromise<ItemOf<'events.list'>, MetaOf<'events.list'>> {
    return this.api.list('events.list', { query }, options);
  }

  get(id: string, options?: RequestOptions): Promise<DataOf<'events.get'>> {
    return this.api.data('events.get', { path: { id } }, options);
  }

  /**
   * The workspace's events as they happen (server-sent events), oldest first:
   * `for await (const event of client.events.stream({ 'type[starts_with]': 'deal.' }, { signal }))`.
   * When the server ends a connection (every few minutes) it reconnects and
   * resumes after the last event it gave; it stops when `signal` aborts.
   */
  async *stream(query: QueryOf<'events.stream'> = {}, options: EventStreamOptions = {}): AsyncGenerator<Event, void, undefined> {
    const { onReset, ...requestOptions } = options;
    let after = query.after;
    while (!options.signal?.aborted) {
      const response = await this.api.response('events.stream', { query: { ...query, ...(after !== undefined && { after }) } }, { ...requestOptions, headers: { ...requestOptions.headers, accept: 'text/event-stream' } });
      if (!response.body) return;
      const reader = response.body.getReader();
      const cancel = () => void reader.cancel().catch(() => undefined);
      options.signal?.addEventListener('abort', cancel, { once: true });
      try {
        for await (const message of serverSentEvents(reader)) {
          if (options.signal?.aborted) return;
          if (message.event === 'reset') onReset?.();
          else if (message.event === 'message' && message.data !== '') {
            if (message.id !== undefined) after = message.id;
            yield JSON.parse(message.data) as Event;
          }
        }
      } catch (error) {
        if (!options.signal?.aborted) throw error;
      } finally {
        options.signal?.removeEventListener('abort', cancel);
        cancel();
      }
    }
  }
}

/** The messages of a text/event-stream body (the WHATWG format: `field: value` lines, a blank line ends a message). */
async function* serverSentEvents(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<{ id: string | undefined; event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  let message: { id: string | undefined; event: string; data: string[] } = { id: undefined, event: 'message', data: [] };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (message.data.length > 0) yield { id: message.id, event: message.event, data: message.data.join('\n') };
        message = { id: undefined, event: 'message', data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') message.data.push(value);
      else if (field === 'event') message.event = value;
      else if (field === 'id') message.id = value;
    }
  }
}

export class WebhookEndpoints extends CrudResource<'webhook_endpoints'> {
  constructor(api: Api) {
    super(api, 'webhook_endpoints');
  }

  /** A new signing secret (shown once); both sign deliveries for 24 hours. */
  rotateSecret(id: string, options?: RequestOptions): Promise<DataOf<'webhook_endpoints.rotate_secret'>> {
    return this.api.data('webhook_endpoints.rotate_secret', { path: { id } }, options);
  }

  /** Sends a `ping` event to the endpoint. */
  test(id: string, options?: RequestOptions): Promise<DataOf<'webhook_endpoints.test'>> {
    return this.api.data('webhook_endpoints.test', { path: { id } }, options);
  }

  deliveries(id: string, query?: QueryOf<'webhook_endpoints.deliveries'>, options?: RequestOptions): PagePromise<ItemOf<'webhook_endpoints.deliveries'>, MetaOf<'webhook_endpoints.deliveries'>> {
    return this.api.list('webhook_endpoints.deliveries', { path: { id }, query }, options);
  }
}

export class WebhookDeliveries extends Resource<'webhook_deliveries'> {
  constructor(api: Api) {
    super(api, 'webhook_deliveries');
  }

  /** Queues one more attempt now: for a failed delivery, or to replay one. */
  retry(id: string, options?: RequestOptions): Promise<DataOf<'webhook_deliveries.retry'>> {
    return this.api.data('webhook_deliveries.retry', { path: { id } }, options);
  }
}
