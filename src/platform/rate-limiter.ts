/**
 * Per-key request budgets, by rate-limiter-flexible: counters in memory, or in
 * Redis when REDIS_URL is set so that every instance draws on the same budget.
 * If Redis stops answering, an in-memory limiter stands in until it is back.
 */
import { redisClient } from './client-libraries.js';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface Budget {
  /** Requests per minute. */
  perMinute: number;
  /** Requests allowed in one minute when the burst pool is full (>= perMinute). */
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the minute's budget refills. */
  resetAt: number;
  /** Seconds to wait, when refused. */
  retryAfter: number;
}

/** The extra burst allowance refills over this long, so bursts stay occasional. */
export const BURST_REFILL_SECONDS = 600;

export interface RateLimiter {
  consume(subject: string, budget: Budget, points?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** `keyPrefix` starts every Redis key (REDIS_KEY_PREFIX). */
export function createRateLimiter(redisUrl: string | undefined, keyPrefix: string): RateLimiter {
  const redis = redisUrl ? new (redisClient())(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on('error', () => {
    // Connection trouble is handled by the insurance limiter; ioredis reconnects by itself.
  });
  /** Per budget: the limiter, and the counters under it (to give points back). */
  const limiters = new Map<string, { limiter: RateLimiterAbstract | BurstyRateLimiter; counters: RateLimiterAbstract[] }>();

  const make = (points: number, duration: number, prefix: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: prefix });
    if (!redis) return memory;
    return new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: `${keyPrefix}:rl:${prefix}`, insuranceLimiter: memory });
  };

  const limiterFor = (budget: Budget) => {
    const id = `${budget.perMinute}:${budget.burst}`;
    let entry = limiters.get(id);
    if (!entry) {
      const main = make(budget.perMinute, 60, `m${budget.perMinute}`);
      const burst = budget.burst > budget.perMinute ? make(budget.burst - budget.perMinute, BURST_REFILL_SECONDS, `b${id}`) : undefined;
      entry = burst ? { limiter: new BurstyRateLimiter(main, burst), counters: [main, burst] } : { limiter: main, counters: [main] };
      limiters.set(id, entry);
    }
    return entry;
  };

  return {
    async consume(subject, budget, points = 1) {
      const decision = (res: RateLimiterRes, allowed: boolean): RateDecision => ({
        allowed,
        limit: budget.perMinute,
        remaining: Math.max(0, res.remainingPoints),
        resetAt: Math.ceil((Date.now() + res.msBeforeNext) / 1000),
        retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      });
      const { limiter, counters } = limiterFor(budget);
      try {
        return decision(await limiter.consume(subject, points), true);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // A refused request draws nothing: the counters took its points anyway, so they go back.
        // (Else a JSON-RPC batch refused whole would use up what single calls could still spend.)
        await Promise.all(counters.map((counter) => counter.reward(subject, points))).catch(() => undefined);
        return decision(rejection, false);
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
