/** Nutshell accounts are Trellis companies. */
import { DomainError, unknownReference } from '../../domain/errors.js';
import { parseListQuery } from '../../list/list-query.js';
import { companyListSpec } from '../../resources/companies/companies.list.js';
import { CompanyCreate, CompanyUpdate } from '../../resources/companies/companies.schema.js';
import type { CompanyView } from '../../resources/companies/companies.service.js';
import { contactListSpec } from '../../resources/contacts/contacts.list.js';
import { ContactUpdate } from '../../resources/contacts/contacts.schema.js';
import { isObject } from '../args.js';
import { byId, byTag } from '../find-query.js';
import { address, customFields, list, onePhone, oneValue, ref, refId, same, tags, type FieldIn } from '../nutshell-input.js';
import { accountEntity, accountStub } from '../nutshell-shapes.js';
import { allRows } from '../paging.js';
import { checkBody } from '../validate.js';
import type { Family } from './entity-family.js';

/**
 * The account's contacts, replacing the list as Nutshell does: each is
 * linked to the account (its relationship becomes its job title), and the
 * account's other contacts are unlinked. A Trellis contact works at one
 * company, so linking one here moves it from the company it was at.
 */
const contacts: FieldIn = {
  to: ["each contact's company_id and title"],
  read: () => ({}),
  link: async (value, ctx) => {
    const actor = ctx.actor();
    const service = ctx.services.contacts;
    service.requireWrite(actor);
    const wanted = list(value).map((entry, i) => ({ id: refId(`contacts.${i}`, entry, 'Contacts'), relationship: isObject(entry) ? entry.relationship : undefined }));
    for (const [i, { id }] of wanted.entries()) {
      await service.get(actor, id).catch((error: unknown) => {
        throw error instanceof DomainError && error.code === 'not_found' ? unknownReference(`contacts.${i}`, 'contact') : error;
      });
    }
    return async (accountId) => {
      const linked = await allRows((size, cursor) => service.list(actor, parseListQuery(contactListSpec, { company_id: accountId, limit: String(size), ...(cursor !== undefined && { cursor }) })));
      for (const { id, relationship } of wanted) {
        await service.update(actor, id, checkBody<ContactUpdate>(ContactUpdate, { company_id: accountId, ...(relationship !== undefined && { title: relationship }) }));
      }
      for (const contact of linked) if (!wanted.some((w) => w.id === contact.id)) await service.update(actor, contact.id, { company_id: null });
    };
  },
};

export const accountFamily: Family<CompanyView, CompanyCreate, CompanyUpdate> = {
  name: 'Account',
  plural: 'Accounts',
  noun: 'account',
  trellis: 'company',
  service: (ctx) => ctx.services.companies,
  listSpec: companyListSpec,
  schemas: { create: CompanyCreate, update: CompanyUpdate },
  fields: {
    name: same('name'),
    description: same('description'),
    industry: same('industry'),
    url: { to: ['website'], read: (value, ctx) => ({ website: oneValue('account.url', value, ctx) }) },
    phone: onePhone,
    email: { to: ['email'], read: (value, ctx) => ({ email: oneValue('account.email', value, ctx) }) },
    address,
    owner: ref('owner_id', 'Users'),
    contacts,
    tags,
    customFields,
  },
  readOnly: { leads: "link a lead to the account from the lead (its primaryAccount or accounts)." },
  unkept: {
    industryId: 'Trellis keeps the industry as text: send industry.',
    accountTypeId: 'Trellis has no account types.',
    territoryId: 'Trellis has no territories.',
  },
  query: { owner: byId('owner_id', 'Users'), tag: byTag },
  orderBy: { name: 'name', industry: 'industry' },
  stub: accountStub,
  entity: (company, ctx) => accountEntity(company, ctx.related),
};
