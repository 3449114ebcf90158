import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { registerResource } from '../../http/resource-routes.js';
import { companyListSpec } from './companies.list.js';
import { presentCompany } from './companies.presenter.js';
import { CompanyCreate, CompanyUpdate, CompanyUpsert } from './companies.schema.js';
import type { CompanyService } from './companies.service.js';

export function companyRoutes(app: FastifyInstance, companies: CompanyService): void {
  registerResource(app, {
    path: '/v1/companies',
    name: 'companies',
    tag: 'Companies',
    noun: 'company',
    listSpec: companyListSpec,
    out: Type.Ref('Company'),
    create: CompanyCreate,
    update: CompanyUpdate,
    present: presentCompany,
    service: companies,
    upsert: { key: 'domain', body: CompanyUpsert, service: companies },
    merge: companies,
  });
}
