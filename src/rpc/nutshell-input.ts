/**
 * How each Nutshell field becomes Trellis fields: the field names the
 * Trellis fields it sets and how; the services then validate and apply them
 * exactly as for REST (entity-input.ts walks an entity through these).
 * Multi-value fields come as a plain array, a single value, or an object
 * keyed by label or index (with `--primary`); where Trellis keeps one value,
 * the primary one is kept and the others are reported as warnings.
 */
import { DomainError } from '../domain/errors.js';
import { parseListQuery, parseTimestamp } from '../list/list-query.js';
import { tagListSpec } from '../resources/tags/tags.list.js';
import { tagNameKey } from '../resources/tags/tags.repository.js';
import { asObject, isNone, isObject, toId, type Json } from './args.js';
import type { RpcContext } from './context.js';
import { currencyDigits } from './nutshell-shapes.js';
import { invalidParams, type Args } from './protocol.js';

export interface FieldIn {
  /** The Trellis fields it sets (for documentation and error messages). */
  to: readonly string[];
  /** `entity` is the entity as sent, over the record as it is (on an edit). */
  read(value: unknown, ctx: RpcContext, entity: Json): Args | Promise<Args>;
  /** Read again, even if sent unchanged, when one of these changes (endTime is relative to startTime). */
  with?: readonly string[];
  /**
   * Links that other records hold (an account's contacts): checked before the
   * record is written, made after it, given its id.
   */
  link?(value: unknown, ctx: RpcContext): Promise<(recordId: string) => Promise<void>>;
}
export type FieldsIn = Record<string, FieldIn>;

/** The same value under the Trellis name. */
export const same = (to: string): FieldIn => ({ to: [to], read: (value) => ({ [to]: value }) });

/** Custom fields: an object (PHP's `[]` is an empty one). */
export const customFields: FieldIn = { to: ['custom_fields'], read: (value) => ({ custom_fields: asObject(value) }) };

/** Keeps the first of several where Trellis keeps one, and says so. */
export function firstOf<T>(field: string, given: T[], ctx: RpcContext): T | undefined {
  if (given.length > 1) ctx.warn(`${field}: Trellis keeps one; the first (or primary) was kept and ${given.length - 1} other${given.length > 2 ? 's were' : ' was'} not.`);
  return given[0];
}

/** A reference: an id, or an object with `id` (and, if given, the right `entityType`). */
export function refId(field: string, value: unknown, entityType: string): string {
  if (isObject(value)) {
    if (value.entityType !== undefined && value.entityType !== entityType) throw invalidParams(`${field} must be one of ${entityType}.`);
    return toId(`${field}.id`, value.id);
  }
  return toId(field, value);
}

/** A reference to one record; none (null, `{}` or PHP's `[]`) unlinks it. */
export const ref = (to: string, entityType: string): FieldIn => ({ to: [to], read: (value) => ({ [to]: isNone(value) ? null : refId(to, value, entityType) }) });

/** A list: an array, or one value; none (null, `{}`) is an empty list. */
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : isNone(value) ? [] : [value]);

/** One reference, from a list of them (Trellis records link one company, one deal, …): the first. */
export function oneRef(field: string, value: unknown, entityType: string, ctx: RpcContext): string | null {
  const first = firstOf(field, list(value), ctx);
  return first === undefined ? null : refId(field, first, entityType);
}


interface Item {
  value: unknown;
  label: string | null;
  primary: boolean;
}

/** The entries of a multi-value field; `single` tells a lone value object from a label-keyed one. */
export function multiItems(value: unknown, single: (v: Json) => boolean = () => false): Item[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.map((v, i) => ({ value: v, label: null, primary: i === 0 }));
  if (!isObject(value) || single(value)) return [{ value, label: null, primary: true }];
  const primary = value['--primary'];
  const items = Object.entries(value)
    .filter(([key]) => key !== '--primary')
    .map(([key, v]) => ({ value: v, label: /^\d+$/.test(key) ? null : key, primary: false }));
  if (items.length === 0 && primary !== undefined) items.push({ value: primary, label: null, primary: true });
  const index = primary === undefined ? 0 : Math.max(0, items.findIndex((i) => JSON.stringify(i.value) === JSON.stringify(primary)));
  const chosen = items[index];
  if (chosen) chosen.primary = true;
  return items;
}

/** The one value of a multi-value field Trellis keeps singly (a company's phone, website, email, address): the primary. */
export function oneValue(field: string, value: unknown, ctx: RpcContext, single?: (v: Json) => boolean): unknown {
  const items = multiItems(value, single);
  const primary = items.find((item) => item.primary);
  firstOf(field, items, ctx);
  return primary?.value ?? null;
}

