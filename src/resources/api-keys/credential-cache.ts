/**
 * Key look-ups remembered in memory for at most KEY_CACHE_TTL_MS (≤ 1 s), under
 * the promise docs/configuration.md states: a revocation, a role or email change,
 * a deleted user or workspace takes effect on the next request on the instance
 * that made it (its entries are dropped at once) and within one second on every
 * other (a notification drops them there; the TTL is the backstop if one is
 * lost). Expiry is checked against the clock on every request, cached or not
 * (ApiKeyService.authenticate).
 *
 * The notification goes through Redis pub/sub when REDIS_URL is set, else
 * PostgreSQL LISTEN/NOTIFY; SQLite without Redis is one process, where dropping
 * the entries locally is all there is to do.
 */
import type pg from 'pg';
import { postgresClient, redisClient } from '../../platform/client-libraries.js';
import type { Credential } from './api-keys.repository.js';

/** Bounds the memory the cache takes whatever keys are presented (only valid ones are cached). */
const MAX_ENTRIES = 10_000;
const CHANNEL = 'trellis_credentials';

export interface InvalidationBus {
  publish(workspaceId: string): Promise<void>;
  close(): Promise<void>;
}

export class CredentialCache {
  private readonly entries = new Map<string, { credential: Credential; until: number }>();
  private bus: InvalidationBus | undefined;

  /** `ttlMs` 0 turns the cache off: every request reads the key. */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(secretHash: string): Credential | undefined {
    const entry = this.entries.get(secretHash);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.credential;
    this.entries.delete(secretHash);
    return undefined;
  }

  set(secretHash: string, credential: Credential): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(secretHash, { credential, until: this.now() + this.ttlMs });
  }

  /** Drops the workspace's entries here, and tells the other instances to. Call after the change commits. */
  async forgetWorkspace(workspaceId: string): Promise<void> {
    this.dropWorkspace(workspaceId);
    await this.bus?.publish(workspaceId).catch(() => {
      // The TTL still drops the entries elsewhere within a second.
    });
  }

  /** What a notification from another instance does. */
  dropWorkspace(workspaceId: string): void {
    for (const [hash, entry] of this.entries) if (entry.credential.workspaceId === workspaceId) this.entries.delete(hash);
  }

  connect(bus: InvalidationBus): void {
    this.bus = bus;
  }
}

/** Redis pub/sub on `channel`: one subscriber connection per instance. */
export async function redisBus(url: string, channel: string, onMessage: (workspaceId: string) => void): Promise<InvalidationBus> {
  const Redis = redisClient();
  const publisher = new Redis(url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null });
  for (const client of [publisher, subscriber]) {
    client.on('error', () => {
      // ioredis reconnects by itself; meanwhile the TTL bounds staleness.
    });
  }
  // Not awaited: a Redis that is down must not stop the start; ioredis subscribes once it connects.
  subscriber.subscribe(channel).catch(() => undefined);
  subscriber.on('message', (_channel: string, message: string) => onMessage(message));
  return {
    publish: async (workspaceId) => {
      await publisher.publish(channel, workspaceId);
    },
    close: async () => {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

/** PostgreSQL LISTEN/NOTIFY on a connection of its own, per schema (instances of one deployment share it). */
export async function postgresBus(url: string, schema: string, onMessage: (workspaceId: string) => void): Promise<InvalidationBus> {
  const channel = `${CHANNEL}_${schema}`;
  let listener: pg.Client | undefined;
  let closed = false;
  const listen = async (): Promise<void> => {
    const client = new (postgresClient().Client)({ connectionString: url });
    client.on('error', () => {
      // Reconnected below; meanwhile the TTL bounds staleness.
    });
    client.on('end', () => {
      if (!closed) setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    client.on('notification', (message) => {
      if (message.payload) onMessage(message.payload);
    });
    await client.connect();
    await client.query(`listen "${channel.replace(/"/g, '""')}"`);
    listener = client;
  };
  await listen();
  const publisher = new (postgresClient().Pool)({ connectionString: url, max: 1 });
  publisher.on('error', () => {});
  return {
    publish: async (workspaceId) => {
      await publisher.query('select pg_notify($1, $2)', [channel, workspaceId]);
    },
    close: async () => {
      closed = true;
      await listener?.end().catch(() => undefined);
      await publisher.end().catch(() => undefined);
    },
  };
}
