/** The lead operations' schemas. */
import { Type, type Static } from '@sinclair/typebox';
import { CustomFields, CustomFieldsOut, Nullable, StringEnum, Timestamp } from '../../http/schemas.js';
import { Money } from '../deals/deals.schema.js';
import { TagIds } from '../tags/tags.schema.js';

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified', 'converted'] as const;
/** `converted` is reached only by conversion. */
export const SETTABLE_LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified'] as const;
export const LEAD_SOURCES = ['website', 'referral', 'cold_call', 'event', 'partner', 'other'] as const;

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Text = (maxLength: number, description?: string) => Type.Optional(Nullable(Type.String({ maxLength, ...(description && { description }) })));

const fields = {
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254, description: 'Unique among leads in the workspace.' }))),
  phone: Text(40),
  company_name: Text(200),
  website: Text(2048),
  source: Text(100, `One of ${LEAD_SOURCES.join(', ')}, or your own.`),
  address: Text(200, 'Street address.'),
  city: Text(100),
  state: Text(100),
  zipcode: Text(20),
  country: Text(100),
  status: Type.Optional(StringEnum(SETTABLE_LEAD_STATUSES, { description: '`converted` is set only by POST /v1/leads/{id}/convert.' })),
  owner_id: Type.Optional(Nullable(Type.String())),
  tag_ids: Type.Optional(TagIds),
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

export const LeadCreate = Type.Object({ first_name: Name, last_name: Name, ...fields }, { additionalProperties: false, title: 'LeadCreate' });
export type LeadCreate = Static<typeof LeadCreate>;

export const LeadUpsert = Type.Object(
  {
    first_name: Name,
    last_name: Name,
    ...fields,
    email: Type.String({ format: 'email', maxLength: 254, description: 'Finds the lead: the one with this email is updated, else one is created.' }),
  },
  { additionalProperties: false, title: 'LeadUpsert', description: 'A LeadCreate body in which email is required. On an existing lead only the fields given change, as in an update.' },
);
export type LeadUpsert = Static<typeof LeadUpsert>;

export const LeadUpdate = Type.Object({ first_name: Type.Optional(Name), last_name: Type.Optional(Name), ...fields }, { additionalProperties: false, title: 'LeadUpdate' });
export type LeadUpdate = Static<typeof LeadUpdate>;

export const LeadConvert = Type.Object(
  {
    deal: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Default: the company name, else the lead\'s name.' })),
          pipeline_id: Type.Optional(Type.String()),
          stage_id: Type.Optional(Type.String()),
          value: Type.Optional(Nullable(Money)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'LeadConvert' },
);
export type LeadConvert = Static<typeof LeadConvert>;

export const LeadOut = Type.Object(
  {
    id: Type.String({ examples: ['led_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    first_name: Type.String(),
    last_name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    company_name: Nullable(Type.String()),
    website: Nullable(Type.String()),
    source: Nullable(Type.String()),
    address: Nullable(Type.String()),
    city: Nullable(Type.String()),
    state: Nullable(Type.String()),
    zipcode: Nullable(Type.String()),
    country: Nullable(Type.String()),
    status: StringEnum(LEAD_STATUSES),
    owner_id: Nullable(Type.String()),
    created_by: Nullable(Type.String({ description: 'The user whose key created the lead.' })),
    tags: Type.Array(Type.Ref('TagRef')),
    custom_fields: CustomFieldsOut,
    converted_at: Nullable(Timestamp),
    converted_contact_id: Nullable(Type.String()),
    converted_company_id: Nullable(Type.String()),
    converted_deal_id: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Lead', title: 'Lead' },
);

export const ConversionOut = Type.Object(
  {
    lead: Type.Ref('Lead'),
    contact: Nullable(Type.Ref('Contact')),
    company: Nullable(Type.Ref('Company')),
    deal: Nullable(Type.Ref('Deal')),
  },
  { $id: 'LeadConversion', title: 'LeadConversion' },
);
