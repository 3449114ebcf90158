/**
 * Search across contacts, companies, leads and deals, and look-ups by email and
 * by phone. Transport-neutral: takes the query parameters as given, checks
 * them, the key's read grants and the workspace, and answers pages of hits.
 */
import { createHash } from 'node:crypto';
import { can, type Actor } from '../domain/actor.js';
import { DomainError, invalidFields } from '../domain/errors.js';
import { normalizeEmail } from '../domain/normalize.js';
import type { Transactor } from '../db/transactor.js';
import { encodeCursorPayload, isCursorInteger, isCursorText, readCursorPayload } from '../list/cursor.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../list/list-query.js';
import { GRANT_OF, MAX_QUERY_LENGTH, MAX_WORDS, matchedFields, phoneCandidates, phoneDigits, samePhone, searchWords, SEARCH_TYPES, type SearchType } from './search-terms.js';
import type { SearchDocument, SearchPosition, SearchRepository } from './search.repository.js';

export interface SearchInput {
  q?: string | undefined;
  types?: string | undefined;
  /** A number, or its digits as the query string carries them. */
  limit?: number | string | undefined;
  cursor?: string | undefined;
}

export interface SearchHit {
  type: SearchType;
  id: string;
  title: string;
  subtitle: string | null;
  /** Search only: 3 whole name words, 2 name prefixes, 1 whole words elsewhere, 0 prefixes elsewhere. */
  score?: number;
  /** The fields a word matched: name, email, phone, domain (companies), company_name (leads). */
  matched: string[];
}

export interface SearchPage {
  hits: SearchHit[];
  total: number;
  nextCursor: string | null;
  hasMore: boolean;
  limit: number;
}

const EMAIL_TYPES: readonly SearchType[] = ['contact', 'lead'];
const PHONE_TYPES: readonly SearchType[] = ['contact', 'company', 'lead'];
const MAX_EMAIL_LENGTH = 320;
const MAX_PHONE_LENGTH = 64;

/** A document's searchable fields, by the names `matched` reports. */
function fieldsOf(doc: SearchDocument): [string, string][] {
  const other: Record<SearchType, string | undefined> = { contact: undefined, company: 'domain', lead: 'company_name', deal: undefined };
  const fields: [string, string][] = [
    ['name', doc.names],
    ['email', doc.emails],
    ['phone', doc.phones],
  ];
  const otherName = other[doc.record_type];
  if (otherName) fields.push([otherName, doc.other]);
  return fields;
}

export class SearchService {
  constructor(
    private readonly tx: Transactor,
    private readonly search: SearchRepository,
  ) {}

  async query(actor: Actor, input: SearchInput): Promise<SearchPage> {
    const types = readableTypes(actor, input.types, SEARCH_TYPES);
    const q = (input.q ?? '').trim();
    if (q === '') throw invalidFields({ q: 'q is required: the words to search for.' });
    if (q.length > MAX_QUERY_LENGTH) throw invalidFields({ q: `q may be at most ${MAX_QUERY_LENGTH} characters.` });
    const words = searchWords(q);
    if (words.length === 0) throw invalidFields({ q: 'q must contain a letter or a digit.' });
    if (words.length > MAX_WORDS) throw invalidFields({ q: `q may have at most ${MAX_WORDS} words.` });
    const limit = parseLimit(input.limit);
    const key = queryKey('search', words, input.types);
    const after = input.cursor === undefined ? null : decodeSearchCursor(input.cursor, key);

    // Full-text matching may read many documents: a long read, off the main thread on SQLite (tx.longReader).
    const db = this.tx.longReader;
    const [rows, total] = await Promise.all([
      this.search.page(db, actor.workspaceId, types, words, after, limit + 1),
      this.search.count(db, actor.workspaceId, types, words),
    ]);
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const last = page[page.length - 1];
    const hits = await this.present(actor.workspaceId, page, (doc) => matchedFields(words, fieldsOf(doc)));
    return {
      hits: hits.map((hit, i) => ({ ...hit, score: page[i]?.score ?? 0 })),
      total,
      hasMore,
      limit,
      nextCursor: hasMore && last ? encodeCursor({ k: key, s: last.score, t: last.title_key, y: last.record_type, i: last.record_id }) : null,
    };
  }

  async byEmail(actor: Actor, input: SearchInput & { email?: string | undefined }): Promise<SearchPage> {
    const types = readableTypes(actor, input.types, EMAIL_TYPES);
    const email = normalizeEmail(input.email ?? '');
    if (email === '') throw invalidFields({ email: 'email is required.' });
    if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalidFields({ email: 'email must be an email address.' });
    const limit = parseLimit(input.limit);
    const key = queryKey('by-email', [email], input.types);
    const after = input.cursor === undefined ? null : decodeLookupCursor(input.cursor, key);
    const docs = await this.search.emailHolders(this.tx.db, actor.workspaceId, types, email);
    return this.lookupPage(actor.workspaceId, docs, ['email'], key, after, limit);
  }

  async byPhone(actor: Actor, input: SearchInput & { phone?: string | undefined }): Promise<SearchPage> {
    const types = readableTypes(actor, input.types, PHONE_TYPES);
    const raw = (input.phone ?? '').trim();
    if (raw === '') throw invalidFields({ phone: 'phone is required.' });
    if (raw.length > MAX_PHONE_LENGTH) throw invalidFields({ phone: `phone may be at most ${MAX_PHONE_LENGTH} characters.` });
    const digits = phoneDigits(raw);
    if (digits === '') throw invalidFields({ phone: 'phone must contain digits (before any extension).' });
    const limit = parseLimit(input.limit);
    const key = queryKey('by-phone', [digits], input.types);
    const after = input.cursor === undefined ? null : decodeLookupCursor(input.cursor, key);
    const candidates = await this.search.phoneHolders(this.tx.db, actor.workspaceId, types, phoneCandidates(digits));
    const docs = candidates.filter((doc) => doc.phone_numbers.split(' ').some((number) => samePhone(number, digits)));
    return this.lookupPage(actor.workspaceId, docs, ['phone'], key, after, limit);
  }

