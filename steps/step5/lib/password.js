// Passwords, hashed with scrypt from node:crypto: slow and memory-hungry on
// purpose, so that guessing from a stolen hash costs an attacker dearly (a
// fast hash like SHA-256 can be tried billions of times a second).
// #region hash
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

// scrypt with a callback, as a function that returns a promise.
const scryptAsync = promisify(scrypt);
// The hash's length in bytes. scrypt's cost is Node's default: N = 2^14,
// r = 8, p = 1, 16 MiB a guess. OWASP's minimum is N = 2^17 (128 MiB), for
// which Node's maxmem (32 MiB by default) must be raised.
const KEY_LENGTH = 32;

/** 'scrypt:<salt>:<hash>', base64: a new random salt for every password. */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH);
  return `scrypt:${salt.toString('base64')}:${hash.toString('base64')}`;
}

/** Whether `password` matches `stored`, compared in constant time. */
export async function verifyPassword(password, stored) {
  const [, salt, hash] = stored.split(':');
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}
// #endregion
