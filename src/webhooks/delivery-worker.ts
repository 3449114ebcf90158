/**
 * Delivers webhook events from the outbox. Every server instance runs one: it
 * claims due deliveries with a lease (on PostgreSQL `FOR UPDATE SKIP LOCKED`,
 * so no two instances make the same attempt), signs each per the Standard
 * Webhooks specification, posts it, and records the outcome. A failed attempt
 * is retried on the configured schedule; a crash between attempts loses
 * nothing, since the delivery stays in the outbox until it is done.
 */
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { eventBody } from '../events/event-log.js';
import type { EventRepository } from '../events/events.repository.js';
import type { Clock } from '../platform/clock.js';
import type { WebhookSender } from './sender.js';
import type { WebhookService } from './webhooks.service.js';
import type { WebhookDelivery, WebhookDeliveryRepository, WebhookEndpoint, WebhookEndpointRepository } from './webhooks.repository.js';

/** How many attempts one worker has under way at once. */
const SLOTS = 16;
/**
 * While attempts are under way, claim only once this many slots are free: each claim is a
 * commit, and on SQLite a commit's fsync holds the event loop (about 0.4 ms here). Claiming
 * for every freed slot made one claim per delivery.
 */
const CLAIM_BATCH = SLOTS / 2;
/** Old events and finished deliveries are pruned this often. */
const PRUNE_EVERY_MS = 3_600_000;

