/**
 * Activities and tasks link to any of a contact, a company, a deal and a lead.
 * The schema, list filters, reference checks and release rules for those links
 * live here once (their queries in db/record-links.ts).
 */
import { Type } from '@sinclair/typebox';
import type { RecordLinks } from '../../db/schema.js';
import type { FieldSpec } from '../../list/list-spec.js';
import { Nullable } from '../../http/schemas.js';

export type { RecordLinks };

export const LINKS = [
  { field: 'contact_id', table: 'contacts', type: 'contact', noun: 'contact' },
  { field: 'company_id', table: 'companies', type: 'company', noun: 'company' },
  { field: 'deal_id', table: 'deals', type: 'deal', noun: 'deal' },
  { field: 'lead_id', table: 'leads', type: 'lead', noun: 'lead' },
] as const;

export const LinkFields = {
  contact_id: Type.Optional(Nullable(Type.String({ description: 'A contact of this workspace.' }))),
  company_id: Type.Optional(Nullable(Type.String({ description: 'A company of this workspace.' }))),
  deal_id: Type.Optional(Nullable(Type.String({ description: 'A deal of this workspace.' }))),
  lead_id: Type.Optional(Nullable(Type.String({ description: 'A lead of this workspace.' }))),
};

export const LinkFieldsOut = {
  contact_id: Nullable(Type.String()),
  company_id: Nullable(Type.String()),
  deal_id: Nullable(Type.String()),
  lead_id: Nullable(Type.String()),
};

export const linkListFields: Record<string, FieldSpec> = Object.fromEntries(LINKS.map((l) => [l.field, { type: 'id', column: l.field, nullable: true }]));

/** The links after applying a create or update body. */
export function applyLinks(current: RecordLinks, input: Partial<Record<keyof RecordLinks, string | null | undefined>>): RecordLinks {
  const next = { ...current };
  for (const { field } of LINKS) {
    const value = input[field];
    if (value !== undefined) next[field] = value;
  }
  return next;
}
