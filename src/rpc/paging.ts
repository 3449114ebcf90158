/**
 * Nutshell pages by number (`page`, `limit`); Trellis lists by keyset cursor.
 * Page n is reached by walking cursors from the start, and the cursor where
 * the next page begins is remembered, so a client paging forward costs one
 * list call per page.
 */
import type { Page } from '../db/list-rows.js';
import { MAX_LIMIT } from '../list/list-query.js';

/** One list call: `limit` rows after `cursor`. */
export type Fetch<T> = (limit: number, cursor: string | undefined) => Promise<Page<T>>;

export class CursorMemo {
  private readonly entries = new Map<string, { cursor: string; expires: number }>();

  constructor(
    private readonly now: () => number,
    private readonly max = 5000,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expires <= this.now()) return undefined;
    return entry.cursor;
  }

  set(key: string, cursor: string): void {
    this.entries.delete(key);
    this.entries.set(key, { cursor, expires: this.now() + this.ttlMs });
    // A Map iterates in insertion order: the first entry is the oldest.
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** The rows of page `page` (1-based) of `size` rows; an empty array past the end. `key` names the list and its query. */
export async function pageAt<T>(fetch: Fetch<T>, page: number, size: number, memo: CursorMemo, key: string): Promise<T[]> {
  const offset = (page - 1) * size;
  let cursor = offset === 0 ? undefined : memo.get(`${key}@${offset}`);
  let at = cursor === undefined ? 0 : offset;
  while (at < offset) {
    const step = await fetch(Math.min(MAX_LIMIT, offset - at), cursor);
    if (step.nextCursor === null) return [];
    cursor = step.nextCursor;
    at += step.rows.length;
  }
  const result = await fetch(size, cursor);
  if (result.nextCursor !== null) memo.set(`${key}@${offset + size}`, result.nextCursor);
  return result.rows;
}

/** Every row of a short list (pipelines, tags), walked to its end. */
export async function allRows<T>(fetch: Fetch<T>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetch(MAX_LIMIT, cursor);
    rows.push(...page.rows);
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
}

/** A page of rows already in memory. */
export const slicePage = <T>(rows: T[], page: number, size: number): T[] => rows.slice((page - 1) * size, page * size);
