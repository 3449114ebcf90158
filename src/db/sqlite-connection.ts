/**
 * One SQLite connection as Trellis opens it: the writer, the main thread's
 * reader and each long-read worker's reader (sqlite-read-worker.ts) all come
 * from here, so they share their settings and SQL functions.
 */
import BetterSqlite3 from 'better-sqlite3';

export interface SqliteSettings {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
}

export function openSqliteConnection(settings: SqliteSettings, options: { readOnly: boolean }): BetterSqlite3.Database {
  const raw = new BetterSqlite3(settings.file);
  // WAL: readers never block the writer. synchronous=FULL syncs the WAL on every
  // commit, so an acknowledged write survives a killed process and a power loss;
  // NORMAL survives a killed process only. See docs/configuration.md.
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${settings.synchronous}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Temporary b-trees (a record's tags ordered by name, a filtered page's sort) in memory: as
  // files, each query that made one opened a temporary file, which took a list filtered by
  // email from 80 to 250 µs at 1,000,000 contacts. Trellis's queries sort pages and groups, never whole tables.
  raw.pragma('temp_store = MEMORY');
  if (options.readOnly) raw.pragma('query_only = ON');
  raw.function('unicode_lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  return raw;
}

/** A reader loads the planner's statistics when it opens; this loads them again after the writer's `optimize` renewed them. */
export function reloadStatistics(reader: BetterSqlite3.Database): void {
  reader.pragma('query_only = OFF');
  try {
    reader.exec('analyze sqlite_schema');
  } finally {
    reader.pragma('query_only = ON');
  }
}
