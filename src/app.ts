/**
 * The Trellis HTTP application as one function, so the server, the tests and
 * the benchmarks boot exactly the same thing.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
import type { Config } from './config.js';
import { openStorage } from './db/database.js';
import { installAuth, stillAuthenticated } from './http/auth.js';
import { bodyText, checkInput, checkUrl, createRequestValidator } from './http/validation.js';
import { clientErrorHandler, installHttpErrors } from './http/client-errors.js';
import { installErrorHandler, sendError } from './http/error-handler.js';
import { installIdempotency } from './http/idempotency.js';
import { installNotFound } from './http/not-found.js';
import { installWebApp } from './http/web-app.js';
import { requestIdFor } from './http/request-id.js';
import { ErrorEnvelope } from './http/schemas.js';
import { lazily, lazySerializers } from './http/lazy-compilers.js';
import type { DomainError } from './domain/errors.js';
import { systemClock, type Clock } from './platform/clock.js';
import { createRateLimiter } from './platform/rate-limiter.js';
import { ApiKeyOut, NewApiKeyOut, RotatedApiKeyOut } from './resources/api-keys/api-keys.schema.js';
import { apiKeyRoutes } from './resources/api-keys/api-keys.routes.js';
import { CompanyOut } from './resources/companies/companies.schema.js';
import { companyRoutes } from './resources/companies/companies.routes.js';
import { ContactOut } from './resources/contacts/contacts.schema.js';
import { contactRoutes } from './resources/contacts/contacts.routes.js';
import { meRoutes } from './resources/me/me.routes.js';
import { UserOut } from './resources/users/users.schema.js';
import { userRoutes } from './resources/users/users.routes.js';
import { WorkspaceOut } from './resources/workspaces/workspaces.schema.js';
import { workspaceRoutes } from './resources/workspaces/workspaces.routes.js';
import { createServices, type Services } from './services.js';
import { DealOut, StageChangeOut } from './resources/deals/deals.schema.js';
import { dealRoutes } from './resources/deals/deals.routes.js';
import { ConversionOut, LeadOut } from './resources/leads/leads.schema.js';
import { leadRoutes } from './resources/leads/leads.routes.js';
import { ActivityOut } from './resources/activities/activities.schema.js';
import { activityRoutes } from './resources/activities/activities.routes.js';
import { TaskOut } from './resources/tasks/tasks.schema.js';
import { taskRoutes } from './resources/tasks/tasks.routes.js';
import { TimelineEntryOut, timelineRoutes } from './resources/timeline/timeline.routes.js';
import { PipelineOut, StageOut } from './resources/pipelines/pipelines.schema.js';
import { pipelineRoutes } from './resources/pipelines/pipelines.routes.js';
import { TagOut, TagRefOut } from './resources/tags/tags.schema.js';
import { tagRoutes } from './resources/tags/tags.routes.js';
import { eventRoutes } from './events/events.routes.js';
import { eventStreamRoutes } from './events/events.stream.js';
import { DeliveryWorker } from './webhooks/delivery-worker.js';
import { WebhookSender } from './webhooks/sender.js';
import { EventOut, WebhookDeliveryOut, WebhookEndpointOut } from './webhooks/webhooks.schema.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';
import { rpcRoutes } from './rpc/rpc.routes.js';
import { RpcAnswer } from './rpc/rpc.schema.js';
import { searchRoutes } from './search/search.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { snapCrmRoutes } from './snapcrm/snapcrm.routes.js';
import { sandboxRoutes } from './resources/sandboxes/sandboxes.routes.js';
import { ImportOut } from './imports/imports.schema.js';
import { importRoutes } from './imports/imports.routes.js';
import { ImportRunner } from './imports/import-runner.js';
import { ImportRepository } from './imports/imports.repository.js';
import { exportRoutes } from './exports/exports.routes.js';
import { mcpRoutes } from './mcp/mcp.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { InvitationOut, NewInvitationOut, SessionListItemOut, SessionOut } from './auth/auth.schema.js';
import { bufferedStdout } from './platform/log-destination.js';
import { postgresBus, redisBus } from './resources/api-keys/credential-cache.js';

export const API_VERSION = 'v1';
const BODY_LIMIT = 1024 * 1024;

/** Schemas referenced by name (`Type.Ref('Contact')`) from routes and the OpenAPI document. */
const SHARED_SCHEMAS = [ErrorEnvelope, TagRefOut, TagOut, ContactOut, CompanyOut, UserOut, ApiKeyOut, NewApiKeyOut, RotatedApiKeyOut, WorkspaceOut, StageOut, PipelineOut, DealOut, StageChangeOut, LeadOut, ConversionOut, ActivityOut, TaskOut, TimelineEntryOut, EventOut, WebhookEndpointOut, WebhookDeliveryOut, RpcAnswer, ImportOut, SessionOut, SessionListItemOut, InvitationOut, NewInvitationOut];

