/**
 * A Nutshell entity, as new* and edit* receive it, as a Trellis create or
 * update body. Clients read an entity, change a field and send the whole
 * entity back, so:
 * - the head (`id`, `entityType`, `rev`, `stub`, `createdTime`,
 *   `modifiedTime`) is ignored;
 * - on an edit, a field sent as the record has it is left alone (computed
 *   fields such as a lead's confidence read back unchanged change nothing);
 * - read-only fields (a lead's `status`, an account's `leads`) are ignored,
 *   with a warning when the value sent is not the record's;
 * - Nutshell fields Trellis has no place for (a lead's `market`) are
 *   accepted and not kept, with a warning;
 * - any other field is refused (-32602 naming it).
 */
import { own, type Json } from './args.js';
import type { RpcContext } from './context.js';
import type { FieldsIn } from './nutshell-input.js';
import { invalidParams, type Args } from './protocol.js';

export interface EntityFields {
  fields: FieldsIn;
  /** Answered, never written: field → what to do instead. */
  readOnly?: Record<string, string>;
  /** Nutshell's, accepted and not kept: field → why. */
  unkept?: Record<string, string>;
}

export interface EntityInput {
  body: Args;
  /** Run after the record is written, with its id. */
  links: ((recordId: string) => Promise<void>)[];
}

const HEAD = new Set(['id', 'entityType', 'rev', 'stub', 'createdTime', 'modifiedTime']);

/** `current` is the record as this door answers it, on an edit (undefined when the key may not read it). */
export async function entityInput(what: string, spec: EntityFields, sent: Json, ctx: RpcContext, current?: Json): Promise<EntityInput> {
  const given = Object.entries(sent).filter(([key, value]) => value !== undefined && !HEAD.has(key));
  const changed = new Set(given.filter(([key, value]) => current === undefined || !sameJson(value, current[key])).map(([key]) => key));
  for (const [key] of given) if (own(spec.fields, key)?.with?.some((other) => changed.has(other))) changed.add(key);
  const entity = current === undefined ? sent : { ...current, ...sent };
  const body: Args = {};
  const links: EntityInput['links'] = [];
  for (const [key, value] of given) {
    if (!changed.has(key)) continue;
    const readOnly = own(spec.readOnly ?? {}, key);
    const unkept = own(spec.unkept ?? {}, key);
    if (readOnly !== undefined || unkept !== undefined) {
      if (isMeaningful(value)) ctx.warn(readOnly !== undefined ? `${what}.${key} is read only and was left as it is: ${readOnly}` : `${what}.${key} was accepted and not kept: ${unkept}`);
      continue;
    }
    const field = own(spec.fields, key);
    if (!field) {
      const message = `${what}.${key} is not a field Trellis keeps; the fields are ${Object.keys(spec.fields).join(', ')}.`;
      throw invalidParams(message, { [key]: ['Not a field Trellis keeps.'] });
    }
    for (const [name, v] of Object.entries(await field.read(value, ctx, entity))) {
      if (name in body && !sameJson(body[name], v)) throw invalidParams(`${what}.${key} disagrees with another field that sets the same thing.`, { [key]: ['Disagrees with another field.'] });
      body[name] = v;
    }
    if (field.link) links.push(await field.link(value, ctx));
  }
  return { body, links };
}

const isMeaningful = (value: unknown): boolean =>
  value !== null && value !== '' && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/** Equal as JSON, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameJson(v, (b as unknown[])[i]));
  const keysA = Object.keys(a).filter((k) => (a as Json)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Json)[k] !== undefined);
  return keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(b, k) && sameJson((a as Json)[k], (b as Json)[k]));
}
