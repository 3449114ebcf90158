/**
 * JSON-RPC 2.0, transport-neutral: reading a payload (a call or a batch),
 * binding named or positional params, running the calls and shaping the
 * answers. Lenient where real clients need it: `"jsonrpc"` may be left out,
 * a success carries `"error": null`, and every error carries `data` (the
 * Trellis error: code, message, details), since clients read it
 * unconditionally. Nothing here knows HTTP.
 */
import { DomainError, ERROR_CATALOGUE, type ErrorCode, type ErrorDetails } from '../domain/errors.js';
import { findInputProblem } from '../http/validation.js';

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** The most calls one batch may hold. */
export const MAX_BATCH = 100;

export type RpcId = string | number | null;
export type Args = Record<string, unknown>;

/** The Trellis error behind a JSON-RPC error: its catalogue code, message and details. */
export interface TrellisError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data: TrellisError;
}

/** On a success, what was accepted and not kept. */
export interface SuccessData {
  warnings: string[];
}

export type RpcResponse = { jsonrpc: '2.0'; id: RpcId; result: unknown; error: null; data?: SuccessData } | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

export const trellisError = (code: ErrorCode, message: string, details?: ErrorDetails): TrellisError => ({ code, message, ...(details !== undefined && { details }) });

/** A protocol error a method or the binding raises (invalid params, mostly). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: TrellisError,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** -32602; `details` names each param or field as the client sent it. */
export const invalidParams = (message: string, details?: ErrorDetails): RpcError => new RpcError(INVALID_PARAMS, message, trellisError('validation_error', message, details));

const invalidRequest = (reason: string): RpcErrorObject => ({ code: INVALID_REQUEST, message: 'Invalid Request', data: trellisError('validation_error', reason) });

export interface Param {
  name: string;
  description: string;
  required?: boolean;
  /** For the method list: string, integer, object, array, boolean, or several joined by `|`. */
  type?: string;
}

export interface RpcMethod<Ctx> {
  name: string;
  description: string;
  /** In positional order. */
  params: readonly Param[];
  /** Answered without an API key (discovery). */
  public?: boolean;
  run(context: Ctx, args: Args): Promise<unknown>;
}

export interface Call {
  id: RpcId;
  /** No `id` member: the client wants no answer. */
  notification: boolean;
  method: string;
  params: unknown[] | Args | undefined;
}

type Entry = { call: Call } | { invalid: RpcErrorObject; id: RpcId };

/** A payload as read: one call, a batch, or an error that answers the whole payload. */
export type Payload = { kind: 'single'; entry: Entry } | { kind: 'batch'; entries: Entry[] } | { kind: 'refused'; error: RpcErrorObject };