export class DeliveryWorker {
  private running = false;
  /** Ends the loop's sleep: `slots` when attempts freed their slots, nothing when there is work or the worker stops. */
  private wake: ((reason?: 'slots') => void) | undefined;
  private nudged = false;
  private loop: Promise<void> | undefined;
  private lastPrune = 0;
  /** Attempts under way; a slow receiver holds one slot, not the whole worker. */
  private readonly underWay = new Set<Promise<void>>();
  /** Outcomes waiting for the next commit (see recordOutcome). */
  private outcomes: { delivery: WebhookDelivery; result: Outcome; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly settings: Config['webhooks'] & { eventRetentionMs: number },
    private readonly events: EventRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly webhooks: WebhookService,
    private readonly sender: WebhookSender,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Told of each attempt's outcome and how long after its event it was made (metrics). */
  onAttempt: (outcome: 'succeeded' | 'retrying' | 'failed', lagMs: number, latencyMs: number) => void = () => {};

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Deliveries were queued: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops claiming and waits for the attempts under way (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.sender.close();
  }

  private async run(): Promise<void> {
    // After new work or a poll, any free slot is claimed: a slow receiver holding most slots
    // does not hold back the others' deliveries. After freed slots alone, only a batch's worth.
    let claimAny = true;
    while (this.running) {
      let free = 0;
      let claiming = false;
      let claimed = 0;
      try {
        await this.pruneIfDue();
        // Counted after the last await before sleeping, so no slot wake-up falls in between.
        free = SLOTS - this.underWay.size;
        claiming = free > 0 && (claimAny || free >= CLAIM_BATCH);
        if (claiming) claimed = await this.startDue(free);
      } catch (error) {
        this.log.error({ err: error }, 'webhook worker: a round failed; trying again at the next poll');
      }
      // Too few slots free: wait for more to free. Fewer due than free slots: wait for new work.
      if ((!claiming || claimed < free) && this.running) claimAny = await this.sleep();
    }
    await Promise.all(this.underWay);
  }

  /** Waits for work, freed slots or the next poll; true unless only slots were freed. */
  private sleep(): Promise<boolean> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      // Whichever ends the sleep, the wake-up goes with it: a stale one left behind
      // after the timer would swallow the next nudge (it clears `nudged`).
      const done = (forWork: boolean) => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(forWork);
      };
      const timer = setTimeout(() => done(true), this.settings.pollIntervalMs);
      this.wake = (reason) => {
        if (reason === undefined) this.nudged = false;
        done(reason === undefined);
      };
    });
  }

  /** Claims up to `limit` due deliveries and starts an attempt at each; returns how many. */
  private async startDue(limit: number): Promise<number> {
    const now = this.clock.now();
    // Long enough for the attempt (at most the timeout) and recording it; short enough that a
    // crashed instance's deliveries are retried soon.
    const leaseUntil = now + 2 * this.settings.timeoutMs + 5_000;
    const batch = await this.db.transaction().execute((tx) => this.deliveries.claimDue(tx, now, leaseUntil, limit));
    for (const delivery of batch) {
      const attempt: Promise<void> = this.attempt(delivery)
        .catch((error: unknown) => this.log.error({ err: error, delivery_id: delivery.id }, 'webhook worker: an attempt failed to complete; its lease will run out and it will be retried'))
        .finally(() => {
          this.underWay.delete(attempt);
          // Enough slots are free for a claim (or none is under way): the loop may be waiting for them.
          if (this.underWay.size === SLOTS - CLAIM_BATCH || this.underWay.size === 0) this.wake?.('slots');
        });
      this.underWay.add(attempt);
    }
    return batch.length;
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const endpoint = await this.endpoints.find(this.db, delivery.workspace_id, delivery.endpoint_id);
    if (!endpoint) return; // deleted meanwhile; its deliveries went with it
    const event = await this.events.find(this.db, delivery.workspace_id, delivery.event_id);
    const sentAt = this.clock.now();
    if (!event) {
      await this.recordOutcome(delivery, outcome('failed', sentAt, null, 0, 'The event is no longer kept (EVENT_RETENTION_DAYS).'));
      return;
    }
    const body = JSON.stringify(eventBody(event));
    const result = await this.sender.send(endpoint.url, signedHeaders(endpoint, event.id, sentAt, body), body);
    const at = this.clock.now();
    const lag = sentAt - event.created_at;
    // The endpoint's health is written before the delivery's outcome: whoever sees the outcome
    // sees the endpoint as it left it. A crash in between leaves the delivery to be tried again.
    if (result.ok) {
      this.onAttempt('succeeded', lag, result.latencyMs);
      if (endpoint.failing_since !== null) await this.endpoints.markHealthy(this.db, endpoint.id, endpoint.url);
      await this.recordOutcome(delivery, { ...outcome('succeeded', at, result.statusCode, result.latencyMs, null, result.responseBody), delivered_at: at });
      return;
    }
    const wait = this.settings.retryScheduleMs[delivery.attempts];
    const retry = wait === undefined ? undefined : at + Math.round(wait * (0.9 + Math.random() * 0.2));
    this.onAttempt(retry === undefined ? 'failed' : 'retrying', lag, result.latencyMs);
    await this.endpoints.markFailing(this.db, endpoint.id, endpoint.url, at);
    await this.recordOutcome(delivery, { ...outcome(retry === undefined ? 'failed' : 'pending', at, result.statusCode, result.latencyMs, result.error, result.responseBody), next_attempt_at: retry ?? null });
    if (endpoint.failing_since !== null && at - endpoint.failing_since >= this.settings.disableAfterMs) {
      const reason = `Deliveries have failed since ${new Date(endpoint.failing_since).toISOString()}; the last error: ${result.error ?? 'unknown'}`;
      await this.webhooks.disableFailing(endpoint, reason.slice(0, 1000));
      this.log.warn({ endpoint_id: endpoint.id, workspace_id: endpoint.workspace_id }, 'webhook endpoint disabled after failing too long');
    }
  }

  /**
   * Records an attempt's outcome in a commit shared with the other outcomes that arrived in
   * the same turn of the event loop: one fsync for several deliveries. The attempt (and its
   * slot) ends when that commit does; a crash before it leaves the delivery leased, to be
   * tried again when the lease runs out, as a crash between sending and recording always did.
   */
  private recordOutcome(delivery: WebhookDelivery, result: Outcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ delivery, result, resolve, reject });
      if (this.outcomes.length === 1) setImmediate(() => void this.commitOutcomes());
    });
  }

  private async commitOutcomes(): Promise<void> {
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        for (const { delivery, result } of batch) await this.deliveries.recordAttempt(tx, delivery, result);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const { resolve } of batch) resolve();
  }

  private async pruneIfDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const before = now - this.settings.eventRetentionMs;
    const events = await this.events.prune(this.db, before);
    const deliveries = await this.deliveries.prune(this.db, before);
    if (events + deliveries > 0) this.log.info({ events, deliveries }, 'pruned events and deliveries past retention');
  }
}

type Outcome = Parameters<WebhookDeliveryRepository['recordAttempt']>[2];

function outcome(status: 'succeeded' | 'failed' | 'pending', at: number, statusCode: number | null, latencyMs: number, error: string | null, responseBody: string | null = null) {
  return { status, last_attempt_at: at, last_status_code: statusCode, last_latency_ms: latencyMs, last_error: error, last_response_body: responseBody, next_attempt_at: null, delivered_at: null };
}

/** Standard Webhooks headers; during a rotation both secrets sign, space-separated. */
function signedHeaders(endpoint: WebhookEndpoint, eventId: string, at: number, body: string): Record<string, string> {
  const secrets = [endpoint.secret];
  if (endpoint.previous_secret && (endpoint.previous_secret_expires_at ?? 0) > at) secrets.push(endpoint.previous_secret);
  const timestamp = new Date(at);
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, timestamp, body)).join(' '),
  };
}
