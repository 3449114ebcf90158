/**
 * Boots a real Trellis server on a loopback port with a fresh, migrated
 * database of its own: a temporary SQLite file, or (when DATABASE_URL is a
 * postgres:// URL) a schema of its own in that database, dropped afterwards.
 * Tests talk to it over real HTTP only.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/platform/clock.js';
import { ApiClient } from './client.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export interface TestServer {
  url: string;
  config: Config;
  operator: ApiClient;
  /** A client with no credentials. */
  anonymous: ApiClient;
  client(key: string, options?: { scheme?: 'bearer' | 'x-api-key' | 'basic'; email?: string }): ApiClient;
  close(): Promise<void>;
}

/** The environment a test server runs with; `overrides` wins. */
export function testEnv(overrides: Record<string, string | undefined> = {}): { env: Record<string, string | undefined>; cleanup: () => Promise<void> } {
  const databaseUrl = process.env.DATABASE_URL;
  const base: Record<string, string | undefined> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    TRELLIS_OPERATOR_TOKEN: OPERATOR_TOKEN,
    REDIS_URL: process.env.REDIS_URL,
    // Each test server is its own deployment: test files running at once must not share sign-in failure counts.
    REDIS_KEY_PREFIX: `trellis-test-${randomBytes(6).toString('hex')}`,
    KEY_USAGE_FLUSH_MS: '200',
  };
  if (databaseUrl && /^postgres/.test(databaseUrl)) {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    return {
      env: { ...base, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '10', ...overrides },
      cleanup: async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-test-'));
  return {
    env: { ...base, DATABASE_URL: path.join(dir, 'trellis.db'), SQLITE_SYNCHRONOUS: 'NORMAL', ...overrides },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** `clock` replaces the wall clock, for tests of what happens hours later. */
export async function startServer(overrides: Record<string, string | undefined> = {}, options: { clock?: Clock } = {}): Promise<TestServer> {
  const { env, cleanup } = testEnv(overrides);
  const config = loadConfig(env);
  const { app } = await buildApp(config, options);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = address;
  return {
    url,
    config,
    operator: new ApiClient(url, { authorization: `Bearer ${OPERATOR_TOKEN}` }),
    anonymous: new ApiClient(url, {}),
    client(key, options = {}) {
      switch (options.scheme ?? 'bearer') {
        case 'bearer':
          return new ApiClient(url, { authorization: `Bearer ${key}` });
        case 'x-api-key':
          return new ApiClient(url, { 'x-api-key': key });
        case 'basic':
          return new ApiClient(url, { authorization: `Basic ${Buffer.from(`${options.email ?? ''}:${key}`).toString('base64')}` });
      }
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}
