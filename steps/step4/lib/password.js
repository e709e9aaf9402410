// Passwords, hashed with scrypt from node:crypto: slow and memory-hungry on
// purpose, so that guessing from a stolen hash costs an attacker dearly (a
// fast hash like SHA-256 can be tried billions of times a second).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt);
const KEY_LENGTH = 32;

// #region hash
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
