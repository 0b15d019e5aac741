import { createHmac, hkdfSync } from 'node:crypto';
import { KEY_BYTES, open, SealError, seal } from './crypto.ts';

/**
 * The wallet's key material: key-encryption keys (KEKs) by id, the id new writes use, and the
 * key of the blind indexes (email and host-subject look-ups, code hashes, rate-limit buckets).
 */
export interface WalletKeys {
  current: string;
  keks: ReadonlyMap<string, Buffer>;
  indexKey: Buffer;
  /** `configured` (BIP_WALLET_KEYS) or `derived` (from BIP_SECRET, outside production). */
  source: 'configured' | 'derived';
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * Parses `BIP_WALLET_KEYS`:
 * `{"current": "2026-12", "keys": {"2026-06": "<base64>", "2026-12": "<base64>"}, "indexKey": "<base64>"}`
 * — every key 32 random bytes in base64 (`openssl rand -base64 32`). Throws an Error saying what
 * is wrong, never echoing key material; the caller names the variable.
 */
export function parseWalletKeys(raw: string): WalletKeys {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(
      'must be JSON: {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}, "indexKey": "<base64 of 32 bytes>"}',
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('must be a JSON object with "current", "keys" and "indexKey"');
  const { current, keys, indexKey, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new Error(`has unknown members: ${unknown.join(', ')}`);
  if (!keys || typeof keys !== 'object' || Array.isArray(keys))
    throw new Error('"keys" must be an object of key id → base64 key');
  const keks = new Map<string, Buffer>();
  for (const [id, encoded] of Object.entries(keys)) {
    if (!KEY_ID.test(id))
      throw new Error(`key id "${id}" must be 1–32 letters, digits, ".", "_" or "-"`);
    keks.set(id, decodeKey(encoded, `key "${id}"`));
  }
  if (typeof current !== 'string' || !keks.has(current))
    throw new Error('"current" must name one of the ids in "keys"');
  return { current, keks, indexKey: decodeKey(indexKey, '"indexKey"'), source: 'configured' };
}

function decodeKey(encoded: unknown, what: string): Buffer {
  // Strict base64 (standard or URL alphabet): a typo must not silently become another key.
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded))
    throw new Error(`${what} must be a base64 string`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES)
    throw new Error(`${what} must be ${KEY_BYTES} bytes once decoded (it is ${key.length})`);
  return key;
}

/**
 * Keys derived from the server secret with HKDF-SHA256, for development and tests when
 * `BIP_WALLET_KEYS` is not set. Distinct `info` strings make the KEK and the index key
 * independent of each other and of the secret's other uses (download links).
 */
export function deriveWalletKeys(secret: string): WalletKeys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', secret, 'buy-in-post wallet', info, KEY_BYTES));
  return {
    current: 'derived',
    keks: new Map([['derived', derive('bip wallet kek v1')]]),
    indexKey: derive('bip wallet index v1'),
    source: 'derived',
  };
}

/** A sealed value names a key-encryption key the configuration no longer has: fail closed. */
export class WalletKeyError extends Error {
  override name = 'WalletKeyError';
}

/** The operations on {@link WalletKeys} the wallet needs: wrap and unwrap, keyed indexes. */
export class KeyRing {
  private readonly indexKeys = new Map<string, Buffer>();

  constructor(readonly keys: WalletKeys) {}

  get currentId(): string {
    return this.keys.current;
  }

  /** Seals a buyer's data key with the current KEK; the KEK's id is stored beside it. */
  wrap(dataKey: Buffer, binding: string): { keyId: string; wrapped: string } {
    const kek = this.keys.keks.get(this.keys.current)!;
    return {
      keyId: this.keys.current,
      wrapped: seal(kek, dataKey, `${binding}|${this.keys.current}`),
    };
  }

  /** Opens a data key, or throws {@link WalletKeyError} naming the missing key. */
  unwrap(keyId: string, wrapped: string, binding: string): Buffer {
    const kek = this.keys.keks.get(keyId);
    if (!kek)
      throw new WalletKeyError(
        `sealed with wallet key "${keyId}", which BIP_WALLET_KEYS no longer lists; put the key back (then run "buy-in-post-server wallet rotate-keys") or erase the wallet`,
      );
    try {
      return open(kek, wrapped, `${binding}|${keyId}`);
    } catch (err) {
      if (err instanceof SealError)
        throw new WalletKeyError(
          `wallet key "${keyId}" does not open this data key: BIP_WALLET_KEYS holds a different key under that id`,
        );
      throw err;
    }
  }

  /**
   * A keyed HMAC-SHA256 (hex) of `value` for look-ups: equal inputs give equal outputs, but
   * without the index key nobody can test a guess against the database. Each `purpose` gets
   * its own sub-key, so an email's index never equals anything else's.
   */
  index(purpose: string, value: string): string {
    let key = this.indexKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.keys.indexKey, '', `bip index ${purpose}`, 32));
      this.indexKeys.set(purpose, key);
    }
    return createHmac('sha256', key).update(value, 'utf8').digest('hex');
  }
}
