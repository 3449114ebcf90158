/**
 * SnapCRM's lead-intake endpoint at its original path, so a web form or script
 * written for SnapCRM works with only its host changed: `POST /api/v1/leads`
 * with a camelCase body, answered in SnapCRM's camelCase shape and statuses
 * (400 for any invalid request, 401, 409 duplicate, 429 with Retry-After).
 * A thin adapter: validation, dedup, scopes, rate limits and events are the
 * lead service's and the auth hook's, as on every door.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { actorOf } from '../http/auth.js';
import { describeError } from '../http/error-handler.js';
import type { MeService } from '../resources/me/me.service.js';
import type { LeadService, LeadView } from '../resources/leads/leads.service.js';
import { LeadCreate } from '../resources/leads/leads.schema.js';
import { toIso } from '../platform/clock.js';

const lead = LeadCreate.properties;

/**
 * SnapCRM's documented body, in its camelCase names, each field with the
 * native lead's own rules (one definition of a lead's limits). Fields SnapCRM
 * does not know are ignored, as SnapCRM does, so existing senders keep working.
 */
export const SnapLeadBody = Type.Object(
  {
    firstName: lead.first_name,
    lastName: lead.last_name,
    email: lead.email,
    phone: lead.phone,
    company: lead.company_name,
    website: lead.website,
    source: lead.source,
    address: lead.address,
    city: lead.city,
    state: lead.state,
    zipcode: lead.zipcode,
    tagId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: true, title: 'SnapCrmLead' },
);
type SnapLeadBody = Static<typeof SnapLeadBody>;

const SnapLeadOut = Type.Object(
  {
    id: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    company: Type.Union([Type.String(), Type.Null()]),
    website: Type.Union([Type.String(), Type.Null()]),
    source: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    city: Type.Union([Type.String(), Type.Null()]),
    state: Type.Union([Type.String(), Type.Null()]),
    zipcode: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    createdBy: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
    tags: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), color: Type.Union([Type.String(), Type.Null()]) })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'SnapCrmLeadCreated' },
);

const SnapError = Type.Object(
  {
    error: Type.String(),
    code: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    requestId: Type.String(),
  },
  { title: 'SnapCrmError' },
);

/** SnapCRM documents 400 for every invalid request: a refused reference (tagId) or a body that is not JSON is one too. */
const SNAP_STATUS: Record<string, number> = { unprocessable: 400, invalid_json: 400, validation_error: 400, unsupported_media_type: 400 };

export function snapCrmRoutes(app: FastifyInstance, services: { leads: LeadService; me: MeService }): void {
  app.register(async (door) => {
    door.setErrorHandler((error: FastifyError, request, reply) => {
      const { code, status, message, details } = describeError(error, request);
      return reply.status(SNAP_STATUS[code] ?? status).send({ error: message, code, ...(details !== undefined && { details }), requestId: request.id });
    });

    door.post('/api/v1/leads', {
      config: { auth: 'key' },
      schema: {
        operationId: 'snapcrm.leads.create',
        tags: ['SnapCRM compatibility'],
        summary: 'Create a lead, SnapCRM style',
        description:
          'SnapCRM\'s `POST /api/v1/leads`, byte-compatible: camelCase body (firstName and lastName required), `X-API-Key` or Bearer. 201 with the camelCase lead; 400 invalid JSON or fields; 401; 409 a lead with the same email or name exists (`details.existing_id`); 429 with Retry-After. The lead is a Trellis lead like any other.',
        body: SnapLeadBody,
        response: { 201: SnapLeadOut, 400: SnapError, 401: SnapError, 403: SnapError, 409: SnapError, 413: SnapError, 429: SnapError },
      },
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body as SnapLeadBody;
        const lead = await services.leads.create(actor, {
          first_name: body.firstName,
          last_name: body.lastName,
          email: body.email ?? null,
          phone: body.phone ?? null,
          company_name: body.company ?? null,
          website: body.website ?? null,
          source: body.source ?? null,
          address: body.address ?? null,
          city: body.city ?? null,
          state: body.state ?? null,
          zipcode: body.zipcode ?? null,
          ...(body.tagId && { tag_ids: [body.tagId] }),
        });
        const { user } = await services.me.describe(actor);
        reply.status(201);
        return presentSnapLead(lead, { id: user.id, name: user.name, email: user.email });
      },
    });
  });
}

function presentSnapLead(lead: LeadView, createdBy: { id: string; name: string; email: string }) {
  return {
    id: lead.id,
    firstName: lead.first_name,
    lastName: lead.last_name,
    email: lead.email,
    phone: lead.phone,
    company: lead.company_name,
    website: lead.website,
    source: lead.source,
    address: lead.address,
    city: lead.city,
    state: lead.state,
    zipcode: lead.zipcode,
    status: lead.status,
    createdBy,
    tags: lead.tags,
    createdAt: toIso(lead.created_at),
    updatedAt: toIso(lead.updated_at),
  };
}
