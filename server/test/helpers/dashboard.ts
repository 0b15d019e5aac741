import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { type ApiResponse, client, type TestServer } from './server.ts';
import { freshEmail, freshIp, type Smtp } from './wallet.ts';

/** A problem+json refusal with this status and code. */
export function refused(res: ApiResponse, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code, JSON.stringify(res.body));
}

/** The `name=value` of a Set-Cookie answer, and its attributes, lower-cased. */
export function parseSetCookie(res: { headers: Headers }) {
  const line = res.headers.getSetCookie()[0];
  assert.ok(line, 'a Set-Cookie header');
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const eq = pair!.indexOf('=');
  return {
    name: pair!.slice(0, eq),
    value: pair!.slice(eq + 1),
    cookie: pair!,
    attributes: attrs.map((a) => a.toLowerCase()),
  };
}

export interface BrowserOptions {
  /** The Origin header (default: the endpoint's own); null sends none. */
  origin?: string | null;
  /** Sec-Fetch-Site (default same-origin); null sends none. */
  site?: string | null;
  /** X-CSRF-Token on writes (default the session's); null sends none. */
  csrf?: string | null;
}

/**
 * What the dashboard in a browser sends: the session cookie, Origin and Sec-Fetch-Site as a
 * same-origin fetch carries them, and the CSRF token on writes — each overridable, to play the
 * requests other sites (or a forgetful client) would make.
 */
export function browser(
  server: TestServer,
  session: { cookie: string; csrfToken: string },
  opts: BrowserOptions = {},
) {
  const origin =
    opts.origin === undefined ? new URL(server.app.config.publicUrl).origin : opts.origin;
  const site = opts.site === undefined ? 'same-origin' : opts.site;
  const csrf = opts.csrf === undefined ? session.csrfToken : opts.csrf;
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { Cookie: session.cookie, ...headers };
    const write = method !== 'GET' && method !== 'HEAD';
    if (origin !== null && (write || opts.origin !== undefined)) h.Origin = origin;
    if (site !== null) h['Sec-Fetch-Site'] = site;
    if (write && csrf !== null) h['X-CSRF-Token'] = csrf;
    return client(server.url)(method, path, body, h);
  };
}

/** Headers of a same-origin browser request without a session (sign-in). */
export function sameOrigin(server: TestServer, ip = freshIp()) {
  return client(server.url, {
    Origin: new URL(server.app.config.publicUrl).origin,
    'Sec-Fetch-Site': 'same-origin',
    'X-Forwarded-For': ip,
  });
}

/** A seller invited by email (as `seller create --email` does), with its API key. */
export async function invitedSeller(server: TestServer, name = 'Dashboard Artist') {
  const email = freshEmail('seller');
  const created = await server.app.services.sellers.create({
    name,
    kind: 'artist',
    email,
    allowedOrigins: ['https://blog.example'],
    shippingZones: [{ name: 'Home', countries: ['US'], rate: 500, freeOver: 5000 }],
  });
  return {
    ...created,
    email,
    api: client(server.url, { Authorization: `Bearer ${created.apiKey}` }),
  };
}

/** Signs a seller in with a mailed code, as the dashboard does; the session's cookie and token. */
export async function signInWithCode(server: TestServer, smtp: Smtp, email: string) {
  const ip = freshIp();
  const asked = await sameOrigin(server, ip)('POST', '/dashboard/codes', { email });
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  const { code } = await smtp.next(email);
  const res = await sameOrigin(server, ip)('POST', '/dashboard/sessions', { email, code });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { cookie: parseSetCookie(res).cookie, csrfToken: res.body.csrfToken as string, res };
}

/** Signs a seller in with its API key (no mail needed). */
export async function signInWithKey(server: TestServer, apiKey: string) {
  const res = await sameOrigin(server)('POST', '/dashboard/sessions', { apiKey });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { cookie: parseSetCookie(res).cookie, csrfToken: res.body.csrfToken as string, res };
}

/** A real PNG of `width`×1 grey pixels: enough bytes for any sniffer, and decodable. */
export function png(width = 1): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.concat([Buffer.from([0]), Buffer.alloc(width, 0x80)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Uploads `bytes` as a product image (multipart/form-data, as a browser's FormData sends it). */
export async function uploadImage(
  server: TestServer,
  productId: string,
  bytes: Uint8Array,
  headers: Record<string, string>,
  opts: { type?: string; name?: string; alt?: string } = {},
) {
  const form = new FormData();
  form.set('file', new Blob([bytes], { type: opts.type ?? 'image/png' }), opts.name ?? 'photo.png');
  form.set('alt', opts.alt ?? 'A photo');
  const res = await fetch(`${server.url}/v1/seller/products/${productId}/images`, {
    method: 'POST',
    body: form,
    headers,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body } as ApiResponse;
}
