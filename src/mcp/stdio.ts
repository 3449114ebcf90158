/**
 * `trellis mcp`: the same tools on stdin/stdout, each run through the SDK
 * against TRELLIS_URL with the agent's key (so the server applies its scope,
 * rate limit and idempotency, and names the key in the event log).
 */
import { APIError, type OperationId, type Trellis } from '@trellis/sdk';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer, type Caller, type KeyAccess } from './server.js';
import type { OpenApiDocument } from './tool-schemas.js';
import { TRELLIS_VERSION } from './version.js';

export async function runStdioMcp(client: Trellis): Promise<void> {
  const me = (await client.me.get()) as unknown as { api_key: { scope: KeyAccess['scope']; grants: string[] } };
  const response = await fetch(`${client.baseUrl}/v1/openapi.json`);
  if (!response.ok) throw new Error(`GET ${client.baseUrl}/v1/openapi.json answered ${response.status}`);
  const document = (await response.json()) as OpenApiDocument;
  const caller: Caller = async (call) => {
    try {
      const body = await client.call(call.operationId as OperationId, { path: pathParams(document, call.operationId, call.path), query: call.query, ...(call.body !== undefined && { body: call.body }) }, call.idempotencyKey ? { idempotencyKey: call.idempotencyKey } : {});
      return { status: 200, body };
    } catch (error) {
      if (error instanceof APIError) return { status: error.status, body: { error: { code: error.code, message: error.message, details: error.details } } };
      throw error;
    }
  };
  const server = createMcpServer({ access: { scope: me.api_key.scope, grants: me.api_key.grants }, document, caller, version: TRELLIS_VERSION });
  await server.connect(new StdioServerTransport());
}

/** The path parameters of a filled path, by the operation's template. */
function pathParams(document: OpenApiDocument, operationId: string, filled: string): Record<string, string> {
  for (const [template, methods] of Object.entries(document.paths)) {
    if (!Object.values(methods).some((op) => op.operationId === operationId)) continue;
    const names: string[] = [];
    const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const match = pattern.exec(filled);
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match?.[i + 1] ?? '')]));
  }
  return {};
}
