import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import type { Logger } from '../../src/log.ts';
import type { ShippingZone, TaxRate } from '../../src/protocol/seller.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import type { Clock } from '../../src/util.ts';

export type DialectName = 'sqlite' | 'postgres';

const PG_URL = process.env.TEST_POSTGRES_URL;
let warned = false;

/**
 * The databases every server test runs against. SQLite always; PostgreSQL when
 * TEST_POSTGRES_URL is set (CI sets it and BIP_REQUIRE_POSTGRES=1, so CI can never skip it).
 */
export function dialects(): { name: DialectName; skip: string | false }[] {
  if (!PG_URL && process.env.BIP_REQUIRE_POSTGRES === '1') {
    throw new Error('BIP_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set');
  }
  if (!PG_URL && !warned) {
    warned = true;
    console.warn(
      '\n⚠️  TEST_POSTGRES_URL is not set: the PostgreSQL variants of these tests are SKIPPED.\n',
    );
  }
  return [
    { name: 'sqlite', skip: false },
    {
      name: 'postgres',
      skip: PG_URL ? false : 'TEST_POSTGRES_URL not set — PostgreSQL tests SKIPPED',
    },
  ];
}

/** A fresh, empty database URL: a new SQLite file, or a new schema on the test PostgreSQL. */
export async function freshDatabaseUrl(dialect: DialectName): Promise<string> {
  if (dialect === 'sqlite') return join(mkdtempSync(join(tmpdir(), 'bip-test-')), 'db.sqlite');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const url = new URL(PG_URL!);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export interface TestServer extends RunningServer {
  databaseUrl: string;
}

/** The real server, on a free port, over a fresh database. */
export async function startTestServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  opts: { clock?: Clock; databaseUrl?: string; log?: Logger; db?: Db } = {},
): Promise<TestServer> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabaseUrl(dialect));
  const config = loadConfig({
    BIP_MODE: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    BIP_CHECKOUT_RATE_LIMIT: '100000',
    // Every test shares 127.0.0.1: the per-client bounds are tested on their own (hardening-hoarding).
    BIP_CHECKOUT_CHANGE_RATE_LIMIT: '100000',
    BIP_CLIENT_MAX_HOLDS: '100000',
    BIP_CLIENT_MAX_UNITS: '100000',
    BIP_WEBHOOK_POLL_MS: '50',
    BIP_WEBHOOK_RETRY_BASE_MS: '50',
    BIP_WEBHOOK_TIMEOUT_MS: '2000',
    ...env,
  });
  const server = await startServer(config, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.db ? { db: opts.db } : {}),
  });
  // The download links name the public URL; with port 0 it is only known now.
  server.app.config.publicUrl = server.url;
  return Object.assign(server, { databaseUrl });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small fetch wrapper: JSON in, JSON (or problem+json) out. */
export function client(baseUrl: string, defaults: Record<string, string> = {}) {
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...defaults, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}/v1${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
}

export const ZONES: ShippingZone[] = [
  { name: 'Home', countries: ['US'], rate: 500, freeOver: 5000 },
  { name: 'Europe', countries: ['FR', 'DE', 'GB'], rate: 1500, freeOver: null },
];
export const TAXES: TaxRate[] = [
  { country: 'FR', rateBps: 2000 },
  { country: 'GB', rateBps: 2000 },
];

/** A seller made through the real services, with shipping zones and tax rates set. */
export async function makeSeller(server: RunningServer, name = 'Test Artist') {
  const created = await server.app.services.sellers.create({
    name,
    kind: 'artist',
    shippingZones: ZONES,
    taxRates: TAXES,
    allowedOrigins: ['https://blog.example'],
  });
  const seller = client(server.url, { Authorization: `Bearer ${created.apiKey}` });
  return { ...created, api: seller };
}

let seq = 0;
/** A T-shirt (sizes S/M, stock per size) created through the seller API. */
export async function makeTee(
  seller: Awaited<ReturnType<typeof makeSeller>>,
  { stock = 10, price = 2500 }: { stock?: number | null; price?: number } = {},
) {
  const id = `tee-${++seq}-${randomBytes(3).toString('hex')}`;
  const res = await seller.api('POST', '/seller/products', {
    id,
    title: 'Tour T-shirt',
    kind: 'physical',
    url: 'https://shop.example/tee',
    options: [{ name: 'Size', values: ['S', 'M'] }],
    images: [{ url: 'https://img.example/tee.jpg', alt: 'A black T-shirt' }],
    variants: [
      { id: `${id}-s`, options: { Size: 'S' }, price, stock },
      { id: `${id}-m`, options: { Size: 'M' }, price, compareAtPrice: price + 500, stock },
    ],
  });
  if (res.status !== 201) throw new Error(`makeTee: ${res.status} ${JSON.stringify(res.body)}`);
  return { id, small: `${id}-s`, medium: `${id}-m`, product: res.body };
}

export const ADDRESS_US = {
  name: 'Ada Reader',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
export const ADDRESS_FR = {
  name: 'Amélie Lecteur',
  line1: '3 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

export const newKey = () => `key-${randomBytes(12).toString('hex')}`;

/** Creates a checkout through the public API. */
export async function createCheckout(
  baseUrl: string,
  body: Record<string, unknown>,
  key = newKey(),
) {
  return client(baseUrl)('POST', '/checkouts', body, { 'Idempotency-Key': key });
}

/** A client bound to a checkout's token. */
export function buyer(baseUrl: string, token: string) {
  return client(baseUrl, { Authorization: `Bearer ${token}` });
}
