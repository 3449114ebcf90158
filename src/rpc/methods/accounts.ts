/** Nutshell accounts are Trellis companies. */
import { companyListSpec } from '../../resources/companies/companies.list.js';
import { CompanyCreate, CompanyUpdate } from '../../resources/companies/companies.schema.js';
import type { CompanyView } from '../../resources/companies/companies.service.js';
import { byId, byTag } from '../find-query.js';
import { address, onePhone, oneValue, ref, same, tags } from '../nutshell-input.js';
import { accountEntity, accountStub } from '../nutshell-shapes.js';
import type { Family } from './entity-family.js';

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
    industry: same('industry'),
    url: { to: ['website'], read: (value) => ({ website: oneValue('url', value) }) },
    phone: onePhone,
    address,
    owner: ref('owner_id', 'Users'),
    tags,
    customFields: same('custom_fields'),
  },
  query: { owner: byId('owner_id', 'Users'), tag: byTag },
  orderBy: { name: 'name', industry: 'industry' },
  stub: accountStub,
  entity: (company, ctx) => accountEntity(company, ctx.related),
};
