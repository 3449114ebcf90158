/**
 * Requests for every operation of the OpenAPI document, as fast-check
 * arbitraries: path ids (real, hostile, prototype names), declared and extra
 * query parameters (forged cursors, out-of-range numbers, `constructor`),
 * bodies generated from the operation's schema then mutated, hostile headers
 * and credentials; JSON-RPC calls from the door's own method list.
 */
import fc from 'fast-check';
import { hostileNumber, hostileString, hostileValue, mutate, mutation, ownObject, PROTOTYPE_NAMES, schemaValue, toJson, type Schema } from './fuzz-values.js';

export interface Operation {
  id: string;
  method: string;
  /** As in the document: `/v1/contacts/{id}`. */
  path: string;
  spec: Schema;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

export interface FuzzContext {
  resolve: (ref: string) => Schema | undefined;
  operations: Operation[];
  /** Real record ids for a path, by its first segments (`/v1/contacts`). */
  idsFor: (path: string) => string[];
  allIds: string[];
  key: string;
  email: string;
  operatorToken: string;
  rpcMethods: { name: string; parameters: { name: string; type: string }[] }[];
}

export const RPC_PATHS = ['/api/v1/json', '/v1/rpc', '/v1/json'];
/** Paths that answer errors in JSON-RPC's shape, not the REST envelope. */
export const RPC_DOOR = [...RPC_PATHS, '/v1/rpc/methods'];

export function operationsOf(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, spec] of Object.entries(item)) operations.push({ id: spec.operationId ?? `${method} ${path}`, method: method.toUpperCase(), path, spec });
  }
  return operations;
}

/** Percent-encodes text, lone surrogates included (as the WTF-8 bytes encodeURIComponent refuses to write). */
export function percentEncode(text: string): string {
  if (text.isWellFormed()) return encodeURIComponent(text);
  return [...text].map((ch) => (ch.isWellFormed() ? encodeURIComponent(ch) : wtf8(ch.charCodeAt(0)))).join('');
}
const wtf8 = (code: number) => [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');

const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('created_at', '-created_at', 'updated_at', 'name', 'employee_count', '-duration_seconds', 'status'), fc.array(fc.oneof(hostileString, hostileNumber, fc.constant(null)), { maxLength: 3 }), hostileString).map(([s, v, id]) => base64Json({ s, v, id })),
  fc.record({ k: hostileString, s: hostileNumber, t: hostileString, y: fc.constantFrom('contact', 'lead', 'x'), i: hostileString }).map(base64Json),
  fc.record({ t: fc.constant('timeline'), at: hostileNumber, id: hostileString }).map(base64Json),
  hostileString,
);

const EXTRA_PARAMS = [...PROTOTYPE_NAMES, ...PROTOTYPE_NAMES.map((n) => `${n}[gt]`), 'employee_count[gt]', 'duration_seconds[gte]', 'value.amount[lt]', 'created_at[in]', 'updated_at[gt]', 'name[in]', 'email[contains]', 'first_name[zz]', 'status[exists]', 'limit', 'cursor', 'sort', 'q'];
const NUMBERISH = ['3000000000', '-2147483649', '2147483647', '1e3', '0x10', '-0', '1,2,2147483648', 'true', '2026-01-01', '2026-13-45T99:00:00Z'];

function queryValue(name: string): fc.Arbitrary<string> {
  if (name === 'cursor') return forgedCursor;
  if (name === 'limit') return fc.oneof(fc.constantFrom('1', '25', '100', '0', '101', '-1', '1e2', '2.5'), hostileString);
  if (name === 'sort') return fc.oneof(fc.constantFrom('created_at', '-updated_at', 'name', '-employee_count', 'first_name,-last_name', 'a,b,c,d', '-', ...PROTOTYPE_NAMES), hostileString);
  return fc.oneof(hostileString, fc.constantFrom(...NUMBERISH));
}

