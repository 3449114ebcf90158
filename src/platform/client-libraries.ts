/**
 * Client libraries loaded when first used, not when Trellis starts: ioredis
 * (only with REDIS_URL), pg (only on PostgreSQL) and undici (only once a webhook
 * is sent) took about 200 ms of a cold start (1.29 → 1.08 s to the first answer), for nothing on
 * the SQLite default. They are CommonJS, so `require` loads them synchronously
 * where a constructor needs them.
 */
import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type Pg from 'pg';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

export const redisClient = (): typeof IORedis.Redis => (require('ioredis') as typeof IORedis).Redis;
export const postgresClient = (): typeof Pg => require('pg') as typeof Pg;
export const httpClient = (): typeof Undici => require('undici') as typeof Undici;
