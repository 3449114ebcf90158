/**
 * Every difference between SQLite and PostgreSQL that the queries care about,
 * behind one small interface. Queries ask this module; they never branch on the dialect.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

export interface Capabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** Case-insensitive LIKE with `\` as the escape character. */
  ilike(column: Expression<unknown>, pattern: string): RawBuilder<SqlBool>;
  isUniqueViolation(error: unknown): boolean;
}

const hasCode = (error: unknown, codes: string[]): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && codes.includes(String((error as { code: unknown }).code));

export const sqliteCapabilities: Capabilities = {
  dialect: 'sqlite',
  // SQLite's LIKE is case-insensitive for ASCII; lower() on both sides covers the rest.
  ilike: (column, pattern) => sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'`,
  isUniqueViolation: (error) => hasCode(error, ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']),
};

export const postgresCapabilities: Capabilities = {
  dialect: 'postgres',
  ilike: (column, pattern) => sql<SqlBool>`${column} ilike ${pattern} escape '\\'`,
  isUniqueViolation: (error) => hasCode(error, ['23505']),
};

/** Escapes LIKE wildcards in user text, for use with the `\` escape above. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
