/**
 * Passwords: the rules, and hashing with scrypt (memory-hard, in Node's own
 * crypto: no native add-on to build or download). Stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` so the cost can be raised later
 * while old hashes still verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidFields } from '../domain/errors.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** N = 2^15, r = 8: 32 MiB and some tens of milliseconds per hash (OWASP's scrypt minimum is 2^17 with r = 8, p = 1 at 128 MiB; 2^15 keeps a 2-core server answering while it stays memory-hard). */
const COST_LOG2 = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * (options.N ?? 1) * (options.r ?? 8) }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** What is wrong with a password by the rules, if anything (also for settings, which cannot throw a field error). */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  if (password.trim() === '') return 'The password must not be only spaces.';
  return undefined;
}

/** The password rules; `field` names the field the error is about. */
export function checkPassword(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw invalidFields({ [field]: problem });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: 2 ** COST_LOG2, r: BLOCK_SIZE, p: PARALLELISM });
  return ['scrypt', COST_LOG2, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costLog2, blockSize, parallelism, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: 2 ** Number(costLog2), r: Number(blockSize), p: Number(parallelism) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of no password, verified against when the email is unknown, so the answer takes as long either way. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
