/**
 * Several instances starting together on a fresh database: the migrations run
 * once, under the migrator's lock (a PostgreSQL advisory lock; SQLite's single
 * writer), and every instance comes up.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { openStorage } from '../src/db/database.js';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { testEnv } from './helpers/server.js';

const { env, cleanup } = testEnv();
const started: ServerProcess[] = [];
after(async () => {
  for (const server of started) server.child.kill('SIGKILL');
  await Promise.all(started.map((s) => s.exited));
  await cleanup();
});

describe('migrations with several instances', () => {
  it('two servers starting at once on an empty database both come up, and each migration ran once', async () => {
    // Two processes compiling at once on a busy machine can take a while to listen.
    const both = await Promise.all([startServerProcess({ ...env, PORT: '0' }, 180_000), startServerProcess({ ...env, PORT: '0' }, 180_000)]);
    started.push(...both);
    for (const server of both) assert.equal((await fetch(`${server.url}/readyz`)).status, 200, server.output());
    const names = await appliedMigrations(env);
    assert.ok(names.length >= 9, names.join(', '));
    assert.equal(new Set(names).size, names.length, `a migration ran twice: ${names.join(', ')}`);
    // Exactly one of them bootstrapped the first workspace.
    const banners = both.filter((s) => /First start: created workspace/.test(s.output()));
    assert.equal(banners.length, 1, both.map((s) => s.output()).join('\n---\n'));
  });
});

const onPostgres = /^postgres/.test(process.env.DATABASE_URL ?? '');

describe('migrations beside other schemas of the same PostgreSQL database', { skip: onPostgres ? false : 'runs on PostgreSQL only (DATABASE_URL=postgres://…)' }, () => {
  it('migrate while other applications (or other Trellis workspaces schemas) create and drop schemas, and look at their own schema only', async () => {
    const mine = testEnv();
    const config = loadConfig(mine.env);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    let churning = true;
    // Another schema holding a table named like ours must not be taken for ours.
    const other = `other_${process.pid}`;
    await admin.query(`create schema if not exists ${other}; create table if not exists ${other}.kysely_migration (name text)`);
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const name = `churn_${process.pid}_${i}`;
        await admin.query(`create schema ${name}; create table ${name}.t (id serial primary key, a text, b text)`);
        await admin.query(`drop schema ${name} cascade`);
      }
    })();
    try {
      const storage = await openStorage(config.database);
      try {
        // The migrator asks which tables exist; Kysely's own answer read every schema's, and failed when one vanished meanwhile.
        const until = Date.now() + 3000;
        let lookups = 0;
        while (Date.now() < until) {
          const tables = await storage.db.introspection.getTables({ withInternalKyselyTables: true });
          assert.ok(tables.every((t) => t.schema === (config.database as { schema: string }).schema));
          assert.ok(tables.some((t) => t.name === 'contacts'));
          lookups++;
        }
        assert.ok(lookups > 10);
      } finally {
        await storage.close();
      }
    } finally {
      churning = false;
      await churn;
      await admin.query(`drop schema if exists ${other} cascade`);
      await admin.end();
      await mine.cleanup();
    }
  });
});

async function appliedMigrations(environment: Record<string, string | undefined>): Promise<string[]> {
  const url = environment.DATABASE_URL as string;
  if (/^postgres/.test(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await client.query<{ name: string }>(`select name from "${environment.DATABASE_SCHEMA}".kysely_migration order by name`);
      return result.rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(url, { readonly: true });
  try {
    return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}
