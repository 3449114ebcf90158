/** Normal forms, so that dedup and look-ups compare like with like. */
import { invalidFields } from './errors.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * A company domain: lower case, no scheme, no `www.`, no port, path or trailing
 * dot. "https://www.Acme.com/about" → "acme.com". Undefined when it is no domain.
 */
export function normalizeDomain(input: string): string | undefined {
  let domain = input.trim().toLowerCase();
  domain = domain.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  domain = domain.replace(/^[^@/]*@/, '');
  domain = domain.split(/[/?#]/)[0] ?? '';
  domain = domain.replace(/:\d+$/, '').replace(/\.$/, '').replace(/^www\./, '');
  return HOSTNAME.test(domain) ? domain : undefined;
}

export type JsonObject = Record<string, unknown>;

export const CUSTOM_FIELDS_MAX_BYTES = 16 * 1024;
/** How deep `custom_fields` may nest objects and arrays, itself counted: `{"a": {"b": [1]}}` is 3. */
export const CUSTOM_FIELDS_MAX_DEPTH = 6;

/**
 * Custom fields change like a JSON merge patch: given keys are set, keys given
 * as null are removed, others stay; `null` for the whole object clears it.
 */
export function mergeCustomFields(current: JsonObject, patch: JsonObject | null | undefined): JsonObject {
  if (patch === undefined) return current;
  if (patch === null) return {};
  // A Map, so a key named after an Object property (`constructor`) is a key like any other.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  if (merged.size > 100) throw invalidFields({ custom_fields: 'custom_fields may hold at most 100 keys.' });
  const fields = Object.fromEntries(merged);
  if (Buffer.byteLength(JSON.stringify(fields)) > CUSTOM_FIELDS_MAX_BYTES) {
    throw invalidFields({ custom_fields: `custom_fields may be at most ${CUSTOM_FIELDS_MAX_BYTES / 1024} KiB as JSON.` });
  }
  return fields;
}

export interface Address {
  street: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}
export type AddressPatch = Partial<Address> | null | undefined;

export const EMPTY_ADDRESS: Address = { street: null, city: null, state: null, postal_code: null, country: null };

/** The same merge rule for the address: given parts change, `null` clears the whole address. */
export function mergeAddress(current: Address, patch: AddressPatch): Address {
  if (patch === undefined) return current;
  if (patch === null) return EMPTY_ADDRESS;
  const merged = { ...current };
  for (const key of Object.keys(EMPTY_ADDRESS) as (keyof Address)[]) {
    const value = patch[key];
    if (value !== undefined) merged[key] = value === null || value.trim() === '' ? null : value.trim();
  }
  return merged;
}

/** Trims text; empty text means "no value". */
export function cleanText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Mailbox providers: an address there says nothing about the person's company. */
const FREE_EMAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com',
  'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'yandex.com', 'yandex.ru', 'zoho.com', 'fastmail.com', 'hey.com',
]);

/** The company domain an email address tells, if it is not a mailbox provider's. */
export function companyDomainOfEmail(email: string): string | undefined {
  const domain = normalizeDomain(email.split('@')[1] ?? '');
  return domain !== undefined && !FREE_EMAIL_DOMAINS.has(domain) ? domain : undefined;
}