const isPhoneObject = (v: Json): boolean => 'number' in v || 'E164' in v;
const phoneText = (value: unknown): unknown => (isObject(value) ? (value.E164 ?? value.number) : value);

export const emails: FieldIn = {
  to: ['emails'],
  read: (value) => ({ emails: multiItems(value).map((i) => ({ email: i.value, label: i.label, primary: i.primary })) }),
};

export const phones: FieldIn = {
  to: ['phones'],
  read: (value) => ({ phones: multiItems(value, isPhoneObject).map((i) => ({ phone: phoneText(i.value), label: i.label, primary: i.primary })) }),
};

export const onePhone: FieldIn = { to: ['phone'], read: (value, ctx) => ({ phone: phoneText(oneValue('phone', value, ctx, isPhoneObject)) }) };

const ADDRESS_KEYS = ['address_1', 'address_2', 'address_3', 'city', 'state', 'postalCode', 'country'];
const isAddress = (v: Json): boolean => ADDRESS_KEYS.some((key) => key in v);

/** Trellis keeps one address; Nutshell's street lines are joined by newlines. */
export const address: FieldIn = {
  to: ['address'],
  read: (value, ctx) => {
    const given = oneValue('address', value, ctx, isAddress);
    if (given === null) return { address: null };
    if (!isObject(given)) throw invalidParams('address must be an object like {"address_1", "city", "state", "postalCode", "country"}.');
    const lines = [given.address_1, given.address_2, given.address_3].filter((line) => typeof line === 'string' && line !== '');
    const text = (key: string) => (given[key] === undefined || given[key] === '' ? null : given[key]);
    return { address: { street: lines.length > 0 ? lines.join('\n') : null, city: text('city'), state: text('state'), postal_code: text('postalCode'), country: text('country') } };
  },
};

/** Tag names; missing tags are created, as Nutshell does when a record is tagged with a new name. */
export const tags: FieldIn = {
  to: ['tag_ids'],
  read: async (value, ctx) => ({ tag_ids: await tagIds(ctx, tagNameList('tags', value), true) }),
};

export function tagNameList(field: string, value: unknown): string[] {
  return list(value).map((v) => {
    const name = isObject(v) ? v.name : v;
    if (typeof name !== 'string' || name.trim() === '') throw invalidParams(`${field} must be tag names.`);
    return name;
  });
}

/** The ids of tags by name, regardless of case; unknown names are created when `create`, else left out. */
export async function tagIds(ctx: RpcContext, names: string[], create: boolean): Promise<string[]> {
  const { tags: service } = ctx.services;
  const actor = ctx.actor();
  const ids: string[] = [];
  for (const name of new Set(names.map((n) => n.trim()))) {
    const candidates = await service.list(actor, parseListQuery(tagListSpec, { 'name[contains]': name, limit: '100' }));
    let id = candidates.rows.find((tag) => tagNameKey(tag.name) === tagNameKey(name))?.id;
    if (id === undefined && create) id = await service.create(actor, { name }).then((tag) => tag.id, existingTag);
    // Names that differ only in case are one tag, given once.
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** A tag created by another request meanwhile is the one to use. */
function existingTag(error: unknown): string {
  if (error instanceof DomainError && error.code === 'duplicate' && typeof error.details?.existing_id === 'string') return error.details.existing_id;
  throw error;
}

/** A Nutshell time (`2010-01-13T23:08:06+0000`, any ISO 8601 date or date-time) as Trellis's ISO 8601. */
export function isoTime(field: string, value: unknown): string | null {
  if (value === null) return null;
  const ms = typeof value === 'string' ? parseTimestamp(value.trim()) : null;
  if (ms === null) throw invalidParams(`${field} must be a date-time like 2026-01-13T23:08:06+0000.`);
  return new Date(ms).toISOString();
}

export const time = (to: string): FieldIn => ({ to: [to], read: (value) => ({ [to]: isoTime(to, value) }) });

/** Amounts in the currency's units become Trellis's minor units; USD when no currency is given; none (null, `{}`, `[]`) is no value. */
export function money(value: unknown): Args | null {
  if (isNone(value)) return null;
  const given = isObject(value) ? value : { amount: value };
  const currency = typeof given.currency === 'string' ? given.currency.trim().toUpperCase() : 'USD';
  const amount = typeof given.amount === 'string' ? Number(given.amount.trim()) : given.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) throw invalidParams('value.amount must be a number of at least 0.');
  return { amount: Math.round(amount * 10 ** currencyDigits(currency)), currency };
}
