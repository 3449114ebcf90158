/** Opens the configured database, applies its settings and runs the migrations. */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { postgresCapabilities, sqliteCapabilities, type Capabilities } from './capabilities.js';
import * as foundation from './migrations/20261121T2330_foundation.js';
import * as pipeline from './migrations/20261122T0000_pipeline.js';
import * as events from './migrations/20261122T1200_events.js';
import * as sandboxes from './migrations/20261122T1500_sandboxes.js';
import * as syncIndexes from './migrations/20261122T1600_sync_indexes.js';
import * as search from './migrations/20261122T1700_search.js';
import * as reports from './migrations/20261122T1800_reports.js';
import * as webhookCount from './migrations/20261122T1900_webhook_count.js';
import type { Database } from './schema.js';
import { registerDirectReader } from './prepared.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export interface Storage {
  /** For writes, and reads inside a write's transaction. */
  db: Kysely<Database>;
  /**
   * For reads outside a transaction. On SQLite a connection of its own, so
   * reads never queue behind a write transaction holding the writer across
   * awaits; WAL gives it the last committed state. On PostgreSQL the same pool.
   */
  reader: Kysely<Database>;
  capabilities: Capabilities;
  /** A cheap query, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '20261121T2330_foundation': foundation,
  '20261122T0000_pipeline': pipeline,
  '20261122T1200_events': events,
  '20261122T1500_sandboxes': sandboxes,
  '20261122T1600_sync_indexes': syncIndexes,
  '20261122T1700_search': search,
  '20261122T1800_reports': reports,
  '20261122T1900_webhook_count': webhookCount,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function openStorage(config: Config['database']): Promise<Storage> {
  const storage = config.kind === 'sqlite' ? openSqlite(config) : await openPostgres(config);
  try {
    await migrate(storage.db, config.kind === 'postgres' ? config.schema : undefined);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  // The schema is named so that migration tables in other schemas of the same database are not mistaken for ours.
  const migrator = new Migrator({ db, provider, ...(schema !== undefined && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

function openSqlite(config: Extract<Config['database'], { kind: 'sqlite' }>): Storage {
  if (config.file !== ':memory:') fs.mkdirSync(path.dirname(config.file), { recursive: true });
  const open = (readOnly: boolean) => {
    const raw = new BetterSqlite3(config.file);
    const statements = withStatementCache(raw);
    // WAL: readers never block the writer. synchronous=FULL syncs the WAL on every
    // commit, so an acknowledged write survives a killed process and a power loss;
    // NORMAL survives a killed process only. See docs/configuration.md.
    raw.pragma('journal_mode = WAL');
    raw.pragma(`synchronous = ${config.synchronous}`);
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    if (readOnly) raw.pragma('query_only = ON');
    raw.function('unicode_lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
    if (readOnly) {
      registerDirectReader(kysely, (text, parameters) => {
        const statement = statements.prepare(text) as unknown as BetterSqlite3.Statement;
        return statement.reader ? statement.all(...parameters) : [statement.run(...parameters)];
      });
    }
    return kysely;
  };
  const db = open(false);
  // An in-memory database exists only on its own connection.
  const reader = config.file === ':memory:' ? db : open(true);
  return {
    db,
    reader,
    capabilities: sqliteCapabilities,
    ping: async () => {
      await sql`select 1`.execute(reader);
    },
    close: async () => {
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
  };
}

async function openPostgres(config: Extract<Config['database'], { kind: 'postgres' }>): Promise<Storage> {
  // bigint (epoch milliseconds, counts) fits a JS number exactly.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  if (config.schema !== 'public') {
    const admin = new pg.Client({ connectionString: config.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${config.schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    options: `-c search_path="${config.schema}"`,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    reader: db,
    capabilities: postgresCapabilities,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
