/**
 * Per-key request budgets, by rate-limiter-flexible: counters in memory, or in
 * Redis when REDIS_URL is set so that every instance draws on the same budget.
 * If Redis stops answering, an in-memory limiter stands in until it is back.
 */
import { Redis } from 'ioredis';
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

export function createRateLimiter(redisUrl: string | undefined): RateLimiter {
  const redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on('error', () => {
    // Connection trouble is handled by the insurance limiter; ioredis reconnects by itself.
  });
  const limiters = new Map<string, RateLimiterAbstract | BurstyRateLimiter>();

  const make = (points: number, duration: number, prefix: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: prefix });
    if (!redis) return memory;
    return new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: `trellis:rl:${prefix}`, insuranceLimiter: memory });
  };

  const limiterFor = (budget: Budget) => {
    const id = `${budget.perMinute}:${budget.burst}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const main = make(budget.perMinute, 60, `m${budget.perMinute}`);
      limiter = budget.burst > budget.perMinute ? new BurstyRateLimiter(main, make(budget.burst - budget.perMinute, BURST_REFILL_SECONDS, `b${id}`)) : main;
      limiters.set(id, limiter);
    }
    return limiter;
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
      try {
        return decision(await limiterFor(budget).consume(subject, points), true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decision(rejection, false);
        throw rejection;
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
