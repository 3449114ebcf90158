/**
 * The MCP server for one key: the tools that key may use (listed by its
 * scope, so an agent never sees what it cannot call), each run as its REST
 * operation through a caller (in-process for /mcp, the SDK for stdio). Errors
 * come back as tool errors that say how to fix the call.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { can, type Actor, type GrantResource } from '../domain/actor.js';
import { TOOLS, type ToolDefinition } from './tools.js';
import { splitInput, toolRoute, type OpenApiDocument, type ToolRoute } from './tool-schemas.js';

export const MCP_DESTRUCTIVE_GRANT = 'mcp:destructive';

/** What decides the tools a key sees. */
export type KeyAccess = Pick<Actor, 'scope' | 'grants'>;

/** One REST call: the status and the parsed JSON answer. */
export interface OperationCall {
  method: string;
  path: string;
  operationId: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  idempotencyKey: string | undefined;
}
export type Caller = (call: OperationCall) => Promise<{ status: number; body: unknown }>;

export function visibleTools(access: KeyAccess): ToolDefinition[] {
  const actor = access as Actor;
  return TOOLS.filter((tool) => {
    const grants: readonly GrantResource[] = typeof tool.grant === 'string' ? [tool.grant] : tool.grant;
    const allowed = grants.some((grant) => can(actor, grant, tool.kind === 'read' ? 'read' : 'write'));
    return allowed && (tool.kind !== 'destructive' || access.scope === 'full' || access.grants.includes(MCP_DESTRUCTIVE_GRANT));
  });
}

export function createMcpServer(options: { access: KeyAccess; document: OpenApiDocument; caller: Caller; version: string }): Server {
  const tools = visibleTools(options.access);
  const routes = new Map<string, ToolRoute>(tools.map((t) => [t.name, toolRoute(options.document, t.operationId, t.kind !== 'read')]));
  const server = new Server(
    { name: 'trellis', version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        'Trellis is a sales CRM: contacts, companies, leads, deals in pipeline stages, activities and tasks. Find records with search, find_by_email or find_by_phone before creating, so as not to make duplicates; writes take an idempotency_key so a retried call never writes twice. Everything you change is recorded in the event log under this API key.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools.map((t) => describeTool(t, routes.get(t.name) as ToolRoute)) }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = tools.find((t) => t.name === name);
    if (!tool) {
      const exists = TOOLS.some((t) => t.name === name);
      return failure(
        exists
          ? `This API key may not use ${name}. ${TOOLS.find((t) => t.name === name)?.kind === 'destructive' ? `Deleting and merging need a full-access key or one with the ${MCP_DESTRUCTIVE_GRANT} grant.` : 'Ask for a key with the grant it needs.'}`
          : `There is no tool ${name}. The tools are: ${tools.map((t) => t.name).join(', ')}.`,
      );
    }
    const route = routes.get(tool.name) as ToolRoute;
    const input = (request.params.arguments ?? {}) as Record<string, unknown>;
    const missing = route.pathParams.filter((p) => input[p] === undefined || input[p] === '');
    if (missing.length > 0) return failure(`Missing ${missing.join(', ')}: ${tool.name} needs the record's id.`);
    const { path, query, body, idempotencyKey } = splitInput(route, input);
    const url = route.path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(path[p] ?? ''));
    // Every write carries an idempotency key: the agent's, or one for this call.
    const key = tool.kind === 'read' ? undefined : (idempotencyKey ?? `mcp-${randomUUID()}`);
    const answer = await options.caller({ method: route.method, path: url, operationId: tool.operationId, query, body, idempotencyKey: key });
    if (answer.status >= 400) return failure(explain(tool, answer.body));
    const envelope = answer.body as { data?: unknown; meta?: { next_cursor?: string | null; total?: number } } | undefined;
    const result = envelope?.meta && 'next_cursor' in envelope.meta ? { data: envelope.data, next_cursor: envelope.meta.next_cursor, total: envelope.meta.total } : envelope?.data;
    return { content: [{ type: 'text', text: JSON.stringify(result ?? null) }], structuredContent: { result } };
  });
  return server;
}

function describeTool(tool: ToolDefinition, route: ToolRoute): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: route.inputSchema,
    annotations: {
      title: tool.title,
      readOnlyHint: tool.kind === 'read',
      destructiveHint: tool.kind === 'destructive',
      idempotentHint: tool.idempotent ?? false,
      openWorldHint: false,
    },
  };
}

function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The API's error, with what to do about it. */
function explain(tool: ToolDefinition, body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
  if (!error) return `${tool.name} failed without an explanation.`;
  const details = error.details ?? {};
  const lines = [`${error.code}: ${error.message}`];
  const fields = Object.entries(details).filter(([, v]) => Array.isArray(v)) as [string, string[]][];
  if (fields.length > 0) lines.push(`Fix these fields: ${fields.map(([f, m]) => `${f} (${m.join(' ')})`).join('; ')}.`);
  switch (error.code) {
    case 'duplicate':
      lines.push(`The existing record is ${String(details.existing_id)}: update it with its id instead of creating another${tool.name.startsWith('create_contact') || tool.name.startsWith('create_company') ? ', or use the upsert tool' : ''}.`);
      break;
    case 'not_found':
      lines.push('No record has this id in this workspace: find the right id with search or a list tool.');
      break;
    case 'insufficient_scope':
      lines.push(`This key lacks ${String(details.required ?? 'the grant')}; ask for a key that has it.`);
      break;
    case 'rate_limited':
      lines.push(`Wait ${String(details.retry_after ?? 'a few')} seconds, then call again with the same idempotency_key.`);
      break;
    case 'validation_error':
    case 'invalid_filter':
      lines.push(`See the tool's input schema for the allowed fields and values.`);
      break;
  }
  return lines.join('\n');
}
