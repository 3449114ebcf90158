/**
 * Cursors, for every list that pages by keyset (resource lists, search, a
 * record's timeline): base64url JSON, opaque to clients. They are not signed;
 * instead every decoder checks each value against the type and range of the
 * column it will be compared with (text well-formed and without NUL, integers
 * within the column's range, enums among their values), so a forged or
 * damaged cursor is refused with invalid_cursor before it reaches SQL, alike
 * on SQLite and PostgreSQL, and works across instances and restarts. A forged
 * cursor can only start a page elsewhere in what the key may read anyway.
 *
 * A cursor is an object; a list that needs to carry more (a total, say) adds
 * a member and checks it in its decoder.
 */
import { textProblem } from '../domain/text.js';
import { integerRange, SAFE_INTEGER, type FieldSpec, type IntegerRange } from './list-spec.js';
import type { Cursor, FilterValue, SortKey, Total } from './list-query.js';

/** Longer than any cursor Trellis gives out (sort values are at most a few KiB of text). */
const MAX_CURSOR_LENGTH = 16_384;

export function encodeCursorPayload(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The cursor's object, or undefined when the text is no cursor at all. Its members still need checking. */
export function readCursorPayload(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Text a column can be compared with on both databases. */
export const isCursorText = (value: unknown): value is string => typeof value === 'string' && textProblem(value) === undefined;

export const isCursorInteger = (value: unknown, range: IntegerRange = SAFE_INTEGER): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= range.min && value <= range.max;

// --- Resource lists: the sort keys' values of the last row, then its id ------------------------
// and, for a filtered list, the total its first page counted ([count, 1 if exact else 0]).

const sortSignature = (sort: SortKey[]): string => sort.map((k) => (k.direction === 'desc' ? '-' : '') + k.field).join(',');

export function encodeCursor(sort: SortKey[], values: (FilterValue | null)[], id: string, total?: Total): string {
  return encodeCursorPayload({ s: sortSignature(sort), v: values, id, ...(total && { t: [total.count, total.exact ? 1 : 0] }) });
}

/** The carried total, undefined when absent; null when present but not one a list gave out. */
function decodeTotal(t: unknown): Total | undefined | null {
  if (t === undefined) return undefined;
  if (!Array.isArray(t) || t.length !== 2 || !isCursorInteger(t[0]) || t[0] < 0 || (t[1] !== 0 && t[1] !== 1)) return null;
  return { count: t[0], exact: t[1] === 1 };
}

/** A sort value as its column holds it. */
function fitsField(field: FieldSpec, value: unknown): boolean {
  if (value === null) return field.nullable === true;
  switch (field.type) {
    case 'integer':
    case 'timestamp':
      return isCursorInteger(value, integerRange(field));
    case 'enum':
      return typeof value === 'string' && field.values?.includes(value) === true;
    default:
      return isCursorText(value);
  }
}

/** The cursor of a list with this sort, or undefined when it is not one such a list gave out. */
export function decodeListCursor(text: string, sort: SortKey[]): Cursor | undefined {
  const payload = readCursorPayload(text);
  if (payload === undefined) return undefined;
  const { s, v, id, t } = payload;
  if (s !== sortSignature(sort) || !isCursorText(id) || !Array.isArray(v) || v.length !== sort.length) return undefined;
  if (!sort.every((key, i) => fitsField(key.spec, v[i]))) return undefined;
  const total = decodeTotal(t);
  if (total === null) return undefined;
  return { values: v as (FilterValue | null)[], id, ...(total && { total }) };
}
