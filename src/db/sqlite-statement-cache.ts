/**
 * Kysely's SQLite driver prepares every statement anew. Preparing is a large part
 * of a small query's cost, so this wrapper keeps the most recent statements.
 * Safe because better-sqlite3 is synchronous and Kysely never iterates a
 * statement while running another.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const MAX_STATEMENTS = 500;

/** The value for `sqlText`, made once and kept among the MAX_STATEMENTS most recently made. */
function boundedCache<T>(make: (sqlText: string) => T): { get: (sqlText: string) => T; clear: () => void } {
  const cache = new Map<string, T>();
  return {
    get: (sqlText) => {
      let value = cache.get(sqlText);
      if (value === undefined) {
        value = make(sqlText);
        if (cache.size >= MAX_STATEMENTS) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(sqlText, value);
      }
      return value;
    },
    clear: () => cache.clear(),
  };
}

export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const statements = boundedCache((sqlText) => db.prepare(sqlText));
  return {
    close: () => {
      statements.clear();
      db.close();
    },
    prepare: (sqlText: string): SqliteStatement => statements.get(sqlText) as unknown as SqliteStatement,
  };
}

type RowMaker = (values: unknown[]) => Record<string, unknown>;

/**
 * Runs SQL on `db` as the main thread's direct reader (prepared.ts) does: a reading
 * statement returns its rows as arrays, which a constructor compiled once per statement
 * (an object literal of its columns) makes into objects. better-sqlite3 adds each column
 * to a new object in turn, which took half the time of reading a 25-row list page.
 * Column names go into the literal through JSON.stringify, so any name is safe.
 */
export function directStatements(db: BetterSqlite3.Database): (sqlText: string, parameters: readonly unknown[]) => unknown[] {
  const statements = boundedCache((sqlText) => {
    const statement = db.prepare(sqlText);
    if (!statement.reader) return { statement, make: undefined };
    const names = statement.columns().map((column) => column.name);
    // In a literal, "__proto__" would set the prototype: such a statement runs as better-sqlite3 makes rows.
    if (names.includes('__proto__')) return { statement, make: (values: unknown[]) => values as unknown as Record<string, unknown> };
    statement.raw(true);
    const fields = names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`);
    const make = new Function('values', `return { ${fields.join(', ')} };`) as RowMaker;
    return { statement, make };
  });
  return (sqlText, parameters) => {
    const { statement, make } = statements.get(sqlText);
    if (make === undefined) return [statement.run(...parameters)];
    const rows = statement.all(...parameters) as unknown[][];
    const made = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < rows.length; i++) made[i] = make(rows[i] as unknown[]);
    return made;
  };
}
