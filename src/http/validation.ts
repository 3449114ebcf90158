/**
 * How every door checks what clients send, so REST, JSON-RPC, bulk items and
 * the SnapCRM intake refuse the same things with the same messages: unknown
 * fields are refused (not silently dropped), types are not coerced (`"42"` for
 * a number is an error), and text must be what the databases store unchanged:
 * UTF-8 on the wire, well-formed Unicode (no lone UTF-16 surrogate, which
 * SQLite and PostgreSQL would each replace differently) and no NUL character
 * (PostgreSQL cannot store one). Bodies nest at most MAX_BODY_DEPTH levels, and
 * nothing here recurses, so a hostile body costs no more than its size.
 * Query strings are the exception: they are text, so their numbers and
 * booleans are coerced to the types the route declares.
 */
import { isUtf8 } from 'node:buffer';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { invalidFields } from '../domain/errors.js';
import { textProblem } from '../domain/text.js';

/** How deep objects and arrays may nest in any request body (a CRM record needs a handful of levels). */
export const MAX_BODY_DEPTH = 32;

/** The schema keyword that bounds how deep a value nests (itself counted), e.g. `custom_fields`. */
export const MAX_DEPTH_KEYWORD = 'x-max-depth';

export function createRequestValidator(part: 'body' | 'querystring' = 'body'): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: part === 'querystring', removeAdditional: false, useDefaults: true, strict: false });
  formats.default(ajv);
  ajv.addKeyword({
    keyword: MAX_DEPTH_KEYWORD,
    type: ['object', 'array'],
    schemaType: 'number',
    error: { message: (cxt) => `must nest objects and arrays at most ${String(cxt.schemaValue)} levels deep` },
    validate: (limit: number, data: unknown) => depthWithin(data, limit),
  });
  return ajv;
}

/** A request body as text: refused unless it is UTF-8 (a decoder would silently replace what is not). */
export function bodyText(body: Buffer): string {
  if (!isUtf8(body)) throw invalidFields({ body: 'The body must be UTF-8 text.' });
  return body.toString('utf8');
}

/** Whether `value` nests objects and arrays at most `limit` levels deep, itself counted; stops looking past the limit. */
export function depthWithin(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const item of level) {
      if (item === null || typeof item !== 'object') continue;
      if (depth >= limit) return false;
      for (const child of Array.isArray(item) ? item : Object.values(item)) next.push(child);
    }
    level = next;
  }
  return true;
}

export const PROTOTYPE_NAME = '__proto__ and constructor.prototype may not be used as names.';

export interface InputProblem {
  /** Where, as a dotted path (`custom_fields.notes.0`); empty for the value itself. */
  path: string;
  message: string;
}

interface Node {
  value: unknown;
  depth: number;
  key: string | undefined;
  parent: Node | undefined;
}

const pathOf = (node: Node | undefined): string => {
  const keys: string[] = [];
  for (let n = node; n !== undefined && n.key !== undefined; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
};

/**
 * The first thing in a parsed JSON value that no door accepts: nesting deeper
 * than MAX_BODY_DEPTH, text (values or names) that is not well-formed Unicode
 * or holds NUL, or a `__proto__` (or `constructor.prototype`) name. `source` is the JSON text it was parsed
 * from: without a `\u` escape in it, no string can hold NUL or a lone
 * surrogate, and only the depth is checked.
 */
export function findInputProblem(value: unknown, source?: string): InputProblem | undefined {
  const checkText = source === undefined || source.includes('\\u');
  const stack: Node[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const item = node.value;
    if (typeof item === 'string') {
      const problem = checkText ? textProblem(item) : undefined;
      if (problem) return { path: pathOf(node), message: problem };
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    // Named by the top-level field it is under: the full path would be as long as the nesting.
    if (node.depth > MAX_BODY_DEPTH) return { path: pathOf(node).split('.', 1)[0] ?? '', message: `Objects and arrays may nest at most ${MAX_BODY_DEPTH} levels deep.` };
    const entries: [string, unknown][] = Array.isArray(item) ? item.map((v, i) => [String(i), v]) : Object.entries(item);
    for (const [key, child] of entries) {
      const here: Node = { value: child, depth: node.depth + 1, key, parent: node };
      if (!Array.isArray(item)) {
        const prototypeName = key === '__proto__' || (key === 'prototype' && node.key === 'constructor');
        const problem = prototypeName ? PROTOTYPE_NAME : checkText ? textProblem(key) : undefined;
        if (problem) return { path: pathOf(here), message: problem };
      }
      stack.push(here);
    }
  }
  return undefined;
}

/** Throws validation_error naming the place when `value` holds something no door accepts. */
export function checkInput(value: unknown, source: string | undefined, context: string): void {
  const problem = findInputProblem(value, source);
  if (problem) throw invalidFields({ [problem.path || context]: problem.message });
}

/**
 * Throws validation_error when the URL as sent holds what no route accepts:
 * NUL, percent-escapes that are not UTF-8 (a parser would keep them as
 * literal text), or `.`/`..` segments.
 */
export function checkUrl(url: string): void {
  if (url.includes('%00')) throw invalidFields({ url: 'The URL may not contain NUL characters.' });
  if (url.includes('%')) {
    try {
      decodeURIComponent(url);
    } catch {
      throw invalidFields({ url: 'The URL holds a percent-escape that is not UTF-8.' });
    }
  }
  const path = url.split('?', 1)[0] ?? '';
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) throw invalidFields({ url: 'The URL may not contain . or .. segments.' });
}
