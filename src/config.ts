/**
 * Configuration, parsed once from the environment into a typed object.
 * Every setting is declared here with its default and documented in
 * docs/configuration.md; a bad value stops the server with a list of what is wrong.
 */
import { passwordProblem } from './auth/passwords.js';
import path from 'node:path';
import { parseAllowList, type AllowList } from './webhooks/address-guard.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  /** Where the server tells people it can be reached (the startup banner, the curl line). */
  publicUrl: string;
  /** PUBLIC_URL when it was set: links handed out name it; otherwise they name the host a request was sent to. */
  configuredPublicUrl: string | undefined;
  database:
    | {
        kind: 'sqlite';
        file: string;
        synchronous: 'FULL' | 'NORMAL';
        /** Worker threads for long reads (reports, search, counts, exports); 0 runs them on the main thread's reader. */
        readWorkers: number;
      }
    | {
        kind: 'postgres';
        url: string;
        schema: string;
        poolSize: number;
        /** Connections of the second pool, for long reads only (so they cannot take every connection); 0 shares the main pool. */
        longReadPoolSize: number;
        /** Each distinct data statement is a named prepared statement per connection (src/db/postgres-statements.ts); off for a pooler in transaction mode. */
        preparedStatements: boolean;
      };
  redisUrl: string | undefined;
  /** Starts every Redis key and channel Trellis uses, so deployments sharing one Redis keep apart. */
  redisKeyPrefix: string;
  logLevel: LogLevel;
  rateLimit: { perMinute: number };
  operatorToken: string | undefined;
  bootstrap: { key: string | undefined; email: string; workspaceName: string; password: string | undefined };
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  /** How often the remembered `last_used_at` of API keys is written to the database. */
  keyUsageFlushMs: number;
  /** How long a key look-up is remembered (0 to 1000 ms; see CredentialCache). */
  keyCacheTtlMs: number;
  /** How long events are kept for GET /v1/events. */
  eventRetentionMs: number;
  imports: {
    /** Where uploaded import files wait until their job ends. */
    dir: string;
    maxBytes: number;
  };
  /** Bearer token for GET /metrics; undefined: no metrics endpoint. */
  metricsToken: string | undefined;
  webhooks: {
    /** Whether this instance runs a delivery worker (every instance does by default). */
    worker: boolean;
    /** Waits before each retry: the n-th entry follows the n-th failed attempt. */
    retryScheduleMs: number[];
    timeoutMs: number;
    /** An endpoint whose deliveries have failed this long is disabled. */
    disableAfterMs: number;
    pollIntervalMs: number;
    allowPrivate: AllowList;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 28 hours. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = raw.toLowerCase();
    const match = allowed.find((a) => a.toLowerCase() === value);
    if (!match) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = read('HOST') ?? 'localhost';

  let database: Config['database'];
  const databaseUrl = read('DATABASE_URL') ?? './data/trellis.db';
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    const schema = read('DATABASE_SCHEMA') ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      problems.push(`DATABASE_SCHEMA must be a lower-case SQL identifier (got "${schema}")`);
    }
    try {
      new URL(databaseUrl);
    } catch {
      problems.push('DATABASE_URL is not a valid postgres:// URL');
    }
    const poolSize = integer('DATABASE_POOL_SIZE', 10, 1, 500);
    database = {
      kind: 'postgres',
      url: databaseUrl,
      schema,
      poolSize,
      longReadPoolSize: integer('DATABASE_LONG_READ_POOL_SIZE', Math.max(1, Math.floor(poolSize / 4)), 0, 500),
      preparedStatements: boolean('DATABASE_PREPARED_STATEMENTS', true),
    };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !databaseUrl.startsWith('file://')) {
    problems.push('DATABASE_URL must be a SQLite file path (or file://) or a postgres:// URL');
    database = { kind: 'sqlite', file: './data/trellis.db', synchronous: 'FULL', readWorkers: 0 };
  } else {
    const file = databaseUrl.startsWith('file://') ? new URL(databaseUrl).pathname : databaseUrl;
    database = {
      kind: 'sqlite',
      file: file === ':memory:' ? file : path.resolve(file),
      synchronous: oneOf('SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'] as const, 'FULL'),
      // An in-memory database exists only on its own connection: no other thread can read it.
      readWorkers: file === ':memory:' ? 0 : integer('SQLITE_READ_WORKERS', 2, 0, 16),
    };
  }

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }
  const redisKeyPrefix = read('REDIS_KEY_PREFIX') ?? 'trellis';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisKeyPrefix)) {
    problems.push('REDIS_KEY_PREFIX must be 1 to 64 letters, digits, ".", "_" or "-"');
  }

  const bootstrapKey = read('TRELLIS_BOOTSTRAP_KEY');
  if (bootstrapKey !== undefined && !/^trl_live_[A-Za-z0-9]{32,}$/.test(bootstrapKey)) {
    problems.push('TRELLIS_BOOTSTRAP_KEY must be "trl_live_" followed by at least 32 letters and digits');
  }
  const bootstrapEmail = read('TRELLIS_BOOTSTRAP_EMAIL') ?? 'owner@example.com';
  if (!/^[^\s@]+@[^\s@]+$/.test(bootstrapEmail)) {
    problems.push(`TRELLIS_BOOTSTRAP_EMAIL must be an email address (got "${bootstrapEmail}")`);
  }

  // Not trimmed: spaces may be part of a password.
  const bootstrapPassword = env.TRELLIS_BOOTSTRAP_PASSWORD === undefined || env.TRELLIS_BOOTSTRAP_PASSWORD === '' ? undefined : env.TRELLIS_BOOTSTRAP_PASSWORD;
  const passwordRuleBroken = bootstrapPassword === undefined ? undefined : passwordProblem(bootstrapPassword);
  if (passwordRuleBroken !== undefined) problems.push(`TRELLIS_BOOTSTRAP_PASSWORD: ${passwordRuleBroken}`);
  const configuredPublicUrl = (read('TRELLIS_PUBLIC_URL') ?? read('PUBLIC_URL'))?.replace(/\/+$/, '');
  if (configuredPublicUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/i.test(configuredPublicUrl)) {
    problems.push(`PUBLIC_URL must be an http:// or https:// URL (got "${configuredPublicUrl}")`);
  }

  const operatorToken = read('TRELLIS_OPERATOR_TOKEN');
  if (operatorToken !== undefined && operatorToken.length < 24) {
    problems.push('TRELLIS_OPERATOR_TOKEN must be at least 24 characters long');
  }

  const duration = (name: string, raw: string): number | undefined => {
    const match = /^(\d+)\s*(ms|s|m|h|d)$/.exec(raw.trim());
    if (!match) {
      problems.push(`${name}: "${raw}" is not a duration like 500ms, 5s, 5m, 2h or 3d`);
      return undefined;
    }
    return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  };
  const durationSetting = (name: string, fallback: string): number => duration(name, read(name) ?? fallback) ?? 0;
  const retrySchedule = (read('WEBHOOK_RETRY_SCHEDULE') ?? DEFAULT_RETRY_SCHEDULE).split(',').map((d) => duration('WEBHOOK_RETRY_SCHEDULE', d) ?? 0);
  if (retrySchedule.length > 20) problems.push('WEBHOOK_RETRY_SCHEDULE may list at most 20 waits');
  const { allow: allowPrivate, problems: allowProblems } = parseAllowList(read('TRELLIS_WEBHOOK_ALLOW_PRIVATE'));
  problems.push(...allowProblems);

  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');
  const dataDir = database.kind === 'sqlite' && database.file !== ':memory:' ? path.dirname(database.file) : path.resolve('data');

  const config: Config = {
    host,
    port,
    publicUrl: configuredPublicUrl ?? `http://localhost:${port}`,
    configuredPublicUrl,
    database,
    redisUrl,
    redisKeyPrefix,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimit: { perMinute: integer('RATE_LIMIT_PER_MINUTE', 200, 1, 1_000_000) },
    operatorToken,
    bootstrap: {
      key: bootstrapKey,
      email: bootstrapEmail.toLowerCase(),
      workspaceName: read('TRELLIS_BOOTSTRAP_WORKSPACE') ?? 'My workspace',
      password: bootstrapPassword,
    },
    trustProxy: boolean('TRUST_PROXY', false),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    keyUsageFlushMs: integer('KEY_USAGE_FLUSH_MS', 30_000, 100, 3_600_000),
    keyCacheTtlMs: integer('KEY_CACHE_TTL_MS', 1000, 0, 1000),
    eventRetentionMs: integer('EVENT_RETENTION_DAYS', 30, 1, 3650) * 86_400_000,
    imports: {
      dir: path.resolve(read('IMPORT_DIR') ?? path.join(dataDir, 'imports')),
      maxBytes: integer('IMPORT_MAX_BYTES', 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
    },
    metricsToken,
    webhooks: {
      worker: boolean('WEBHOOK_WORKER', true),
      retryScheduleMs: retrySchedule,
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      disableAfterMs: durationSetting('WEBHOOK_DISABLE_AFTER', '3d'),
      pollIntervalMs: integer('WEBHOOK_POLL_INTERVAL_MS', 1_000, 10, 60_000),
      allowPrivate,
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
