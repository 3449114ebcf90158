/**
 * Kysely's SQLite driver prepares every statement anew. Preparing is a large part
 * of a small query's cost, so this wrapper keeps the most recent statements.
 * Safe because better-sqlite3 is synchronous and Kysely never iterates a
 * statement while running another.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const MAX_STATEMENTS = 500;

export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sqlText: string): SqliteStatement => {
      let statement = cache.get(sqlText);
      if (statement === undefined) {
        statement = db.prepare(sqlText);
        if (cache.size >= MAX_STATEMENTS) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(sqlText, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}