function queryString(op: Operation): fc.Arbitrary<string> {
  const declared = ((op.spec.parameters ?? []) as Schema[]).filter((p) => p.in === 'query').map((p) => p.name as string);
  const pairs = fc.tuple(
    fc.subarray(declared, { maxLength: Math.min(4, declared.length) }).chain((names) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), queryValue(n))))),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...EXTRA_PARAMS), hostileString), fc.oneof(hostileString, fc.constantFrom(...NUMBERISH))), { maxLength: 2 }),
    fc.boolean(),
  );
  // Over 16 KiB the URL is refused before routing (431, tested in http-raw.test.ts): keep most URLs below, to reach the routes.
  // Either order: a server checks parameters one by one, and each should get to be the first it meets.
  return pairs.map(([given, extra, extraFirst]) => (extraFirst ? [...extra, ...given] : [...given, ...extra]).map(([k, v]) => `${percentEncode(k).slice(0, 1500)}=${percentEncode(v).slice(0, 1500)}`).join('&'));
}

function pathOf(op: Operation, ctx: FuzzContext): fc.Arbitrary<string> {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  if (params.length === 0) return fc.constant(op.path);
  const ids = ctx.idsFor(op.path);
  const id = fc.oneof({ arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : fc.constant('x'), weight: 4 }, { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES), weight: 1 }, { arbitrary: hostileString.filter((s) => s.length < 2000), weight: 2 });
  return fc.tuple(...params.map(() => id)).map((values) => values.reduce<string>((path, value, i) => path.replace(`{${params[i]}}`, percentEncode(value)), op.path));
}

const RAW_BODIES: (string | Buffer)[] = ['', '{', 'null', '[]', '"x"', '{"a":1,}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', Buffer.from('{"name":"caf\xe9"}', 'latin1'), `{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`];

function bodyOf(op: Operation, ctx: FuzzContext): fc.Arbitrary<string | Buffer | undefined> {
  let schema = op.spec.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  if (schema && op.id.endsWith('.bulk')) {
    // Bulk records are typed as unknown: each is the resource's create body.
    const create = ctx.operations.find((o) => o.id === op.id.replace(/\.bulk$/, '.create'));
    schema = { ...schema, properties: { ...schema.properties, records: { type: 'array', items: create?.spec.requestBody?.content?.['application/json']?.schema } } };
  }
  const raw = fc.constantFrom(...RAW_BODIES);
  if (!schema) return fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: raw, weight: 1 }, { arbitrary: hostileValue.map(toJson), weight: 1 });
  const valid = schemaValue(schema, ctx.resolve, ctx.allIds);
  const mutated = fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([value, mutations]) => mutate(value, mutations));
  return fc.oneof({ arbitrary: valid.map(toJson), weight: 2 }, { arbitrary: mutated.map(toJson), weight: 6 }, { arbitrary: raw, weight: 1 });
}

const HOSTILE_HEADERS: Record<string, string[]> = {
  'idempotency-key': ['k1', 'x'.repeat(300), 'caf\xe9', ' ', 'a b'],
  'if-match': ['"1"', 'W/"2"', '*', '"99999999999999999999"', 'garbage', '"-1"', '1'],
  'x-request-id': ['a'.repeat(200), '<x>', 'req_1'],
  accept: ['text/csv', '*/*', 'application/xml', ''],
  range: ['bytes=0-0', 'bytes=999999999-', 'bytes=x'],
  'x-forwarded-for': ['1.1.1.1, garbage', '::1'],
  'accept-encoding': ['gzip, br, zstd, x'],
  cookie: ['a=b; __proto__=c'],
  'if-none-match': ['*'],
};

function headersOf(op: Operation, ctx: FuzzContext, rpc: boolean): fc.Arbitrary<Record<string, string>> {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  const valid = op.id === 'workspaces.create' ? `Bearer ${ctx.operatorToken}` : rpc ? basic(`${ctx.email}:${ctx.key}`) : `Bearer ${ctx.key}`;
  const hostileAuth = [`${valid} junk`, 'Bearer ', `Bearer trl_live_${'x'.repeat(40)}`, 'Basic !!!', basic('a:b:c'), basic(`\xe9:${ctx.key}`), 'Digest a b', `bearer ${ctx.key}`];
  const auth = fc.oneof({ arbitrary: fc.constant(valid), weight: 8 }, { arbitrary: fc.constantFrom(...hostileAuth), weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });
  const contentType = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined), weight: 1 });
  const extra = fc.subarray(Object.keys(HOSTILE_HEADERS), { maxLength: 3 }).chain((names) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), fc.constantFrom(...(HOSTILE_HEADERS[n] as string[]))))));
  return fc.tuple(auth, contentType, extra).map(([authorization, type, pairs]) => ({
    ...Object.fromEntries(pairs),
    ...(authorization !== undefined && { authorization }),
    ...(type !== undefined && { 'content-type': type }),
  }));
}

