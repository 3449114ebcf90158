/**
 * Record ids: a type prefix and a ULID body, so ids sort by creation time and
 * say what they name (`con_01J…`).
 */
import { monotonicFactory } from 'ulid';

export const ID_PREFIXES = {
  workspace: 'wsp',
  user: 'usr',
  apiKey: 'key',
  contact: 'con',
  company: 'cmp',
  lead: 'led',
  deal: 'deal',
  pipeline: 'pip',
  stage: 'stg',
  stageChange: 'chg',
  activity: 'act',
  task: 'tsk',
  tag: 'tag',
  request: 'req',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ulid = monotonicFactory();

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid()}`;
}

/** True when `value` has the shape of an id of this kind; anything else cannot exist. */
export function looksLikeId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && /^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}