export interface App {
  app: FastifyInstance;
  services: Services;
}

export async function buildApp(config: Config, options: { clock?: Clock } = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const storage = await openStorage(config.database);
  const rateLimiter = createRateLimiter(config.redisUrl, config.redisKeyPrefix);
  const services = createServices(storage, clock, config);
  services.signInThrottle.connect();
  // Other instances' key changes drop this one's cached look-ups (see CredentialCache).
  const dropCached = (workspaceId: string) => services.credentials.dropWorkspace(workspaceId);
  const credentialBus =
    config.keyCacheTtlMs === 0
      ? undefined
      : config.redisUrl
        ? await redisBus(config.redisUrl, `${config.redisKeyPrefix}:credentials`, dropCached)
        : config.database.kind === 'postgres'
          ? await postgresBus(config.database.url, config.database.schema, dropCached)
          : undefined;
  if (credentialBus) services.credentials.connect(credentialBus);

  // One buffered destination per app (none when nothing is logged), flushed when the app closes.
  const logDestination = config.logLevel === 'silent' ? undefined : bufferedStdout();
  // Validators and serializers compile on a route's first use, not before the server's first answer.
  const app = Fastify({
    schemaController: { compilersFactory: { buildSerializer: lazySerializers() } },
    logger: {
      level: config.logLevel,
      ...(logDestination && { stream: logDestination.stream }),
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.secret', '*.secret_hash'], censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT,
    genReqId: requestIdFor,
    // One log line per request, written by the onResponse hook below.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    rewriteUrl: (request) => servedAtV1(request.url ?? '/'),
    // Errors the HTTP parser raises (malformed requests, headers over 16 KiB) answer in the envelope too.
    clientErrorHandler,
    // A missing Host is refused in the envelope (installHttpErrors), not with Node's empty 400.
    http: { requireHostHeader: false },
    // Errors the router raises before any route runs (a malformed URL, an over-long id) speak the envelope too.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendError(request, reply, tooLong ? 'not_found' : 'validation_error', tooLong ? 'No such record.' : 'The URL is not valid.');
    },
  });

  installValidation(app);
  installHttpErrors(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandler(app);
  // The web app's pages answer what no API route takes (the API's paths keep their JSON 404).
  installNotFound(app, installWebApp(app));
  installJsonParser(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-api-version', API_VERSION);
    checkUrl(request.raw.url ?? request.url);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: withoutLinkToken(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
  await app.register(cookie);
  installAuth(app, { apiKeys: services.apiKeys, sessions: services.auth, rateLimiter, operatorToken: config.operatorToken, publicUrl: config.publicUrl });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.config.optionalBody) request.body = {};
  });
  installIdempotency(app, { storage, clock });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Trellis API',
        version: API_VERSION,
        description: 'The Trellis sales CRM. Conventions (envelope, errors, pagination, filters, rate limits): see docs/api-conventions.md.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer trl_live_…' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          basicAuth: { type: 'http', scheme: 'basic', description: "The key's user email as user name, the key as password." },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'trellis_session',
            description: 'A browser session (POST /v1/auth/sign-in). Requests that change something also send X-CSRF-Token (from GET /v1/auth/session) and, from a browser, this server\'s Origin.',
          },
          // Declared only where the operator endpoints exist.
          ...(config.operatorToken !== undefined && { operatorToken: { type: 'http', scheme: 'bearer', description: 'TRELLIS_OPERATOR_TOKEN, for operator endpoints only.' } }),
        },
      },
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }, { basicAuth: [] }, { sessionCookie: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.get('/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { operationId: 'health.live', tags: ['Health'], summary: 'The process is up', security: [], response: healthResponses('ok') } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { schema: { operationId: 'health.ready', tags: ['Health'], summary: 'The database answers', security: [], response: healthResponses('ready') } }, async (request, reply) => {
    try {
      await storage.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return sendError(request, reply, 'service_unavailable', 'The database does not answer.');
    }
  });

  meRoutes(app, services.me, services.apiKeys);
  workspaceRoutes(app, services.workspaces, { operatorEnabled: config.operatorToken !== undefined });
  userRoutes(app, services.users);
  apiKeyRoutes(app, services.apiKeys);
  companyRoutes(app, services.companies);
  contactRoutes(app, services.contacts);
  tagRoutes(app, services.tags);
  pipelineRoutes(app, services.pipelines);
  dealRoutes(app, services.deals);
  leadRoutes(app, services);
  activityRoutes(app, services.activities);
  taskRoutes(app, services.tasks);
  timelineRoutes(app, services.timeline);
  eventStreamRoutes(app, services.events, (request) => stillAuthenticated(request, { apiKeys: services.apiKeys, sessions: services.auth }));
  eventRoutes(app, services.events, config.eventRetentionMs / 86_400_000);
  webhookRoutes(app, services.webhooks);
  rpcRoutes(app, { services, rateLimiter, publicUrl: config.publicUrl, clock });
  searchRoutes(app, services.search);
  reportRoutes(app, services.reports);
  snapCrmRoutes(app, services);
  sandboxRoutes(app, services.sandboxes);
  importRoutes(app, services.imports);
  exportRoutes(app, services);
  mcpRoutes(app);
  authRoutes(app, services.auth, { configuredPublicUrl: config.configuredPublicUrl, publicUrl: config.publicUrl, clock });

  const { eventRepository, endpointRepository, deliveryRepository, deliveriesQueued } = services.outbox;
  const worker = new DeliveryWorker(
    storage.db,
    clock,
    { ...config.webhooks, eventRetentionMs: config.eventRetentionMs },
    eventRepository,
    endpointRepository,
    deliveryRepository,
    services.webhooks,
    new WebhookSender(config.webhooks.allowPrivate, config.webhooks.timeoutMs),
    app.log,
  );
  deliveriesQueued.listener = () => worker.nudge();
  // prom-client is loaded only when metrics are on.
  if (config.metricsToken) (await import('./ops/metrics.js')).installMetrics(app, { token: config.metricsToken, storage, clock, worker });
  if (config.webhooks.worker) app.addHook('onReady', async () => worker.start());

  const { imports } = services;
  const importRunner = new ImportRunner(services.tx, clock, new ImportRepository(), imports.targets, services.eventLog, imports.fileOf, app.log);
  imports.queued = () => importRunner.nudge();
  app.addHook('onReady', async () => importRunner.start());

  // Expired sessions are refused anyway; this keeps their table small.
  const sessionSweep = setInterval(() => {
    services.auth.sweep().catch((error: unknown) => app.log.warn({ err: error }, 'could not delete expired sessions'));
  }, 3_600_000);
  sessionSweep.unref();

  const usageFlush = setInterval(() => {
    services.apiKeys.flushUsage().catch((error: unknown) => app.log.warn({ err: error }, 'could not record API key use'));
  }, config.keyUsageFlushMs);
  usageFlush.unref();

  app.addHook('onClose', async () => {
    clearInterval(usageFlush);
    clearInterval(sessionSweep);
    await importRunner.stop();
    await worker.stop();
    await services.apiKeys.flushUsage().catch(() => undefined);
    await rateLimiter.close();
    await services.signInThrottle.close();
    await credentialBus?.close();
    await storage.close();
    logDestination?.close();
  });

  return { app, services };
}

