import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.ts';
import { ServiceError } from '../services/errors.ts';
import type { OriginPolicy } from '../services/origins.ts';

/** The paths of protocol v1 that pages embedding the element call (the seller API is not). */
export const PUBLIC_PATHS = [
  '/products',
  '/products/*',
  '/resolve',
  '/oembed',
  '/checkouts',
  '/checkouts/*',
  '/downloads/*',
  '/buyer',
  '/buyer/*',
  '/health',
  '/openapi.json',
] as const;

/**
 * Headers every answer carries, whatever answered it (a route, the error handler, the 404 of an
 * unknown path): `X-Content-Type-Options: nosniff`, so a browser never reads a JSON or problem
 * body — or a download — as a script, a style sheet or a page. Set after the answer is made.
 */
export function answerHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(ANSWER_HEADERS)) c.res.headers.set(name, value);
  };
}

/** What {@link answerHeaders} puts on every answer, for an answer made before it runs. */
export const ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Answers that must never be kept by a browser or a shared cache (they carry buyers' names,
 * addresses and emails, or credentials): `Cache-Control: no-store`, on success and error alike.
 */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  };
}

/** Request headers the public protocol accepts from pages (Buyer-Session: docs/wallet.md). */
const CORS_ALLOW_HEADERS = 'Content-Type,Authorization,Idempotency-Key,Buyer-Session';
const CORS_EXPOSE_HEADERS = 'ETag,Idempotent-Replayed,Retry-After';

/**
 * CORS for the public protocol: the origins OriginPolicy grants, nothing else; a preflight is
 * answered 204 here. What Hono's `cors()` does, but with its headers set through `c.header()`
 * before the handler answers and on `c.res.headers` after: `cors()` touches `c.res` first, and
 * Hono then rebuilds every answer around a stream (a whole Fetch Response and a ReadableStream),
 * which cost more than a cached product look-up itself. Registered for overlapping paths
 * (`/products` and `/products/*`), it runs once a request.
 */
export function publicCors(origins: OriginPolicy): MiddlewareHandler {
  const done = new WeakSet<object>();
  return async (c, next) => {
    if (done.has(c)) return next();
    done.add(c);
    const origin = await origins.corsOrigin(c.req.header('Origin'));
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = {
        'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS,
        'Access-Control-Max-Age': '600',
        'Access-Control-Allow-Methods': 'GET,POST,PATCH,DELETE',
        'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
        Vary: 'Origin, Access-Control-Request-Headers',
      };
      if (origin) headers['Access-Control-Allow-Origin'] = origin;
      return c.body(null, 204, headers);
    }
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS);
    await next();
    c.res.headers.append('Vary', 'Origin');
  };
}

/**
 * What {@link publicCors} adds to an answer (not a preflight's) for `origin` as OriginPolicy
 * grants it (null: none), for an answer made before it runs.
 */
export function corsHeaders(origin: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS,
    Vary: 'Origin',
  };
  if (origin) headers['Access-Control-Allow-Origin'] = origin;
  return headers;
}

/** The largest file a seller may upload for a digital product. */
export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/**
 * The one request whose body is not JSON: a seller uploading a digital product's file
 * (`PUT /v1/seller/products/{id}/file`, the id as the protocol spells ids). Matched exactly —
 * method and whole path — so no other route (`PATCH /v1/checkouts/file` is the public checkout
 * route) can borrow its exemption.
 */
export function isSellerUpload(method: string, path: string): boolean {
  return (
    (method === 'PUT' &&
      /^\/v1\/seller\/products\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/file$/.test(path)) ||
    // A product image (multipart/form-data): its own, smaller limit is judged by the route.
    (method === 'POST' &&
      /^\/v1\/seller\/products\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/images$/.test(path))
  );
}

const tooLarge = (limit: number, what: string) => () => {
  throw new ServiceError('payload_too_large', `${what} are limited to ${limit} bytes`);
};

/**
 * Bodies are JSON, and small. Runs before routing, for every request whatever its path: a body
 * over `BIP_BODY_LIMIT_BYTES` is refused (413) — from its Content-Length before a byte is read,
 * or as soon as a streamed body passes the limit — and a POST, PATCH or PUT body of another type
 * too (415), before any handler or validator reads it. The seller upload
 * ({@link isSellerUpload}) has its own limit, and must declare its length: nothing of it is
 * read before the seller is authenticated.
 */
export function jsonBodies(config: Pick<Config, 'bodyLimitBytes'>): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: tooLarge(config.bodyLimitBytes, 'Bodies'),
  });
  return async (c, next) => {
    if (isSellerUpload(c.req.method, c.req.path)) {
      const declared = Number(c.req.header('Content-Length') ?? 'NaN');
      if (!(declared <= UPLOAD_LIMIT_BYTES) || c.req.header('Transfer-Encoding'))
        tooLarge(UPLOAD_LIMIT_BYTES, 'Files (with a Content-Length)')();
      return next();
    }
    if (c.req.method === 'POST' || c.req.method === 'PATCH' || c.req.method === 'PUT') {
      const type = c.req.header('Content-Type');
      // A request with no body at all (`POST …/rotate` from curl or fetch) is not a body of
      // another type: the route's own validation answers it. A form (which always declares a
      // type) or any declared non-JSON type is still refused here.
      const bodiless =
        type === undefined &&
        c.req.header('Transfer-Encoding') === undefined &&
        (c.req.header('Content-Length') ?? '0') === '0';
      if (!bodiless && !/^application\/(.+\+)?json\s*(;|$)/i.test(type ?? '')) {
        throw new ServiceError(
          'unsupported_media_type',
          'Send the body as JSON with "Content-Type: application/json"',
        );
      }
    }
    // What bodyLimit decides from the headers is decided here, before it asks for the body:
    // `c.req.raw.body` builds a whole Fetch Request and stream per request (a tenth of a product
    // look-up's cost). A GET or HEAD is given no body to read; a declared length is judged as is.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('Content-Length');
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (Number.parseInt(declared, 10) > config.bodyLimitBytes)
        tooLarge(config.bodyLimitBytes, 'Bodies')();
      return next();
    }
    return limit(c, next);
  };
}
