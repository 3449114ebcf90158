/** Opens the configured database, applies its settings and runs the migrations. */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, sql, type DialectAdapter, type LogEvent, type Migration, type MigrationProvider } from 'kysely';
import type pg from 'pg';
import { postgresClient } from '../platform/client-libraries.js';
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
import * as descriptions from './migrations/20261123T0900_descriptions.js';
import * as imports from './migrations/20261207T0500_imports.js';
import * as signIn from './migrations/20261207T0800_sign_in.js';
import * as searchPhoneDigits from './migrations/20261207T0800_search_phone_digits.js';
import * as recordCounts from './migrations/20261207T0810_record_counts.js';
import * as hotFilterIndexes from './migrations/20261207T0820_hot_filter_indexes.js';
import * as contactWebsite from './migrations/20261207T0910_contact_website.js';
import * as dealStageCounts from './migrations/20261207T1930_deal_stage_counts.js';
import { preparingPool } from './postgres-statements.js';
import { CurrentSchemaPostgresDialect } from './postgres-introspector.js';
import { InlineRowCounts } from './row-counts.js';
import type { Database } from './schema.js';
import { registerLongReader } from './long-reads.js';
import { registerDirectReader } from './prepared.js';
import { openSqliteConnection, reloadStatistics } from './sqlite-connection.js';
import { ReadPool, SqliteReadPoolDialect } from './sqlite-read-pool.js';
import { directStatements, withStatementCache } from './sqlite-statement-cache.js';

export interface Storage {
  /** For writes, and reads inside a write's transaction. */
  db: Kysely<Database>;
  /**
   * For reads outside a transaction. On SQLite a connection of its own, so
   * reads never queue behind a write transaction holding the writer across
   * awaits; WAL gives it the last committed state. On PostgreSQL the same pool.
   */
  reader: Kysely<Database>;
  /**
   * For long reads outside a transaction (reports, search, list counts, exports:
   * anything that may scan). On SQLite worker threads with read-only connections
   * of their own, so a long read does not hold up the event loop; on PostgreSQL a
   * second, smaller pool, so long reads cannot take every connection. With no
   * workers or no second pool configured, the reader itself.
   */
  longReader: Kysely<Database>;
  capabilities: Capabilities;
  /** A cheap query, for readiness checks. */
  ping(): Promise<void>;
  /** PostgreSQL's main connection pool now (metrics); undefined on SQLite, which has no pool (a writer and a reader). */
  poolState(): { total: number; idle: number; waiting: number; max: number } | undefined;
  /** Long reads run on `longReader` so far, and those waiting for a thread or connection (metrics); undefined when they share the reader. */
  longReadState(): { completed: number; waiting: number } | undefined;
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
  '20261123T0900_descriptions': descriptions,
  '20261207T0500_imports': imports,
  '20261207T0800_sign_in': signIn,
  '20261207T0800_search_phone_digits': searchPhoneDigits,
  '20261207T0810_record_counts': recordCounts,
  '20261207T0820_hot_filter_indexes': hotFilterIndexes,
  '20261207T0910_contact_website': contactWebsite,
  '20261207T1930_deal_stage_counts': dealStageCounts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Kysely takes no lock to migrate SQLite (it assumes one process). Two
 * processes starting together on one file would both migrate: the lock here
 * is a write transaction (BEGIN IMMEDIATE) around the whole run, so the second
 * waits (busy_timeout, retried for about a minute), then finds nothing to do.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql`begin immediate`.execute(db);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 12) throw error;
      }
    }
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`commit`.execute(db);
  }
}

class MigratingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new LockingSqliteAdapter();
  }
}

