/**
 * The Trellis HTTP application as one function, so the server, the tests and
 * the benchmarks boot exactly the same thing.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openStorage } from './db/database.js';
import { installAuth } from './http/auth.js';
import { containsNul, createRequestValidator } from './http/validation.js';
import { installErrorHandler, sendError } from './http/error-handler.js';
import { installIdempotency } from './http/idempotency.js';
import { installNotFound } from './http/not-found.js';
import { requestIdFor } from './http/request-id.js';
import { ErrorEnvelope } from './http/schemas.js';
import { invalidFields } from './domain/errors.js';
import { systemClock, type Clock } from './platform/clock.js';
import { createRateLimiter } from './platform/rate-limiter.js';
import { ApiKeyOut, NewApiKeyOut } from './resources/api-keys/api-keys.schema.js';
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
import { DeliveryWorker } from './webhooks/delivery-worker.js';
import { WebhookSender } from './webhooks/sender.js';
import { EventOut, WebhookDeliveryOut, WebhookEndpointOut } from './webhooks/webhooks.schema.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';
import { rpcRoutes } from './rpc/rpc.routes.js';
import { searchRoutes } from './search/search.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { snapCrmRoutes } from './snapcrm/snapcrm.routes.js';
import { sandboxRoutes } from './resources/sandboxes/sandboxes.routes.js';

export const API_VERSION = 'v1';
const BODY_LIMIT = 1024 * 1024;

/** Schemas referenced by name (`Type.Ref('Contact')`) from routes and the OpenAPI document. */
const SHARED_SCHEMAS = [ErrorEnvelope, TagRefOut, TagOut, ContactOut, CompanyOut, UserOut, ApiKeyOut, NewApiKeyOut, WorkspaceOut, StageOut, PipelineOut, DealOut, StageChangeOut, LeadOut, ConversionOut, ActivityOut, TaskOut, TimelineEntryOut, EventOut, WebhookEndpointOut, WebhookDeliveryOut];

export interface App {
  app: FastifyInstance;
  services: Services;
}

export async function buildApp(config: Config, options: { clock?: Clock } = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const storage = await openStorage(config.database);
  const rateLimiter = createRateLimiter(config.redisUrl);
  const services = createServices(storage, clock, config);

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.secret', '*.secret_hash'], censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT,
    genReqId: requestIdFor,
    // One log line per request, written by the onResponse hook below.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    rewriteUrl: (request) => servedAtV1(request.url ?? '/'),
    // Errors the router raises before any route runs (a malformed URL, an over-long id) speak the envelope too.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendError(request, reply, tooLong ? 'not_found' : 'validation_error', tooLong ? 'No such record.' : 'The URL is not valid.');
    },
  });

  installValidation(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandler(app);
  installNotFound(app);
  installJsonParser(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-api-version', API_VERSION);
    // No text in Trellis may hold a NUL character (PostgreSQL cannot store one).
    if (request.url.includes('%00')) throw invalidFields({ url: 'The URL may not contain NUL characters.' });
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
  installAuth(app, { apiKeys: services.apiKeys, rateLimiter, operatorToken: config.operatorToken });
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
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer trl_live_…' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          basicAuth: { type: 'http', scheme: 'basic', description: "The key's user email as user name, the key as password." },
          operatorToken: { type: 'http', scheme: 'bearer', description: 'TRELLIS_OPERATOR_TOKEN, for operator endpoints only.' },
        },
      },
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }, { basicAuth: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.get('/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['Health'], summary: 'The process is up', security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['Health'], summary: 'The database answers', security: [] } }, async (request, reply) => {
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
  eventRoutes(app, services.events, config.eventRetentionMs / 86_400_000);
  webhookRoutes(app, services.webhooks);
  rpcRoutes(app, { services, rateLimiter, publicUrl: config.publicUrl, clock });
  searchRoutes(app, services.search);
  reportRoutes(app, services.reports);
  snapCrmRoutes(app, services);
  sandboxRoutes(app, services.sandboxes);

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
  if (config.webhooks.worker) app.addHook('onReady', async () => worker.start());

  const usageFlush = setInterval(() => {
    services.apiKeys.flushUsage().catch((error: unknown) => app.log.warn({ err: error }, 'could not record API key use'));
  }, config.keyUsageFlushMs);
  usageFlush.unref();

  app.addHook('onClose', async () => {
    clearInterval(usageFlush);
    await worker.stop();
    await services.apiKeys.flushUsage().catch(() => undefined);
    await rateLimiter.close();
    await storage.close();
  });

  return { app, services };
}

/**
 * AutomateNexus clients call `https://host/functions/v1/api/contacts`: everything
 * under /v1/ is served at that base path too, so they need only a new host.
 */
const AUTOMATE_NEXUS_BASE = '/functions/v1/api/';

function servedAtV1(url: string): string {
  return url.startsWith(AUTOMATE_NEXUS_BASE) ? `/v1/${url.slice(AUTOMATE_NEXUS_BASE.length)}` : url;
}

/** Route schemas are checked by the one request validator (http/validation.ts). */
function installValidation(app: FastifyInstance): void {
  const ajv = createRequestValidator();
  for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
}

/** JSON bodies; an empty body (as some clients send on DELETE) counts as none. */
function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // JSON only: any other body type answers 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(request, text, (error, value) => {
      if (!error && text.includes('\\u0000') && containsNul(value)) {
        done(invalidFields({ body: 'Text may not contain NUL characters.' }), undefined);
        return;
      }
      done(error, value);
    });
  });
}
