/** The JSON-RPC door's answers, for the OpenAPI document: every status a call can answer (docs/jsonrpc.md, "HTTP status"). */
import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CATALOGUE } from '../domain/errors.js';
import { Nullable, StringEnum } from '../http/schemas.js';

const TrellisError = Type.Object(
  {
    code: StringEnum(Object.keys(ERROR_CATALOGUE), { description: 'The Trellis error code (docs/errors.md).' }),
    message: Type.String({ description: "Trellis's own message." }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Field names (as the client sent them) and their complaints, or other context such as existing_id or current_version.' })),
  },
  { description: 'The Trellis error behind the JSON-RPC one; always present.' },
);

const RpcId = Nullable(Type.Union([Type.String(), Type.Number()], { description: "The call's id; null when the call could not be read." }));

export const RpcAnswer = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: RpcId,
    result: Type.Optional(Type.Unknown({ description: "The method's answer (on success only)." })),
    error: Nullable(
      Type.Object({
        code: Type.Integer({ description: 'A JSON-RPC code (-32700, -32600, -32601, -32602, -32603) or, as Nutshell answers, the HTTP status (401, 403, 404, 409, 422, 429).' }),
        message: Type.String(),
        data: TrellisError,
      }),
    ),
    data: Type.Optional(
      Type.Object(
        { warnings: Type.Array(Type.String()) },
        { description: 'On a success: what was accepted and not kept (a field Trellis has no place for, a read-only field sent with another value).' },
      ),
    ),
  },
  { $id: 'JsonRpcAnswer', title: 'JsonRpcAnswer', description: 'A success has `result` and `"error": null`; an error has `error` and no `result`.' },
);

const answer = (description: string, schema: TSchema = Type.Ref(RpcAnswer)) => ({ description, content: { 'application/json': { schema } } });

/** What POST on a JSON-RPC path answers: a single call with the status its error implies; a batch with 200. */
export const rpcCallResponses = {
  200: answer('A success; or a batch, with one answer per call that has an id.', Type.Union([Type.Ref(RpcAnswer), Type.Array(Type.Ref(RpcAnswer))])),
  204: { description: 'Nothing to answer: a notification, or a batch of notifications.', type: 'null' },
  400: answer('The body is not JSON (-32700), not a call (-32600), or the params are wrong (-32602).'),
  401: answer('A missing, unknown, revoked or expired key (code 401, "API key not found").'),
  403: answer("The key's scope lacks the grant, or the user may not (code 403)."),
  404: answer('No such method (-32601), or no such record (code 404).'),
  409: answer('A duplicate, or a stale rev (code 409, "rev key is out-of-date").'),
  413: answer('The body is larger than 1 MiB (-32600).'),
  422: answer('A business rule, such as a reference to a record not in the workspace (code 422).'),
  429: answer("Over the key's rate limit (code 429), with Retry-After."),
  500: answer('A bug (-32603): the message names the request id.'),
};

const SmdParameter = Type.Object({ name: Type.String(), type: Type.String(), optional: Type.Boolean(), description: Type.String() });

/** What GET on a JSON-RPC path answers: a service description (SMD 2.0). */
export const rpcDescribeResponses = {
  200: Type.Object({
    SMDVersion: Type.Literal('2.0'),
    transport: Type.Literal('POST'),
    envelope: Type.Literal('JSON-RPC-2.0'),
    contentType: Type.String(),
    target: Type.String(),
    description: Type.String(),
    services: Type.Record(Type.String(), Type.Object({ description: Type.String(), auth: StringEnum(['none', 'key'] as const), parameters: Type.Array(SmdParameter) })),
  }),
  400: answer('The URL is not valid (-32600).'),
};
