/**
 * fast-check arbitraries for fuzzing: hostile leaf values (NUL, lone
 * surrogates, huge and deep values, prototype names, out-of-range numbers),
 * values generated from a JSON schema of the OpenAPI document, and mutations
 * of a valid value (wrong type, missing and extra fields) so most requests get
 * past the first check and probe the next.
 */
import fc from 'fast-check';

export type Schema = Record<string, any>;

export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];

/** A JSON value too deep to write as a JS value: serialized as this many `[` … `]` (see toJson). */
export class Deep {
  constructor(readonly levels: number) {}
}

export const HOSTILE_STRINGS = [
  '', ' ', '\t\n', 'a\u0000b', '\u0000', 'x\ud800', '\udfff', 'a\udc00\ud800b', '😀', '\u202egnp.exe', 'ｆｕｌｌ', 'e\u0301', '\u200b',
  "'; drop table contacts; --", '" or 1=1 --', '%00', '%', '%ED%A0%80', '../../etc/passwd', '..', '{"a":1}', '\\', '\\u0000', '\r\n', '${7*7}', '<script>alert(1)</script>',
  'null', 'true', '-1', '0', '1e309', '9007199254740993', '2147483648', '-2147483649', 'NaN', '2026-02-30', '9999-12-31T23:59:59Z', '0000-01-01',
  'con_01M807GFFF8MEEXBKKKVK895SP', 'https://192.0.2.1/hook', 'mailto:a@b', 'a@b', '@', 'x'.repeat(300), 'é'.repeat(5000),
  ...PROTOTYPE_NAMES,
];

export const HOSTILE_NUMBERS = [0, -1, 1.5, -0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 3_000_000_000, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Any text: printable, any code point, lone surrogates and the curated hostile strings. Never U+FFFD (see the fuzz test). */
/** What broke Trellis before (issue 10), often enough to be tried on most fields in a short run. */
export const KNOWN_ATTACKS = ['x\ud800', '\udfff', 'a\u0000b', '%00', ...PROTOTYPE_NAMES.slice(0, 3)];

export const hostileString: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.constantFrom(...KNOWN_ATTACKS), weight: 3 },
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 6 }), weight: 1 },
    { arbitrary: fc.constantFrom('x'.repeat(20_000), 'a\u0000'.repeat(3000)), weight: 1 },
  )
  .map((text) => text.replaceAll('\ufffd', '?'));

export const hostileNumber = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** A value of any JSON type, hostile where it can be: deep, huge, or not what the field takes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [null], { '': 1 }), weight: 2 },
  { arbitrary: fc.constantFrom(7, 33, 3000, 20_000).map((levels) => new Deep(levels)), weight: 1 },
  { arbitrary: fc.array(hostileStringKeyed(), { maxLength: 3 }), weight: 1 },
);

function hostileStringKeyed(): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileString), hostileString).map(([key, value]) => ownObject([[key, value]]));
}

/** An object with exactly these own keys, `__proto__` included as a plain key. */
export function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** JSON text, with each Deep written as its nesting. */
export function toJson(value: unknown): string {
  const deep: number[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Deep)) return v;
    deep.push(v.levels);
    return `@@deep${deep.length - 1}@@`;
  });
  return (text ?? 'null').replace(/"@@deep(\d+)@@"/g, (_m, i: string) => {
    const levels = deep[Number(i)] ?? 1;
    return '['.repeat(levels) + ']'.repeat(levels);
  });
}

/** A value that fits `schema` (as far as a generator can tell), with ids from `ids` where a field names a record. */
export function schemaValue(schema: Schema | undefined, resolve: (ref: string) => Schema | undefined, ids: string[], depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 5) return fc.constant('x');
  if (typeof schema.$ref === 'string') return schemaValue(resolve(schema.$ref), resolve, ids, depth + 1, name);
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) return fc.oneof(...branches.map((b) => schemaValue(b, resolve, ids, depth + 1, name)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object']) as string[];
  return fc.oneof(...types.map((type) => typedValue(type, schema, resolve, ids, depth, name)));
}

function typedValue(type: string, schema: Schema, resolve: (ref: string) => Schema | undefined, ids: string[], depth: number, name: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -1e15), max: Math.min(schema.maximum ?? 1_000_000, 1e15) });
    case 'string':
      return stringValue(schema, ids, name);
    case 'array':
      return fc.array(schemaValue(schema.items as Schema | undefined, resolve, ids, depth + 1, name), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, schemaValue(s, resolve, ids, depth + 1, key)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
  }
}

let serial = 0;
function stringValue(schema: Schema, ids: string[], name: string): fc.Arbitrary<string> {
  if (/(^|_)ids?$/.test(name) && ids.length > 0) return fc.constantFrom(...ids);
  switch (schema.format) {
    case 'email':
      return fc.constant(null).map(() => `fuzz-${Date.now().toString(36)}-${serial++}@example.com`);
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
      return fc.constantFrom('https://192.0.2.1/hook', 'http://127.0.0.1:9/hook');
  }
  const examples = (schema.examples ?? []) as string[];
  if (typeof schema.pattern === 'string' && examples.length === 0) return fc.constantFrom('+1 555 0100', 'Fuzz', 'fuzz_key', 'USD', '#336699');
  return fc.oneof(fc.constantFrom(...(examples.length > 0 ? examples : ['Fuzz'])), fc.string({ minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.min(schema.maxLength ?? 20, 20) }));
}

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object' && !(value instanceof Deep)) for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

/** What a mutation does at the place it picks. */
export type Mutation = { kind: 'replace'; at: number; value: unknown } | { kind: 'delete'; at: number } | { kind: 'extra'; at: number; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, 'id', 'workspace_id', 'version'), hostileString), value: hostileValue }),
);

/** A copy that keeps Deep markers and own `__proto__` keys (fast-check may hand out the same constant twice). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value === null || typeof value !== 'object' || value instanceof Deep) return value;
  return ownObject(Object.entries(value).map(([k, v]) => [k, copy(v)]));
}

/** `value` with the mutations applied, each at a place picked among the value's paths. */
export function mutate(value: unknown, mutations: Mutation[]): unknown {
  let root = copy(value);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length] ?? [];
    if (path.length === 0) {
      if (m.kind === 'replace') root = copy(m.value);
      else if (m.kind === 'extra' && root !== null && typeof root === 'object' && !Array.isArray(root)) Object.defineProperty(root, m.key, { value: copy(m.value), enumerable: true, writable: true, configurable: true });
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root);
    const key = path[path.length - 1] as string | number;
    if (m.kind === 'replace') parent[key] = copy(m.value);
    else if (m.kind === 'delete' && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (m.kind === 'delete') delete parent[key];
    else if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) Object.defineProperty(parent[key], m.key, { value: copy(m.value), enumerable: true, writable: true, configurable: true });
  }
  return root;
}
