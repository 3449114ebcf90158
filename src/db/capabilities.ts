/**
 * Every difference between SQLite and PostgreSQL that the queries care about,
 * behind one small interface. Queries ask this module; they never branch on the dialect.
 */
import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';

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
};

export const postgresCapabilities: Capabilities = {
  dialect: 'postgres',
  ilike: (column, pattern) => sql<SqlBool>`${column} ilike ${pattern} escape '\\'`,
  isUniqueViolation: (error) => hasCode(error, ['23505']),
  skipLocked: (query) => query.forUpdate().skipLocked(),
};

/** Escapes LIKE wildcards in user text, for use with the `\` escape above. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