export function readPayload(text: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'refused', error: { code: PARSE_ERROR, message: 'Parse error', data: trellisError('invalid_json', ERROR_CATALOGUE.invalid_json.message) } };
  }
  // The checks every door makes (text, depth, names): the payload is not read further when they fail.
  const problem = findInputProblem(value, text);
  if (problem) return { kind: 'refused', error: invalidRequest(problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`) };
  if (!Array.isArray(value)) return { kind: 'single', entry: readEntry(value) };
  if (value.length === 0) return { kind: 'refused', error: invalidRequest('A batch holds at least one call.') };
  if (value.length > MAX_BATCH) return { kind: 'refused', error: invalidRequest(`A batch holds at most ${MAX_BATCH} calls.`) };
  return { kind: 'batch', entries: value.map(readEntry) };
}

function readEntry(value: unknown): Entry {
  const invalid = (reason: string, id: RpcId = null): Entry => ({ invalid: invalidRequest(reason), id });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('A call is an object.');
  const request = value as Record<string, unknown>;
  const hasId = 'id' in request;
  const id = request.id;
  if (hasId && id !== null && typeof id !== 'string' && typeof id !== 'number') return invalid('id is a string, a number or null.');
  const echo = (id ?? null) as RpcId;
  if (request.jsonrpc !== undefined && request.jsonrpc !== '2.0') return invalid('jsonrpc, when given, is "2.0".', echo);
  if (typeof request.method !== 'string' || request.method === '') return invalid('method is a non-empty string.', echo);
  const params = request.params;
  if (params !== undefined && (typeof params !== 'object' || params === null)) return invalid('params is an object or an array.', echo);
  return { call: { id: echo, notification: !hasId, method: request.method, params: params as Call['params'] } };
}

/** Named params as given, or positional ones named in the method's order; unknown or missing ones are -32602. */
export function bindParams(method: Pick<RpcMethod<unknown>, 'name' | 'params'>, params: Call['params']): Args {
  const names = method.params.map((p) => p.name);
  let args: Args;
  if (Array.isArray(params)) {
    if (params.length > names.length) throw invalidParams(`${method.name} takes at most ${names.length} params: ${names.join(', ') || 'none'}.`);
    args = Object.fromEntries(params.map((value, i) => [names[i] as string, value]));
  } else {
    args = params ?? {};
    const unknown = Object.keys(args).filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      const message = `${method.name} has no param ${unknown.join(', ')}; its params are: ${names.join(', ') || 'none'}.`;
      throw invalidParams(message, Object.fromEntries(unknown.map((name) => [name, [`${method.name} has no param ${name}.`]])));
    }
  }
  const missing = method.params.filter((p) => p.required && args[p.name] === undefined).map((p) => p.name);
  if (missing.length > 0) throw invalidParams(`${method.name} needs ${missing.join(', ')}.`, Object.fromEntries(missing.map((name) => [name, [`${name} is required.`]])));
  return args;
}

export interface Dispatcher<Ctx> {
  find(name: string): RpcMethod<Ctx> | undefined;
  /**
   * Called once per payload, before any call runs, with the number of calls
   * that need a key; returns what makes each call's context. When it throws,
   * each of those calls answers with that error.
   */
  authenticate(calls: number): Promise<() => Ctx>;
  anonymous(): Ctx;
  /** Messages a dialect gives some domain errors instead of the service's own. */
  messages?: Partial<Record<ErrorCode, string>>;
  /** An error that is a bug: log it, answer -32603. */
  unexpected(error: unknown): RpcErrorObject;
  /** What a call that succeeded accepted and did not keep. */
  warnings?(context: Ctx): string[];
}

/**
 * Runs every call of the payload, in order, and collects the answers: one
 * for a single call, an array for a batch, null when there is nothing to
 * answer (notifications only).
 */
export async function dispatch<Ctx>(payload: Payload, dispatcher: Dispatcher<Ctx>): Promise<RpcResponse | RpcResponse[] | null> {
  if (payload.kind === 'refused') return { jsonrpc: '2.0', id: null, error: payload.error };
  const entries = payload.kind === 'single' ? [payload.entry] : payload.entries;
  const needsKey = entries.filter((e) => 'call' in e && isKeyed(dispatcher.find(e.call.method))).length;
  let contextFor: (() => Ctx) | undefined;
  let refusal: RpcErrorObject | undefined;
  if (needsKey > 0) {
    try {
      contextFor = await dispatcher.authenticate(needsKey);
    } catch (error) {
      refusal = errorObject(error, dispatcher);
    }
  }
  const responses: RpcResponse[] = [];
  for (const entry of entries) {
    if ('invalid' in entry) {
      responses.push({ jsonrpc: '2.0', id: entry.id, error: entry.invalid });
      continue;
    }
    const { call } = entry;
    const answer = await invoke(call, dispatcher, contextFor, refusal);
    if (!call.notification) responses.push(answer);
  }
  if (payload.kind === 'single') return responses[0] ?? null;
  return responses.length > 0 ? responses : null;
}

const isKeyed = <Ctx>(method: RpcMethod<Ctx> | undefined): boolean => method !== undefined && method.public !== true;

async function invoke<Ctx>(call: Call, dispatcher: Dispatcher<Ctx>, contextFor: (() => Ctx) | undefined, refusal: RpcErrorObject | undefined): Promise<RpcResponse> {
  const method = dispatcher.find(call.method);
  if (!method) {
    const data = trellisError('not_found', `There is no method ${call.method}; GET this endpoint for the list.`, { method: call.method });
    return { jsonrpc: '2.0', id: call.id, error: { code: METHOD_NOT_FOUND, message: 'Method not found', data } };
  }
  try {
    let context: Ctx;
    if (method.public) context = dispatcher.anonymous();
    else if (contextFor) context = contextFor();
    else return { jsonrpc: '2.0', id: call.id, error: refusal ?? dispatcher.unexpected(new Error('a keyed call without a context')) };
    const result = await method.run(context, bindParams(method, call.params));
    const warnings = dispatcher.warnings?.(context) ?? [];
    return { jsonrpc: '2.0', id: call.id, result: result ?? null, error: null, ...(warnings.length > 0 && { data: { warnings } }) };
  } catch (error) {
    return { jsonrpc: '2.0', id: call.id, error: errorObject(error, dispatcher) };
  }
}

/** Domain errors by their catalogue entry's JSON-RPC code; anything unknown is a bug (-32603). */
function errorObject(error: unknown, dispatcher: Pick<Dispatcher<unknown>, 'messages' | 'unexpected'>): RpcErrorObject {
  if (error instanceof RpcError) return { code: error.code, message: error.message, data: error.data };
  if (error instanceof DomainError) {
    const dialect = dispatcher.messages?.[error.code];
    return { code: ERROR_CATALOGUE[error.code].rpcCode, message: dialect ?? error.message, data: trellisError(error.code, error.message, error.details) };
  }
  return dispatcher.unexpected(error);
}
