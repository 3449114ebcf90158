/**
 * POST /mcp: the MCP server over Streamable HTTP (stateless: each request
 * stands alone), authenticated by the API key like the REST API. A tool call
 * runs its REST operation in-process (Fastify's inject) with the same key,
 * so auth, scopes, rate limits, idempotency and events are the REST API's own.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../http/auth.js';
import type { Caller } from './server.js';
import type { OpenApiDocument } from './tool-schemas.js';
import { TRELLIS_VERSION } from './version.js';

/** The MCP SDK is loaded on the first MCP request, not at every start. */
const loadMcp = async () => ({
  ...(await import('@modelcontextprotocol/sdk/server/streamableHttp.js')),
  ...(await import('./server.js')),
});

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

export function mcpRoutes(app: FastifyInstance): void {
  let document: OpenApiDocument | undefined;
  app.post('/mcp', { config: { auth: 'key', idempotency: false }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    document ??= app.swagger() as unknown as OpenApiDocument;
    const credentials = Object.fromEntries(CREDENTIAL_HEADERS.flatMap((h) => (typeof request.headers[h] === 'string' ? [[h, request.headers[h] as string]] : [])));
    const caller: Caller = async (call) => {
      const query = new URLSearchParams(call.query).toString();
      const response = await app.inject({
        method: call.method as 'GET',
        url: `${call.path}${query ? `?${query}` : ''}`,
        headers: { ...credentials, 'x-request-id': request.id, ...(call.idempotencyKey && { 'idempotency-key': call.idempotencyKey }), ...(call.body !== undefined && { 'content-type': 'application/json' }) },
        ...(call.body !== undefined && { payload: JSON.stringify(call.body) }),
      });
      return { status: response.statusCode, body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown) };
    };
    const { createMcpServer, StreamableHTTPServerTransport } = await loadMcp();
    const server = createMcpServer({ access: actor, document, caller, version: TRELLIS_VERSION });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  // Stateless: no server-sent event stream to open and no session to end.
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({ method, url: '/mcp', config: { auth: 'public' }, schema: { hide: true }, handler: async (_request, reply) => reply.status(405).header('allow', 'POST').send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; POST JSON-RPC messages to /mcp.' }, id: null }) });
  }
}
