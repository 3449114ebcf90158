/** Reading a call's params: each reader names the param in its complaint (-32602). */
import { invalidParams, type Args } from './protocol.js';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** PHP's json_encode writes an empty object as `[]`: wherever an object is expected, `[]` is `{}`. */
export const asObject = (value: unknown): unknown => (Array.isArray(value) && value.length === 0 ? {} : value);

/**
 * Nothing given: null, or an empty object where one object is expected (a
 * reference, a value), which PHP writes as `[]`. Such an object says nothing,
 * so it means none.
 */
export const isNone = (value: unknown): boolean => value === null || (isObject(asObject(value)) && Object.keys(asObject(value) as Json).length === 0);

/** A record id. Nutshell ids are integers; Trellis ids are strings, and a number is taken as its digits (and names nothing). */
export function toId(name: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw invalidParams(`${name} must be an id.`);
}

export const idArg = (args: Args, name: string): string => toId(name, args[name]);

export function objectArg(args: Args, name: string): Json {
  const value = asObject(args[name]);
  if (!isObject(value)) throw invalidParams(`${name} must be an object.`, { [name]: ['Must be an object.'] });
  return value;
}

export function stringArg(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw invalidParams(`${name} must be a string.`);
  return value;
}

/** A whole number from min to max; a numeric string counts, since some clients send "50". */
export function intArg(args: Args, name: string, range: { min: number; max: number; fallback: number }): number {
  const raw = args[name];
  if (raw === undefined || raw === null) return range.fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw invalidParams(`${name} must be a whole number from ${range.min} to ${range.max}.`);
  }
  return value;
}

const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };

/** true or false; 1 and 0, and each as text ("false", "0"), count too, since clients built on form values send them so. Undefined for anything else. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return typeof value === 'string' || typeof value === 'number' ? own(BOOLEANS, String(value).trim().toLowerCase()) : undefined;
}

/** A number sent as text ("75", as a form value is) is that number; anything else is left for the schema to judge. */
export const asNumber = (value: unknown): unknown => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value);

export function boolArg(args: Args, name: string, fallback: boolean): boolean {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  const known = asBoolean(value);
  if (known === undefined) throw invalidParams(`${name} must be true or false.`, { [name]: ['Must be true or false.'] });
  return known;
}

/**
 * The `rev` a client last read, as the version to match: undefined for
 * "REV_IGNORE" (no check); a value that is no version can never match (-1).
 */
export function revArg(args: Args): number | undefined {
  const rev = args.rev;
  if (rev === 'REV_IGNORE') return undefined;
  if (typeof rev === 'number' && Number.isSafeInteger(rev)) return rev;
  if (typeof rev === 'string' && /^\d{1,9}$/.test(rev.trim())) return Number(rev);
  if (typeof rev !== 'string' && typeof rev !== 'number') throw invalidParams('rev must be the rev you last read (a string), or "REV_IGNORE".');
  return -1;
}

/**
 * A client-named entry of a lookup table, or undefined: only the table's own
 * keys count, so names every object inherits (`constructor`, `toString`) are
 * unknown names, not functions.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
