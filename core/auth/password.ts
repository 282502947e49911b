// Password hashing with scrypt from Node's crypto (no native add-on to build). The stored form
// records its parameters so they can be raised later without invalidating old hashes.
// Hashes made by CKAN are verified too, so that accounts moved with `ckanapi dump users` /
// `load users` (password_hash) keep their passwords; a sign-in then re-hashes them with scrypt.
import { createHash, pbkdf2 as pbkdf2Callback, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

const N = 16384;
const r = 8;
const p = 1;
const KEYLEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEYLEN, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const pbkdf2 = (password: string, salt: Buffer, rounds: number, keylen: number) =>
  new Promise<Buffer>((resolve, reject) => pbkdf2Callback(password, salt, rounds, keylen, 'sha512', (err, key) => (err ? reject(err) : resolve(key))));

/** PBKDF2 rounds beyond which a stored CKAN hash is refused rather than costing a minute of CPU. */
const MAX_PBKDF2_ROUNDS = 1_000_000;

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  if (stored.startsWith('$pbkdf2-sha512$')) return verifyCkanPbkdf2(password, stored);
  if (/^[0-9a-f]{80}$/.test(stored)) return verifyCkanSha1(password, stored);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, expected] = parts;
  const expectedKey = Buffer.from(expected, 'base64url');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expectedKey.length, {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
}

/** True when a verified hash should be replaced by a fresh one (a CKAN hash, or older parameters). */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`scrypt$${N}$${r}$${p}$`);
}

// passlib's pbkdf2_sha512, as CKAN 2.x stores it: $pbkdf2-sha512$<rounds>$<salt>$<checksum>, salt and
// checksum in passlib's "adapted base64" ('.' for '+', no padding). passlib hashes the UTF-8 bytes as given.
async function verifyCkanPbkdf2(password: string, stored: string): Promise<boolean> {
  const match = /^\$pbkdf2-sha512\$(\d{1,7})\$([A-Za-z0-9./]*)\$([A-Za-z0-9./]{86})$/.exec(stored);
  if (!match) return false;
  const rounds = Number(match[1]);
  if (rounds < 1 || rounds > MAX_PBKDF2_ROUNDS) return false;
  const fromAb64 = (text: string) => Buffer.from(text.replaceAll('.', '+'), 'base64');
  const salt = fromAb64(match[2]);
  const expected = fromAb64(match[3]);
  for (const candidate of new Set([password, password.normalize('NFC')])) {
    const key = await pbkdf2(candidate, salt, rounds, expected.length);
    if (timingSafeEqual(key, expected)) return true;
  }
  return false;
}

// CKAN before 2.1: 40 hex characters of salt, then sha1(password + salt) in hex.
function verifyCkanSha1(password: string, stored: string): boolean {
  const salt = stored.slice(0, 40);
  const expected = Buffer.from(stored.slice(40), 'hex');
  const key = createHash('sha1').update(password + salt, 'utf8').digest();
  return timingSafeEqual(key, expected);
}
