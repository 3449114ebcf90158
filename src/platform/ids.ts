/**
 * Record ids: a type prefix and a ULID body, so ids sort by creation time and
 * say what they name (`con_01J…`).
 */
import { randomFillSync } from 'node:crypto';
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
  event: 'evt',
  webhookEndpoint: 'whk',
  webhookDelivery: 'whd',
  import: 'imp',
  session: 'ses',
  authLink: 'lnk',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * ulid's default source asks the OS for randomness once per character; drawing
 * from a pooled buffer of the same cryptographic bytes is several times faster.
 */
const pool = new Uint8Array(4096);
let poolIndex = pool.length;
const pooledRandom = (): number => {
  if (poolIndex >= pool.length) {
    randomFillSync(pool);
    poolIndex = 0;
  }
  return (pool[poolIndex++] as number) / 256;
};

const ulid = monotonicFactory(pooledRandom);

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid()}`;
}