  /** Every holder is in hand (there are few); the page is a keyset slice of them in (type, title, id) order. */
  private async lookupPage(workspaceId: string, docs: SearchDocument[], matched: string[], key: string, after: LookupPosition | null, limit: number): Promise<SearchPage> {
    const order = (d: SearchDocument): [string, string, string] => [d.record_type, d.title_key, d.record_id];
    const sorted = [...docs].sort((a, b) => compareTuples(order(a), order(b)));
    const remaining = after === null ? sorted : sorted.filter((d) => compareTuples(order(d), [after.y, after.t, after.i]) > 0);
    const page = remaining.slice(0, limit);
    const hasMore = remaining.length > limit;
    const last = page[page.length - 1];
    return {
      hits: await this.present(workspaceId, page, () => matched),
      total: sorted.length,
      hasMore,
      limit,
      nextCursor: hasMore && last ? encodeCursor({ k: key, t: last.title_key, y: last.record_type, i: last.record_id }) : null,
    };
  }

  private async present(workspaceId: string, docs: SearchDocument[], matched: (doc: SearchDocument) => string[]): Promise<SearchHit[]> {
    const companies = await this.search.dealCompanies(
      this.tx.db,
      workspaceId,
      docs.filter((d) => d.record_type === 'deal').map((d) => d.record_id),
    );
    return docs.map((doc) => ({
      type: doc.record_type,
      id: doc.record_id,
      title: doc.title,
      subtitle: doc.record_type === 'deal' ? (companies.get(doc.record_id) ?? null) : doc.subtitle,
      matched: matched(doc),
    }));
  }
}

/**
 * The types searched: those asked for (`types=contact,deal`), else all the endpoint covers.
 * A type asked for by name needs its read grant (403 otherwise); without `types`, types the
 * key may not read are left out. No readable type at all: 403.
 */
function readableTypes(actor: Actor, given: string | undefined, allowed: readonly SearchType[]): SearchType[] {
  let asked: SearchType[] | undefined;
  if (given !== undefined) {
    const names = given.split(',').map((t) => t.trim());
    const unknown = names.filter((t) => !(allowed as readonly string[]).includes(t));
    if (names.length === 0 || unknown.length > 0) {
      throw invalidFields({ types: `types is a comma-separated list of ${allowed.join(', ')}${unknown.length > 0 ? `; not ${unknown.map((u) => `"${u}"`).join(', ')}` : ''}.` });
    }
    asked = [...new Set(names as SearchType[])];
    for (const type of asked) {
      if (!can(actor, GRANT_OF[type], 'read')) {
        throw new DomainError('insufficient_scope', `This API key may not read ${GRANT_OF[type]}; it needs the ${GRANT_OF[type]}:read grant to search them.`, {
          required: `${GRANT_OF[type]}:read`,
        });
      }
    }
    return asked;
  }
  const readable = allowed.filter((type) => can(actor, GRANT_OF[type], 'read'));
  if (readable.length === 0) {
    const first = allowed[0] as SearchType;
    throw new DomainError('insufficient_scope', `This API key may read none of ${allowed.map((t) => GRANT_OF[t]).join(', ')}.`, { required: `${GRANT_OF[first]}:read` });
  }
  return readable;
}

function parseLimit(raw: number | string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d{1,3}$/.test(String(raw)) || limit < 1 || limit > MAX_LIMIT) {
    throw new DomainError('validation_error', `limit must be a whole number from 1 to ${MAX_LIMIT}.`, { limit: [`Must be a whole number from 1 to ${MAX_LIMIT}.`] });
  }
  return limit;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
function compareTuples(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

// --- Cursors: opaque, and valid only for the query (words and types) that gave them out ---------

interface LookupPosition {
  k: string;
  t: string;
  y: string;
  i: string;
}
interface SearchCursor extends LookupPosition {
  s: number;
}

/** Scores are match tiers, 0 to 3. */
const SCORES = { min: 0, max: 3 };

function queryKey(endpoint: string, words: string[], types: string | undefined): string {
  return createHash('sha256').update(JSON.stringify([endpoint, words, types ?? null])).digest('base64url').slice(0, 16);
}

const encodeCursor = (cursor: SearchCursor | LookupPosition): string => encodeCursorPayload({ ...cursor });

const badCursor = (): never => {
  throw new DomainError('invalid_cursor', 'The cursor is not valid for this search; start again without a cursor, with the same query and types.', {
    cursor: ['Use meta.next_cursor of the previous page, with the same query and types.'],
  });
};

/** The position a cursor names, each member checked as its column holds it (src/list/cursor.ts). */
function decodeRaw(text: string, key: string): Record<string, unknown> {
  const cursor = readCursorPayload(text);
  const type = cursor?.y;
  if (cursor?.k === key && isCursorText(cursor.t) && typeof type === 'string' && (SEARCH_TYPES as readonly string[]).includes(type) && isCursorText(cursor.i)) return cursor;
  return badCursor();
}

function decodeLookupCursor(text: string, key: string): LookupPosition {
  const raw = decodeRaw(text, key);
  return { k: key, t: raw.t as string, y: raw.y as string, i: raw.i as string };
}

function decodeSearchCursor(text: string, key: string): SearchPosition {
  const raw = decodeRaw(text, key);
  if (!isCursorInteger(raw.s, SCORES)) badCursor();
  return { score: raw.s as number, titleKey: raw.t as string, type: raw.y as string, id: raw.i as string };
}
