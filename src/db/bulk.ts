/**
 * Statements over many rows at once (an import writes a batch this way): long
 * lists are cut into pieces that stay well under the bound-parameter limits of
 * SQLite (32,766) and PostgreSQL (65,535). Full pieces all have the same SQL,
 * so SQLite's statement cache prepares each shape once.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Executor } from './transactor.js';

/** Values per `in (…)` list. */
export const IN_LIST_MAX = 1000;

/** Bound parameters per multi-row insert. */
const INSERT_PARAMETERS_MAX = 10_000;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const pieces: T[][] = [];
  for (let i = 0; i < items.length; i += size) pieces.push(items.slice(i, i + size));
  return pieces;
}

/** Inserts the rows (all with the same columns) with as few multi-row statements as the parameter limit allows. */
export async function insertRows<T extends keyof Database & string>(db: Executor, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const perStatement = Math.max(1, Math.floor(INSERT_PARAMETERS_MAX / Object.keys(first).length));
  // The table varies at run time; each caller passes rows of its table's shape.
  const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const piece of chunks(rows as Record<string, unknown>[], perStatement)) await untyped.insertInto(table).values(piece).execute();
}