const nutshellEntity = fc.record(
  {
    name: fc.oneof(hostileString, fc.constant('Fuzz Name'), fc.record({ givenName: hostileString, familyName: hostileString })),
    email: fc.oneof(hostileValue, fc.constant({ 0: 'a@example.com', '--primary': 'a@example.com' })),
    phone: hostileValue,
    customFields: hostileValue,
    tags: fc.array(hostileString, { maxLength: 2 }),
    owner: hostileValue,
    accounts: hostileValue,
    participants: fc.array(fc.record({ entityType: fc.oneof(fc.constantFrom('Contacts', 'Accounts'), hostileString), id: hostileValue }), { maxLength: 2 }),
    address: hostileValue,
    title: hostileString,
    description: hostileString,
    entityType: hostileString,
    rev: hostileValue,
  },
  { requiredKeys: [] },
);

function rpcParam(type: string): fc.Arbitrary<unknown> {
  if (type.includes('object')) return fc.oneof(nutshellEntity, hostileValue);
  if (type.includes('integer')) return fc.oneof(fc.nat(200), hostileNumber, hostileValue);
  return hostileValue;
}

function rpcCall(ctx: FuzzContext): fc.Arbitrary<unknown> {
  const known = fc.constantFrom(...ctx.rpcMethods).chain((method) =>
    fc.tuple(
      fc.constant(method.name),
      fc.oneof(
        fc.tuple(...method.parameters.map((p) => fc.option(rpcParam(p.type), { nil: undefined }).map((v) => [p.name, v] as [string, unknown]))).map((entries) => ownObject(entries.filter(([, v]) => v !== undefined))),
        fc.array(hostileValue, { maxLength: 4 }),
        fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES), hostileValue).map(([k, v]) => ownObject([[k, v]])),
      ),
    ),
  );
  const unknown = fc.tuple(fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_NAMES)), hostileValue);
  return fc
    .tuple(fc.oneof({ arbitrary: known, weight: 6 }, { arbitrary: unknown, weight: 1 }), fc.constantFrom<unknown>('2.0', '2.0', '1.0', undefined), fc.oneof(fc.nat(), hostileString, fc.constant(null), hostileValue), fc.boolean())
    .map(([[method, params], jsonrpc, id, notification]) => ({ ...(jsonrpc !== undefined && { jsonrpc }), method, params, ...(!notification && { id }) }));
}

function rpcBody(ctx: FuzzContext): fc.Arbitrary<string | Buffer | undefined> {
  const call = rpcCall(ctx);
  return fc.oneof(
    { arbitrary: call.map(toJson), weight: 5 },
    { arbitrary: fc.array(call, { minLength: 1, maxLength: 4 }).map(toJson), weight: 2 },
    { arbitrary: fc.tuple(call, fc.array(mutation, { minLength: 1, maxLength: 2 })).map(([c, m]) => toJson(mutate(c, m))), weight: 2 },
    { arbitrary: fc.constantFrom(...RAW_BODIES), weight: 1 },
  );
}

/** Every request this fuzz may send for `op`. */
export function requestsFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const rpc = op.method === 'POST' && RPC_PATHS.includes(op.path);
  const body = rpc ? rpcBody(ctx) : bodyOf(op, ctx);
  return fc.tuple(pathOf(op, ctx), queryString(op), headersOf(op, ctx, rpc), body).map(([path, query, headers, text]) => {
    const request: FuzzRequest = {
      method: op.method,
      url: query === '' ? path : `${path}?${query}`,
      headers: text === undefined ? Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type')) : headers,
      body: op.method === 'GET' || op.method === 'HEAD' ? undefined : text,
    };
    // fast-check prints a failing request with this: short enough to read, long enough to replay by hand.
    return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
  });
}

export function describeRequest(request: FuzzRequest): string {
  const cut = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text);
  const body = request.body === undefined ? '' : ` body ${cut(Buffer.isBuffer(request.body) ? `<bytes ${request.body.toString('latin1')}>` : JSON.stringify(request.body))}`;
  return `${request.method} ${cut(request.url)} headers ${JSON.stringify(request.headers)}${body}`;
}
