/**
 * A long-read worker thread (sqlite-read-pool.ts): its own read-only
 * connection, opened as the main thread opens its reader. It runs one
 * statement at a time and answers with the rows, or with the error's message
 * and SQLite code (an Error crossing threads would lose its code).
 */
import { workerData } from 'piscina';
import { openSqliteConnection, reloadStatistics, type SqliteSettings } from './sqlite-connection.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type BetterSqlite3 from 'better-sqlite3';

export interface ReadTask {
  sql: string;
  parameters: readonly unknown[];
}

export type ReadResult = { rows: unknown[] } | { error: { message: string; code?: string } };

const settings = (workerData as { settings: SqliteSettings; statisticsEveryMs: number }).settings;
const statisticsEveryMs = (workerData as { statisticsEveryMs: number }).statisticsEveryMs;
const connection = openSqliteConnection(settings, { readOnly: true });
const statements = withStatementCache(connection);
let statisticsLoadedAt = Date.now();

export default function run(task: ReadTask): ReadResult {
  try {
    // The thread sleeps between tasks (no timer would fire): the statistics are refreshed here, as the main reader's are, about hourly.
    if (Date.now() - statisticsLoadedAt > statisticsEveryMs) {
      statisticsLoadedAt = Date.now();
      reloadStatistics(connection);
    }
    const statement = statements.prepare(task.sql) as unknown as BetterSqlite3.Statement;
    if (!statement.reader) return { error: { message: 'A long read must be a query that returns rows.' } };
    return { rows: statement.all(...task.parameters) };
  } catch (error) {
    const { message, code } = error as { message: string; code?: unknown };
    return { error: { message, ...(typeof code === 'string' && { code }) } };
  }
}
