/** The company operations' schemas: validation, serialization and the OpenAPI document come from these. */
import { Type, type Static } from '@sinclair/typebox';
import { Address, AddressOut, CustomFields, CustomFieldsOut, Description, Nullable, Timestamp } from '../../http/schemas.js';
import { TagIds } from '../tags/tags.schema.js';

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

const fields = {
  domain: Type.Optional(Nullable(Type.String({ maxLength: 253, description: 'Stored normalized: "https://www.Acme.com/" becomes "acme.com". Unique per workspace.' }))),
  industry: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  employee_count: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  website: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254, description: "The company's general address (info@…); stored lower-cased, not unique." }))),
  description: Type.Optional(Nullable(Description)),
  address: Type.Optional(Nullable(Address)),
  owner_id: Type.Optional(Nullable(Type.String({ description: 'A user of this workspace.' }))),
  tag_ids: Type.Optional(TagIds),
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

export const CompanyCreate = Type.Object(
  { name: Name, ...fields },
  { additionalProperties: false, title: 'CompanyCreate' },
);
export type CompanyCreate = Static<typeof CompanyCreate>;

export const CompanyUpsert = Type.Object(
  {
    name: Name,
    ...fields,
    domain: Type.String({ minLength: 1, maxLength: 253, description: 'Finds the company: the one with this domain (normalized) is updated, else one is created.' }),
  },
  { additionalProperties: false, title: 'CompanyUpsert', description: 'A CompanyCreate body in which domain is required. On an existing company only the fields given change, as in an update.' },
);
export type CompanyUpsert = Static<typeof CompanyUpsert>;

export const CompanyUpdate = Type.Object(
  { name: Type.Optional(Name), ...fields },
  { additionalProperties: false, title: 'CompanyUpdate', description: 'Only the fields given change. address and custom_fields merge: a key set to null is removed.' },
);
export type CompanyUpdate = Static<typeof CompanyUpdate>;

export const CompanyOut = Type.Object(
  {
    id: Type.String({ examples: ['cmp_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    name: Type.String(),
    domain: Nullable(Type.String()),
    industry: Nullable(Type.String()),
    employee_count: Nullable(Type.Integer()),
    phone: Nullable(Type.String()),
    website: Nullable(Type.String()),
    email: Nullable(Type.String()),
    description: Nullable(Type.String()),
    address: AddressOut,
    owner_id: Nullable(Type.String()),
    tags: Type.Array(Type.Ref('TagRef')),
    custom_fields: CustomFieldsOut,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Company', title: 'Company' },
);
