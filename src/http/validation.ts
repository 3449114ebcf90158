/**
 * How every door checks what clients send, so REST, JSON-RPC and bulk items
 * refuse the same things with the same messages: unknown fields are refused
 * (not silently dropped), types are not coerced (`"42"` for a number is an
 * error), and no text may hold a NUL character (PostgreSQL cannot store one).
 */
import { Ajv } from 'ajv';
import formats from 'ajv-formats';

export function createRequestValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  formats.default(ajv);
  return ajv;
}

/** Whether any string or key in a parsed JSON value holds a NUL character. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}
