import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

// Crockford-like alphabet without look-alikes (0/O, 1/I/L), for ids people read aloud.
const HUMAN = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A random id with a type prefix, e.g. `chk_4f3k…`. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x')}`;
}

const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

/**
 * Random bytes from OpenSSL's generator, as `crypto.randomBytes`, drawn from a pool filled 4 kB
 * at a time — Node does the same for `randomUUID`: a call costs about as much as a kilobyte, and
 * a checkout asks for a handful of ids, secrets and nonces. Each byte is handed out once and
 * wiped from the pool as it is.
 */
export function randomBytes(bytes: number): Buffer {
  if (bytes > pool.length / 8) return randomFillSync(Buffer.alloc(bytes));
  if (poolUsed + bytes > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const out = Buffer.from(pool.subarray(poolUsed, poolUsed + bytes));
  pool.fill(0, poolUsed, poolUsed + bytes);
  poolUsed += bytes;
  return out;
}

/** A short order number a buyer can read over the phone: `BIP-7K3Q9X`. */
export function newOrderNumber(): string {
  const b = randomBytes(7);
  let s = '';
  for (let i = 0; i < 7; i++) s += HUMAN[b[i]! % HUMAN.length];
  return `BIP-${s}`;
}

export function newSecret(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Stable JSON (sorted keys), so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The clock, injectable so tests can move time. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export const iso = (d: Date) => d.toISOString();
