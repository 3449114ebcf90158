import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { list } from '../../http/envelope.js';
import { registerResource } from '../../http/resource-routes.js';
import { checkListQuery, listQueryOf, listQuerystring } from '../../http/list-params.js';
import { commonErrors, IdParams, ListEnvelope } from '../../http/schemas.js';
import { contactListSpec } from './contacts.list.js';
import { presentContact } from './contacts.presenter.js';
import { ContactCreate, ContactUpdate, ContactUpsert } from './contacts.schema.js';
import type { ContactService } from './contacts.service.js';

export function contactRoutes(app: FastifyInstance, contacts: ContactService): void {
  registerResource(app, {
    path: '/v1/contacts',
    name: 'contacts',
    tag: 'Contacts',
    noun: 'contact',
    listSpec: contactListSpec,
    out: Type.Ref('Contact'),
    create: ContactCreate,
    update: ContactUpdate,
    present: presentContact,
    service: contacts,
    upsert: { key: 'email', body: ContactUpsert, service: contacts },
    merge: contacts,
  });

  app.get('/v1/companies/:id/contacts', {
    preValidation: checkListQuery(contactListSpec),
    schema: {
      operationId: 'companies.contacts.list',
      tags: ['Companies'],
      summary: "List a company's contacts",
      params: IdParams,
      querystring: listQuerystring(contactListSpec),
      response: { 200: ListEnvelope(Type.Ref('Contact')), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const query = listQueryOf(request);
      const page = await contacts.listOfCompany(actorOf(request), id, query);
      return list(request, page, page.rows.map(presentContact), query.limit);
    },
  });
}
