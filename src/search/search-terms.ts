/**
 * What a search string means, independent of the database: the words (split as
 * FTS5's unicode61 tokenizer splits text, so a word is always one indexed
 * token), phone numbers as digits, and which fields of a hit a word matched.
 * Words hold only letters, digits and marks, so no query syntax of either
 * database can be smuggled in with them.
 */
import type { GrantResource } from '../domain/actor.js';

export const SEARCH_TYPES = ['contact', 'company', 'lead', 'deal'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const GRANT_OF: Record<SearchType, GrantResource> = { contact: 'contacts', company: 'companies', lead: 'leads', deal: 'deals' };

export const MAX_QUERY_LENGTH = 200;
export const MAX_WORDS = 10;

/** Separators: everything but letters, digits, marks and private-use characters (as unicode61 treats them). */
const SEPARATORS = /[^\p{L}\p{N}\p{M}\p{Co}]+/u;

/**
 * "+1 (555) 010-2030", "020 7946 0958", "555.010.2030": a run of digits and phone punctuation with at
 * least 7 digits, standing apart: digits inside a word ("quil2116174b17") are part of that word.
 */
const PHONE_RUN = /(?<![\p{L}\p{N}\p{M}])[+(]?\d[\d ().\-/]*\d\)?(?![\p{L}\p{N}\p{M}])/gu;
const MIN_PHONE_RUN_DIGITS = 7;

/**
 * Lower case without accents, for comparing words in JS, as the databases fold when they index:
 * a letter that decomposes into a letter and marks loses the marks (é → e, å → a); ø, ł, æ stay.
 */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function tokens(text: string): string[] {
  return text.split(SEPARATORS).filter((t) => t !== '');
}

/**
 * The words of a search: a phone number written with spaces or punctuation
 * becomes its digits (one word), the rest splits at anything that is not a
 * letter or digit. Lower-cased, duplicates dropped; a word of marks only is no word.
 */
export function searchWords(q: string): string[] {
  const collapsed = q.replace(PHONE_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return digits.length >= MIN_PHONE_RUN_DIGITS ? ` ${digits} ` : run;
  });
  const words = tokens(collapsed)
    .map((t) => t.toLowerCase())
    .filter((t) => fold(t) !== '');
  return [...new Set(words)];
}

/** Which fields of a hit hold a word that some search word begins. */
export function matchedFields(words: string[], fields: [string, string][]): string[] {
  const wanted = words.map(fold);
  return fields
    .filter(([, text]) => {
      const have = tokens(text).map(fold);
      return have.some((token) => wanted.some((w) => token.startsWith(w)));
    })
    .map(([name]) => name);
}

// --- Phone numbers -------------------------------------------------------------------------

/**
 * The digits of a phone number up to its extension: the first letter or one of `#*,;`
 * ends the number, so "+1 (555) 010-2030 ext. 7" is 15550102030. The same rule as the
 * index (the search migration's digit functions).
 */
export function phoneDigits(text: string): string {
  const number = /^[^A-Za-z#*,;]*/.exec(text)?.[0] ?? '';
  return number.replace(/\D/g, '');
}

/** A leading 00 is the international call prefix, written for "+". */
const international = (digits: string): string => (digits.startsWith('00') ? digits.slice(2) : digits);

const MIN_NATIONAL_DIGITS = 7;

/**
 * Whether two numbers (as digits) are the same: equal digits, or one is the
 * other with a country code of 1 to 3 digits in front, where the shorter may
 * also start with a trunk 0 the international form drops (020 7946 0958 is
 * +44 20 7946 0958). The shorter number needs at least 7 digits after its trunk 0.
 * A leading 00 counts as "+".
 */
export function samePhone(a: string, b: string): boolean {
  const x = international(a);
  const y = international(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  const national = short.startsWith('0') ? short.slice(1) : short;
  const extra = long.length - national.length;
  return national.length >= MIN_NATIONAL_DIGITS && extra >= 1 && extra <= 3 && long.endsWith(national);
}

/**
 * Index tokens that every number the same as `digits` (by samePhone) carries: the index
 * holds each number whole and each of its endings of 4 or more digits. The hits are then
 * checked with samePhone.
 */
export function phoneCandidates(digits: string): string[] {
  const d = international(digits);
  const candidates = new Set<string>([digits, d]);
  if (d.startsWith('0')) candidates.add(d.slice(1));
  for (let k = 1; k <= 3 && d.length - k >= MIN_NATIONAL_DIGITS - 1; k++) {
    candidates.add(d.slice(k));
    candidates.add(`0${d.slice(k)}`);
  }
  return [...candidates].filter((c) => c !== '');
}
