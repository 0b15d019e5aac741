import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytes } from '../util.ts';

/**
 * AES-256-GCM with associated data: the one primitive the wallet seals with, for both layers of
 * its envelope (a buyer's data key sealed by a key-encryption key, a buyer's fields sealed by
 * their data key). GCM authenticates as it encrypts, so a flipped bit, a wrong key or a
 * ciphertext copied to another row (other associated data) fails to open instead of yielding
 * garbage.
 *
 * Sealed form: `v1.` + base64url(12-byte random nonce ‖ 16-byte tag ‖ ciphertext). The version
 * prefix leaves room for another format without guessing at old rows. Random 96-bit nonces are
 * safe far beyond the number of writes one data key sees (NIST SP 800-38D: 2^32 per key).
 */
const VERSION = 'v1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** Thrown when a sealed value cannot be opened: tampered, truncated, or the wrong key or row. */
export class SealError extends Error {
  override name = 'SealError';
}

/**
 * The associated data binding a ciphertext to where it lives: a value copied into another row,
 * column or table does not open.
 */
export function bindingOf(table: string, rowId: string, column: string): string {
  return `buy-in-post wallet v1|${table}|${rowId}|${column}`;
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function seal(key: Buffer, plaintext: Buffer | string, associatedData: string): string {
  if (key.length !== KEY_BYTES) throw new SealError('AES-256-GCM needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  return VERSION + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
}

export function open(key: Buffer, sealed: string, associatedData: string): Buffer {
  if (!sealed.startsWith(VERSION)) throw new SealError('Unknown sealed-value format');
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64url');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SealError('Sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    // Node says only "Unsupported state or unable to authenticate data"; say what it means here.
    throw new SealError('Sealed value does not authenticate (wrong key, wrong row, or altered)');
  }
}
