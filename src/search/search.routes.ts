/** GET /v1/search, /v1/search/by-email and /v1/search/by-phone. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../http/auth.js';
import { list } from '../http/envelope.js';
import { commonErrors, ListEnvelope, Nullable, StringEnum } from '../http/schemas.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../list/list-query.js';
import { MAX_QUERY_LENGTH, MAX_WORDS, SEARCH_TYPES } from './search-terms.js';
import type { SearchInput, SearchPage, SearchService } from './search.service.js';

const hitFields = {
  type: StringEnum(SEARCH_TYPES),
  id: Type.String({ description: 'The record id; GET /v1/{contacts|companies|leads|deals}/{id} shows the record.' }),
  title: Type.String({ description: "The record's display name: a contact's or lead's name (else email), a company's or deal's name." }),
  subtitle: Nullable(
    Type.String({ description: "A contact's primary email (else phone), a company's domain, a lead's company name (else email), a deal's company name." }),
  ),
  matched: Type.Array(Type.String(), { description: 'The fields a word matched: name, email, phone, domain (companies), company_name (leads).' }),
};

const SearchHitOut = Type.Object({
  ...hitFields,
  score: Type.Integer({
    minimum: 0,
    maximum: 3,
    description: '3: every word is a whole word of the name; 2: every word begins a word of the name; 1: every word is a whole word somewhere (an email part, a domain, a phone number); 0: every word begins a word somewhere. Results are ordered by score, then title, type and id.',
  }),
});
const LookupHitOut = Type.Object(hitFields);

const paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Page size, 1 to ${MAX_LIMIT}.` })),
  cursor: Type.Optional(Type.String({ description: 'meta.next_cursor of the previous page, with the same query and types.' })),
};
const typesParam = (types: readonly string[]) =>
  Type.Optional(
    Type.String({
      description: `Comma-separated: ${types.join(', ')}; default all the key may read. Naming a type the key may not read is 403 insufficient_scope.`,
    }),
  );

const SearchQuery = Type.Object(
  {
    q: Type.String({ description: `Up to ${MAX_QUERY_LENGTH} characters, ${MAX_WORDS} words. Every word must begin a word of the record's name, emails, phone numbers, company domain (companies) or company name (leads).` }),
    types: typesParam(SEARCH_TYPES),
    ...paging,
  },
  { additionalProperties: false },
);
const EmailQuery = Type.Object({ email: Type.String({ description: 'Compared trimmed and lower-cased.' }), types: typesParam(['contact', 'lead']), ...paging }, { additionalProperties: false });
const PhoneQuery = Type.Object(
  { phone: Type.String({ description: 'Compared by its digits; a country code may be present on one side only (see the API guide).' }), types: typesParam(['contact', 'company', 'lead']), ...paging },
  { additionalProperties: false },
);

const answer = (request: FastifyRequest, page: SearchPage) => list(request, page, page.hits, page.limit);

export function searchRoutes(app: FastifyInstance, search: SearchService): void {
  app.get('/v1/search', {
    schema: {
      operationId: 'search',
      tags: ['Search'],
      summary: 'Search contacts, companies, leads and deals',
      description:
        'One ranked list across record types. Every word of q must begin a word of the name, an email, a phone number (its digits match anywhere), the company domain or the lead company name. Only the types the key may read are searched.',
      querystring: SearchQuery,
      response: { 200: ListEnvelope(SearchHitOut), ...commonErrors() },
    },
    handler: async (request) => answer(request, await search.query(actorOf(request), request.query as SearchInput)),
  });

  app.get('/v1/search/by-email', {
    schema: {
      operationId: 'search.byEmail',
      tags: ['Search'],
      summary: 'Contacts and leads with this email',
      description: "Every contact that has this address (any of its emails) and every lead with it. Companies carry no email.",
      querystring: EmailQuery,
      response: { 200: ListEnvelope(LookupHitOut), ...commonErrors() },
    },
    handler: async (request) => answer(request, await search.byEmail(actorOf(request), request.query as SearchInput)),
  });

  app.get('/v1/search/by-phone', {
    schema: {
      operationId: 'search.byPhone',
      tags: ['Search'],
      summary: 'Contacts, companies and leads with this phone number',
      description: 'Compared by digits: "+1 (555) 010-2030" is 15550102030, and also matches 555-010-2030 (the same number without its country code).',
      querystring: PhoneQuery,
      response: { 200: ListEnvelope(LookupHitOut), ...commonErrors() },
    },
    handler: async (request) => answer(request, await search.byPhone(actorOf(request), request.query as SearchInput)),
  });
}
