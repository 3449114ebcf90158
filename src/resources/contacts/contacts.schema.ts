/** The contact operations' schemas: validation, serialization and the OpenAPI document come from these. */
import { Type, type Static } from '@sinclair/typebox';
import { Address, AddressOut, CustomFields, CustomFieldsOut, Description, Nullable, StringEnum, Timestamp } from '../../http/schemas.js';
import { TagIds } from '../tags/tags.schema.js';

export const CONTACT_STATUSES = ['active', 'archived'] as const;
const Label = Type.Optional(Nullable(Type.String({ maxLength: 40, examples: ['work'] })));
const EmailAddress = Type.String({ format: 'email', maxLength: 254 });
const PhoneNumber = Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9+().\\-\\s]*[0-9][0-9+().\\-\\sA-Za-z#*,;]*$' });

const fields = {
  first_name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  last_name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  email: Type.Optional(Nullable({ ...EmailAddress, description: 'The primary email. Setting it alone replaces the primary entry of `emails`.' })),
  emails: Type.Optional(
    Type.Array(Type.Object({ email: EmailAddress, label: Label, primary: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), {
      maxItems: 20,
      description: 'Every address of the contact, replacing the list. One may be `primary` (else the first is). Each address is unique in the workspace.',
    }),
  ),
  phone: Type.Optional(Nullable({ ...PhoneNumber, description: 'The primary phone. Setting it alone replaces the primary entry of `phones`.' })),
  phones: Type.Optional(
    Type.Array(Type.Object({ phone: PhoneNumber, label: Label, primary: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), { maxItems: 20 }),
  ),
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  company_id: Type.Optional(Nullable(Type.String({ description: 'A company of this workspace.' }))),
  owner_id: Type.Optional(Nullable(Type.String({ description: 'A user of this workspace.' }))),
  status: Type.Optional(StringEnum(CONTACT_STATUSES)),
  source: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  description: Type.Optional(Nullable(Description)),
  website: Type.Optional(Nullable(Type.String({ maxLength: 2048, description: "The contact's own web address (a personal site or profile); a company keeps its own." }))),
  address: Type.Optional(Nullable(Address)),
  tag_ids: Type.Optional(TagIds),
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

export const ContactCreate = Type.Object(fields, {
  additionalProperties: false,
  title: 'ContactCreate',
  description: 'At least one of first_name, last_name or an email.',
});
export type ContactCreate = Static<typeof ContactCreate>;

export const ContactUpsert = Type.Object(
  { ...fields, email: { ...EmailAddress, description: 'Finds the contact: the one that has this address (as any of its emails) is updated, else one is created with it as its primary email.' } },
  {
    additionalProperties: false,
    title: 'ContactUpsert',
    description: 'A ContactCreate body in which email is required. On an existing contact only the fields given change, as in an update, and the email does not become primary.',
  },
);
export type ContactUpsert = Static<typeof ContactUpsert>;

export const ContactUpdate = Type.Object(fields, {
  additionalProperties: false,
  title: 'ContactUpdate',
  description: 'Only the fields given change. address and custom_fields merge: a key set to null is removed. emails and phones replace the list.',
});
export type ContactUpdate = Static<typeof ContactUpdate>;

export const ContactOut = Type.Object(
  {
    id: Type.String({ examples: ['con_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    emails: Type.Array(Type.Object({ email: Type.String(), label: Nullable(Type.String()), primary: Type.Boolean() })),
    phone: Nullable(Type.String()),
    phones: Type.Array(Type.Object({ phone: Type.String(), label: Nullable(Type.String()), primary: Type.Boolean() })),
    title: Nullable(Type.String()),
    company_id: Nullable(Type.String()),
    owner_id: Nullable(Type.String()),
    status: StringEnum(CONTACT_STATUSES),
    source: Nullable(Type.String()),
    description: Nullable(Type.String()),
    website: Nullable(Type.String()),
    address: AddressOut,
    tags: Type.Array(Type.Ref('TagRef')),
    custom_fields: CustomFieldsOut,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Contact', title: 'Contact' },
);
