/**
 * Every difference between SQLite and PostgreSQL that the queries care about,
 * behind one small interface. Queries ask this module; they never branch on the dialect.
 */
import type { Database } from './schema.js';
import { sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';

export interface Capabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** Case-insensitive LIKE with `\` as the escape character. */
  ilike(column: Expression<unknown>, pattern: string): RawBuilder<SqlBool>;
  isUniqueViolation(error: unknown): boolean;
  /**
   * Rows a worker takes for itself: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
   * instances claiming at once take different rows; SQLite has one writer at a
   * time, which is lock enough.
   */
  skipLocked<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Makes transactions that ask for the same `name` run one at a time, until
   * commit (a PostgreSQL advisory lock; SQLite has one writer, which is lock
   * enough). For check-then-create steps that no row can lock yet, such as the
   * first start's workspace.
   */
  lockUntilCommit(db: Kysely<Database>, name: string): Promise<void>;
  /**
   * The column, in a form no index can serve (SQLite's unary `+`), so the planner
   * takes the other terms' index whatever its statistics say. PostgreSQL plans
   * from statistics its autovacuum keeps: the column as it is.
   */
  unindexed(column: Expression<unknown>): RawBuilder<unknown>;
}

const hasCode = (error: unknown, codes: string[]): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && codes.includes(String((error as { code: unknown }).code));

export const sqliteCapabilities: Capabilities = {
  dialect: 'sqlite',
  // SQLite's own lower() and LIKE fold ASCII letters only; unicode_lower (registered
  // in database.ts) folds every letter, so "øy" finds "Øyvind".
  ilike: (column, pattern) => sql<SqlBool>`unicode_lower(${column}) like unicode_lower(${pattern}) escape '\\'`,
  isUniqueViolation: (error) => hasCode(error, ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']),
  skipLocked: (query) => query,
  lockUntilCommit: async () => {},
  unindexed: (column) => sql`+${column}`,
};

export const postgresCapabilities: Capabilities = {
  dialect: 'postgres',
  ilike: (column, pattern) => sql<SqlBool>`${column} ilike ${pattern} escape '\\'`,
  isUniqueViolation: (error) => hasCode(error, ['23505']),
  skipLocked: (query) => query.forUpdate().skipLocked(),
  lockUntilCommit: async (db, name) => {
    await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(db);
  },
  unindexed: (column) => sql`${column}`,
};

/** Escapes LIKE wildcards in user text, for use with the `\` escape above. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
