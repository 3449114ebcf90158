/**
 * Slows down password guessing: failed sign-ins are counted per email and per
 * client address (rate-limiter-flexible, in Redis when REDIS_URL is set so
 * every instance sees the same counts). Past a few free failures each further
 * one locks the subject out for twice as long as the last (30 s, 1 min, 2 min,
 * … up to 15 min); while locked, attempts are refused before any password is
 * checked, and the refusal says until when.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisClient } from '../platform/client-libraries.js';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface Lockout {
  /** Seconds until the next attempt is accepted. */
  retryAfter: number;
  /** What is locked, for the message. */
  subject: 'email' | 'address';
}

/** Failures counted within this window. */
const WINDOW_SECONDS = 6 * 3600;
/** Failures allowed before the first lock-out: one person mistyping, one office behind one address. */
const FREE_FAILURES = { email: 5, address: 20 } as const;
const FIRST_LOCK_SECONDS = 30;
const MAX_LOCK_SECONDS = 15 * 60;

export function lockSeconds(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** Math.min(failures - free, 10));
}

export class SignInThrottle {
  private redis: Redis | undefined;
  private counters: { failures: RateLimiterAbstract; locks: RateLimiterAbstract } | undefined;

  /** Connects (to Redis) only when first asked: the CLI's commands, which never sign in, open nothing. */
  constructor(
    private readonly redisUrl: string | undefined,
    /** Starts every Redis key (REDIS_KEY_PREFIX). */
    private readonly keyPrefix: string,
  ) {}

  private get failures(): RateLimiterAbstract {
    return this.open().failures;
  }

  private get locks(): RateLimiterAbstract {
    return this.open().locks;
  }

  /** The server connects at start, so the first sign-ins already count in Redis. */
  connect(): void {
    this.open();
  }

  private open() {
    if (this.counters) return this.counters;
    const redis = this.redisUrl ? new (redisClient())(this.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
    redis?.on('error', () => {
      // The in-memory insurance limiter stands in; ioredis reconnects by itself.
    });
    this.redis = redis;
    const make = (prefix: string, points: number, duration: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ points, duration, keyPrefix: prefix });
      if (!redis) return memory;
      return new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: `${this.keyPrefix}:${prefix}`, insuranceLimiter: memory });
    };
    this.counters = { failures: make('signin-failures', 1_000_000, WINDOW_SECONDS), locks: make('signin-lock', 1, MAX_LOCK_SECONDS) };
    return this.counters;
  }

  /** The longest lock-out on this email or address, if any. */
  async lockout(email: string, address: string): Promise<Lockout | undefined> {
    let worst: Lockout | undefined;
    for (const [subject, key] of this.subjects(email, address)) {
      const lock = await this.locks.get(key);
      if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
        const retryAfter = Math.ceil(lock.msBeforeNext / 1000);
        if (!worst || retryAfter > worst.retryAfter) worst = { retryAfter, subject };
      }
    }
    return worst;
  }

  /**
   * Counts an attempt as a failure before its password is checked, and when it
   * is past the free failures locks the subject out at once: guesses sent in
   * parallel cannot all pass the lock-out check while the first ones are
   * still being hashed. Answers the lock-out that stands if this attempt fails.
   * The caller reports the outcome with `succeeded` (which gives the count back).
   */
  async attempt(email: string, address: string): Promise<Lockout | undefined> {
    let worst: Lockout | undefined;
    for (const [subject, key] of this.subjects(email, address)) {
      const count = await this.failures.penalty(key, 1);
      const seconds = lockSeconds(count.consumedPoints, FREE_FAILURES[subject]);
      if (seconds > 0) {
        await this.locks.block(key, seconds);
        if (!worst || seconds > worst.retryAfter) worst = { retryAfter: seconds, subject };
      }
    }
    return worst;
  }

  /**
   * A success forgives the email's failures and lock; the address gets back only
   * the point this attempt took (one good account must not unlock guessing at
   * others), and the lock this attempt set on it, if it set one.
   */
  async succeeded(email: string, address: string, lock: Lockout | undefined): Promise<void> {
    const emailKey = this.key('email', email);
    const addressKey = this.key('address', address);
    await Promise.all([
      this.failures.delete(emailKey),
      this.locks.delete(emailKey),
      this.failures.reward(addressKey, 1),
      lock?.subject === 'address' ? this.locks.delete(addressKey) : undefined,
    ]);
  }

  async close(): Promise<void> {
    const redis = this.redis;
    if (redis) await redis.quit().catch(() => redis.disconnect());
  }

  private subjects(email: string, address: string): Array<['email' | 'address', string]> {
    return [
      ['email', this.key('email', email)],
      ['address', this.key('address', address)],
    ];
  }

  /** Emails are hashed so Redis never holds who tried to sign in. */
  private key(subject: 'email' | 'address', value: string): string {
    return `${subject}:${createHash('sha256').update(value.trim().toLowerCase()).digest('hex').slice(0, 32)}`;
  }
}