/** `migrate: false` opens the database as it is (`trellis doctor` looks without changing anything). */
export async function openStorage(config: Config['database'], options: { migrate?: boolean } = {}): Promise<Storage> {
  const storage = config.kind === 'sqlite' ? openSqlite(config) : await openPostgres(config);
  if (options.migrate === false) return storage;
  try {
    await migrate(storage.db, config.kind === 'postgres' ? config.schema : undefined);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

/** The migrations this version knows, and which of them the database has not had yet. */
export async function migrationState(storage: Storage, config: Config['database']): Promise<{ known: string[]; pending: string[] }> {
  const migrator = new Migrator({ db: storage.db, provider, allowUnorderedMigrations: true, ...(config.kind === 'postgres' && { migrationTableSchema: config.schema }) });
  const migrations = await migrator.getMigrations();
  return { known: migrations.map((m) => m.name), pending: migrations.filter((m) => m.executedAt === undefined).map((m) => m.name) };
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  // The schema is named so that migration tables in other schemas of the same database are not mistaken for ours.
  // Unordered: branches added migrations with one timestamp; a database migrated on either must still start.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, ...(schema !== undefined && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

const OPTIMIZE_INTERVAL_MS = 60 * 60 * 1000;
/** On every connection's Kysely: LIMIT and OFFSET written as numbers (row-counts.ts). */
const plugins = [new InlineRowCounts()];

/** Counts the queries a Kysely instance ran (its log hook sees each one end, in success or error). */
function counted(): { log: (event: LogEvent) => void; completed: () => number } {
  let completed = 0;
  return {
    log: () => {
      completed++;
    },
    completed: () => completed,
  };
}

function openSqlite(config: Extract<Config['database'], { kind: 'sqlite' }>): Storage {
  if (config.file !== ':memory:') fs.mkdirSync(path.dirname(config.file), { recursive: true });
  const open = (readOnly: boolean) => {
    const raw = openSqliteConnection(config, { readOnly });
    const statements = withStatementCache(raw);
    const kysely = new Kysely<Database>({ dialect: readOnly ? new SqliteDialect({ database: statements }) : new MigratingSqliteDialect({ database: statements }), plugins });
    if (readOnly) registerDirectReader(kysely, directStatements(raw));
    return { kysely, raw };
  };
  const { kysely: db, raw: writer } = open(false);
  // The planner's statistics, kept current as SQLite's documentation recommends for
  // long-lived connections: `optimize` when the connection opens and every hour after;
  // it runs ANALYZE (bounded by analysis_limit) only on tables whose statistics are
  // missing or stale. The readers, opened after, load them; later they reload them.
  writer.pragma('analysis_limit = 1000');
  writer.pragma('optimize = 0x10002');
  // An in-memory database exists only on its own connection.
  const { kysely: reader, raw: readerRaw } = config.file === ':memory:' ? { kysely: db, raw: writer } : open(true);
  const readPool = config.readWorkers > 0 ? new ReadPool({ settings: config, workers: config.readWorkers, statisticsEveryMs: OPTIMIZE_INTERVAL_MS }) : undefined;
  const longReads = counted();
  const longReader = readPool ? new Kysely<Database>({ dialect: new SqliteReadPoolDialect(readPool), log: longReads.log, plugins }) : reader;
  registerLongReader(reader, longReader);
  const optimize = (): void => {
    // Never inside a transaction a request holds open on the writer across awaits.
    if (writer.inTransaction) {
      setTimeout(optimize, 1000).unref();
      return;
    }
    try {
      writer.pragma('optimize');
      if (readerRaw !== writer) reloadStatistics(readerRaw);
    } catch {
      // Busy or closing: the next hour tries again; the hot filters' plans do not depend on it (see list-rows.ts).
    }
  };
  const optimizer = setInterval(optimize, OPTIMIZE_INTERVAL_MS);
  optimizer.unref();
  return {
    db,
    reader,
    longReader,
    capabilities: sqliteCapabilities,
    poolState: () => undefined,
    longReadState: () => readPool && { completed: longReads.completed(), waiting: readPool.waiting },
    ping: async () => {
      await sql`select 1`.execute(reader);
    },
    close: async () => {
      clearInterval(optimizer);
      if (longReader !== reader) await longReader.destroy();
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
  };
}

async function openPostgres(config: Extract<Config['database'], { kind: 'postgres' }>): Promise<Storage> {
  // bigint (epoch milliseconds, counts) fits a JS number exactly.
  const pg = postgresClient();
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  if (config.schema !== 'public') {
    const admin = new pg.Client({ connectionString: config.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${config.schema}"`).catch((error: unknown) => {
        // Instances starting together can both try: "if not exists" is not atomic, and the loser's unique violation means it exists.
        if (!postgresCapabilities.isUniqueViolation(error)) throw error;
      });
    } finally {
      await admin.end();
    }
  }
  const newPool = (max: number): pg.Pool => {
    const pool = new pg.Pool({ connectionString: config.url, max, options: `-c search_path="${config.schema}"` });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Queries report their own errors.
    });
    return pool;
  };
  const forKysely = (pool: pg.Pool) => (config.preparedStatements ? preparingPool(pool) : pool);
  const pool = newPool(config.poolSize);
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool: forKysely(pool) }), plugins });
  // Long reads get a smaller pool of their own: however many reports run at once, the main pool's connections stay free for everything else.
  const longPool = config.longReadPoolSize > 0 ? newPool(config.longReadPoolSize) : undefined;
  const longReads = counted();
  const longReader = longPool ? new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool: forKysely(longPool) }), log: longReads.log, plugins }) : db;
  registerLongReader(db, longReader);
  return {
    db,
    reader: db,
    longReader,
    capabilities: postgresCapabilities,
    poolState: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: config.poolSize }),
    longReadState: () => longPool && { completed: longReads.completed(), waiting: longPool.waitingCount },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      if (longReader !== db) await longReader.destroy();
      await db.destroy();
    },
  };
}