/** One-time link tokens are secrets: the request log shows where a link was used, never the link. */
function withoutLinkToken(url: string): string {
  return url.replace(/(\/auth\/links\/|\/accept\/)[^/?#]+/g, '$1[redacted]');
}

/** A route that takes a body can be refused one over BODY_LIMIT: its OpenAPI responses say so. */
function documentBodyLimit(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  const takesBody = [route.method].flat().some((method) => method === 'POST' || method === 'PUT' || method === 'PATCH');
  if (!takesBody || response === undefined || response[413] !== undefined) return;
  route.schema = { ...route.schema, response: { ...response, 413: Type.Ref(ErrorEnvelope) } };
}

/** What a health check answers: its status, or (a URL that is not valid, a database that does not answer) an error. */
const healthResponses = (status: string) => ({
  200: Type.Object({ status: Type.Literal(status) }),
  400: Type.Ref(ErrorEnvelope),
  ...(status === 'ready' && { 503: Type.Ref(ErrorEnvelope) }),
});

/**
 * AutomateNexus clients call `https://host/functions/v1/api/contacts`: everything
 * under /v1/ is served at that base path too, so they need only a new host.
 */
const AUTOMATE_NEXUS_BASE = '/functions/v1/api/';

function servedAtV1(url: string): string {
  return url.startsWith(AUTOMATE_NEXUS_BASE) ? `/v1/${url.slice(AUTOMATE_NEXUS_BASE.length)}` : url;
}

/** Route schemas are checked by the one request validator (http/validation.ts); query strings have their numbers and booleans coerced. */
function installValidation(app: FastifyInstance): void {
  const strict = createRequestValidator();
  const queryStrings = createRequestValidator('querystring');
  for (const schema of SHARED_SCHEMAS) strict.addSchema(schema);
  app.setValidatorCompiler(({ schema, httpPart }) => lazily(() => (httpPart === 'querystring' ? queryStrings : strict).compile(schema)));
}

/** JSON bodies; an empty body (as some clients send on DELETE) counts as none. */
function installJsonParser(app: FastifyInstance): void {
  app.addHook('onRoute', documentBodyLimit);
  // JSON only: any other body type answers 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let value: unknown;
    try {
      const text = bodyText(body as Buffer);
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      value = JSON.parse(text);
      // The checks every door makes, `__proto__` names included (what secure-json-parse would refuse, with the field named).
      checkInput(value, text, 'body');
    } catch (error) {
      done(error as DomainError | SyntaxError, undefined);
      return;
    }
    done(null, value);
  });
}
