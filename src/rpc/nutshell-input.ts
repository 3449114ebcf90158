/**
 * Nutshell entities as Trellis create/update bodies. Each Nutshell field
 * names the Trellis fields it sets and how; the services then validate and
 * apply them exactly as for REST. Multi-value fields come as a plain array, a
 * single value, or an object keyed by label or index (with `--primary`).
 */
import { DomainError } from '../domain/errors.js';
import { parseListQuery, parseTimestamp } from '../list/list-query.js';
import { tagListSpec } from '../resources/tags/tags.list.js';
import { tagNameKey } from '../resources/tags/tags.repository.js';
import { isObject, own, toId, type Json } from './args.js';
import type { RpcContext } from './context.js';
import { currencyDigits } from './nutshell-shapes.js';
import { invalidParams, type Args } from './protocol.js';

export interface FieldIn {
  /** The Trellis fields it sets (for documentation and error messages). */
  to: readonly string[];
  read(value: unknown, ctx: RpcContext, entity: Json): Args | Promise<Args>;
}
export type FieldsIn = Record<string, FieldIn>;

/** Fields an entity read from Trellis carries that a client may send back unchanged. */
const READ_ONLY = new Set(['id', 'entityType', 'rev', 'stub', 'createdTime', 'modifiedTime']);

/** The Trellis body for a Nutshell entity; `what` names it in errors ("contact"). */
export async function trellisInput(what: string, fields: FieldsIn, entity: Json, ctx: RpcContext): Promise<Args> {
  const body: Args = {};
  for (const [key, value] of Object.entries(entity)) {
    if (READ_ONLY.has(key) || value === undefined) continue;
    const field = own(fields, key);
    if (!field) throw invalidParams(`${what}.${key} is not a field Trellis keeps; the fields are ${Object.keys(fields).join(', ')}.`);
    for (const [name, v] of Object.entries(await field.read(value, ctx, entity))) {
      if (name in body && JSON.stringify(body[name]) !== JSON.stringify(v)) throw invalidParams(`${what}.${key} disagrees with another field that sets the same thing.`);
      body[name] = v;
    }
  }
  return body;
}

/** The same value under the Trellis name. */
export const same = (to: string): FieldIn => ({ to: [to], read: (value) => ({ [to]: value }) });

/** A reference: an id, or an object with `id` (and, if given, the right `entityType`). */
export function refId(field: string, value: unknown, entityType: string): string {
  if (isObject(value)) {
    if (value.entityType !== undefined && value.entityType !== entityType) throw invalidParams(`${field} must be one of ${entityType}.`);
    return toId(`${field}.id`, value.id);
  }
  return toId(field, value);
}

export const ref = (to: string, entityType: string): FieldIn => ({ to: [to], read: (value) => ({ [to]: value === null ? null : refId(to, value, entityType) }) });

export const list = (value: unknown): unknown[] => (value === null ? [] : Array.isArray(value) ? value : [value]);

/** At most one reference, from a list of them (Trellis records link one company, one deal, …). */
export function oneRef(field: string, value: unknown, entityType: string): string | null {
  const refs = list(value);
  if (refs.length > 1) throw invalidParams(`Trellis links one of ${field}; ${refs.length} were given.`);
  return refs.length === 0 ? null : refId(field, refs[0], entityType);
}

export const refList = (field: string, value: unknown, entityType: string): string[] => list(value).map((v, i) => refId(`${field}.${i}`, v, entityType));

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

/** The one value of a multi-value field Trellis keeps singly (a company's phone, website, address). */
export function oneValue(field: string, value: unknown, single?: (v: Json) => boolean): unknown {
  const items = multiItems(value, single);
  if (items.length > 1) throw invalidParams(`Trellis keeps one ${field} here; ${items.length} were given.`);
  return items[0]?.value ?? null;
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

export const onePhone: FieldIn = { to: ['phone'], read: (value) => ({ phone: phoneText(oneValue('phone', value, isPhoneObject)) }) };

const ADDRESS_KEYS = ['address_1', 'address_2', 'address_3', 'city', 'state', 'postalCode', 'country'];
const isAddress = (v: Json): boolean => ADDRESS_KEYS.some((key) => key in v);

/** Trellis keeps one address; Nutshell's street lines are joined by newlines. */
export const address: FieldIn = {
  to: ['address'],
  read: (value) => {
    const given = oneValue('address', value, isAddress);
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
    if (id !== undefined) ids.push(id);
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

/** Amounts in the currency's units become Trellis's minor units; USD when no currency is given. */
export function money(value: unknown): Args | null {
  if (value === null) return null;
  const given = isObject(value) ? value : { amount: value };
  const currency = typeof given.currency === 'string' ? given.currency.trim().toUpperCase() : 'USD';
  const amount = typeof given.amount === 'string' ? Number(given.amount.trim()) : given.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) throw invalidParams('value.amount must be a number of at least 0.');
  return { amount: Math.round(amount * 10 ** currencyDigits(currency)), currency };
}
