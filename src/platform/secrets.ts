/** API key generation and hashing. Keys are high-entropy, so one SHA-256 is enough to store them. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_BODY_LENGTH = 40;
/** How much of a key is kept in clear to tell keys apart in lists (`trl_live_AbCd`). */
const PREFIX_LENGTH = 13;

export type KeyMode = 'live' | 'test';

/** What every API key looks like: `trl_live_` or `trl_test_` and at least 32 letters and digits. */
export const API_KEY_PATTERN = /^trl_(live|test)_[A-Za-z0-9]{32,}$/;

export function generateApiKey(mode: KeyMode = 'live'): string {
  // Rejection sampling keeps every base62 character equally likely.
  let body = '';
  while (body.length < KEY_BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && body.length < KEY_BODY_LENGTH) body += BASE62[byte % 62];
    }
  }
  return `trl_${mode}_${body}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function keyPrefix(secret: string): string {
  return secret.slice(0, PREFIX_LENGTH);
}

/** Compares two secrets in time that does not depend on where they differ (hashing first makes the lengths equal). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

/** Compares two hex digests of equal length in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
