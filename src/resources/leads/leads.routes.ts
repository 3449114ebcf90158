import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { actorOf } from '../../http/auth.js';
import { item } from '../../http/envelope.js';
import { registerResource } from '../../http/resource-routes.js';
import { commonErrors, IdParams, ItemEnvelope } from '../../http/schemas.js';
import { presentCompany } from '../companies/companies.presenter.js';
import type { CompanyService } from '../companies/companies.service.js';
import { presentContact } from '../contacts/contacts.presenter.js';
import type { ContactService } from '../contacts/contacts.service.js';
import { presentDeal } from '../deals/deals.presenter.js';
import type { DealService } from '../deals/deals.service.js';
import { leadListSpec } from './leads.list.js';
import { presentLead } from './leads.presenter.js';
import { LeadConvert, LeadCreate, LeadUpdate, LeadUpsert } from './leads.schema.js';
import type { LeadService } from './leads.service.js';

export function leadRoutes(app: FastifyInstance, services: { leads: LeadService; contacts: ContactService; companies: CompanyService; deals: DealService }): void {
  const { leads } = services;
  registerResource(app, {
    path: '/v1/leads',
    name: 'leads',
    tag: 'Leads',
    noun: 'lead',
    listSpec: leadListSpec,
    out: Type.Ref('Lead'),
    create: LeadCreate,
    update: LeadUpdate,
    present: presentLead,
    service: leads,
    upsert: { key: 'email', body: LeadUpsert, service: leads },
  });

  app.post('/v1/leads/:id/convert', {
    config: { optionalBody: true },
    schema: {
      operationId: 'leads.convert',
      tags: ['Leads'],
      summary: 'Convert a lead into a contact, a company and optionally a deal',
      description:
        "In one transaction: finds the contact by email or creates it; finds the company by domain (from the website, else a non-webmail email) or by name, or creates it; with `deal`, creates a deal linked to both; marks the lead converted. Converting again answers with what the first conversion made. Needs leads, contacts and companies write access (and deals, with `deal`).",
      params: IdParams,
      body: LeadConvert,
      response: { 200: ItemEnvelope(Type.Ref('LeadConversion')), ...commonErrors(404, 409, 422) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const actor = actorOf(request);
      const conversion = await leads.convert(actor, id, request.body as LeadConvert);
      return item(request, {
        lead: presentLead(conversion.lead),
        contact: await shown(conversion.contactId, (cid) => services.contacts.get(actor, cid), presentContact),
        company: await shown(conversion.companyId, (cid) => services.companies.get(actor, cid), presentCompany),
        deal: await shown(conversion.dealId, (cid) => services.deals.get(actor, cid), presentDeal),
      });
    },
  });
}

/**
 * A record the lead became, as shown; null when there is none, when it was
 * deleted since, or when the key may not read it (its id is on the lead).
 */
async function shown<T, P>(id: string | null, load: (id: string) => Promise<T>, present: (record: T) => P): Promise<P | null> {
  if (id === null) return null;
  try {
    return present(await load(id));
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'insufficient_scope')) return null;
    throw error;
  }
}

