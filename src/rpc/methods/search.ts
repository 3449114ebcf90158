/** search*, searchByEmail and searchUniversal: stubs of contacts, accounts and leads. */
import { can, type GrantResource } from '../../domain/actor.js';
import { parseListQuery } from '../../list/list-query.js';
import { contactListSpec } from '../../resources/contacts/contacts.list.js';
import { intArg, stringArg } from '../args.js';
import type { RpcContext } from '../context.js';
import { contactStub, type Entity } from '../nutshell-shapes.js';
import type { Param, RpcMethod } from '../protocol.js';
import { accountFamily } from './accounts.js';
import { contactFamily } from './contacts.js';
import type { Family } from './entity-family.js';
import { leadFamily } from './leads.js';

const SEARCH_LIMIT = { min: 1, max: 100, fallback: 10 };

/**
 * Free-text search of one kind of record. Until the universal search service
 * (src/search/) lands, this is the kind's list `q` (every word must appear in
 * one of its text fields); switching over is a change to this function only.
 */
export async function searchRecords<T, C, U>(ctx: RpcContext, family: Family<T, C, U>, text: string, limit: number): Promise<Entity[]> {
  const page = await family.service(ctx).list(ctx.actor(), parseListQuery(family.listSpec, { q: text, limit: String(limit) }));
  return page.rows.map((row) => family.stub(row, ctx));
}

const KINDS = [
  { key: 'contacts', resource: 'contacts', family: contactFamily },
  { key: 'accounts', resource: 'companies', family: accountFamily },
  { key: 'leads', resource: 'deals', family: leadFamily },
] as const satisfies readonly { key: string; resource: GrantResource; family: unknown }[];

/** Only the kinds the key may read are searched (and answered, as an empty list otherwise). */
const readable = (ctx: RpcContext, resource: GrantResource): boolean => can(ctx.actor(), resource, 'read');

const textParam: Param = { name: 'string', type: 'string', required: true, description: 'The words to find.' };
const limitParam: Param = { name: 'limit', type: 'integer', description: 'At most this many, 1 to 100; default 10.' };

const searchOne = (name: string, kind: (typeof KINDS)[number]): RpcMethod<RpcContext> => ({
  name,
  description: `${kind.key[0]?.toUpperCase()}${kind.key.slice(1)} whose text matches every word (stubs).`,
  params: [textParam, limitParam],
  run: (ctx, args) => searchRecords(ctx, kind.family as Family<unknown, unknown, unknown>, stringArg(args, 'string'), intArg(args, 'limit', SEARCH_LIMIT)),
});

export const searchMethods: RpcMethod<RpcContext>[] = [
  searchOne('searchContacts', KINDS[0]),
  searchOne('searchAccounts', KINDS[1]),
  searchOne('searchLeads', KINDS[2]),
  {
    name: 'searchUniversal',
    description: 'Contacts, accounts and leads whose text matches every word (stubs, up to 10 of each).',
    params: [textParam],
    run: async (ctx, args) => {
      const text = stringArg(args, 'string');
      const found = await Promise.all(
        KINDS.map(async ({ key, resource, family }) => [key, readable(ctx, resource) ? await searchRecords(ctx, family as Family<unknown, unknown, unknown>, text, SEARCH_LIMIT.fallback) : []] as const),
      );
      return Object.fromEntries(found);
    },
  },
  {
    name: 'searchByEmail',
    description: 'The contacts with this address (any of theirs), their accounts and their leads (stubs).',
    params: [{ name: 'emailAddressString', type: 'string', required: true, description: 'An email address.' }],
    run: async (ctx, args) => {
      const email = stringArg(args, 'emailAddressString');
      const page = await ctx.services.contacts.list(ctx.actor(), parseListQuery(contactListSpec, { email, limit: '100' }));
      const companyIds = [...new Set(page.rows.map((c) => c.company_id).filter((id): id is string => id !== null))];
      return {
        contacts: page.rows.map(contactStub),
        accounts: readable(ctx, 'companies') ? await Promise.all(companyIds.map((id) => ctx.related.account(id))) : [],
        leads: page.rows.length === 0 ? [] : await ctx.related.leadsWith({ 'contact_id[in]': page.rows.map((c) => c.id).join(',') }),
      };
    },
  },
];
