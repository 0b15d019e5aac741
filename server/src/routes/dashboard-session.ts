/**
 * How the seller API is signed in to over HTTP: `Authorization: Bearer <API key>` (developers),
 * or the dashboard's session cookie — httpOnly, SameSite=Strict, Secure, `__Host-` prefixed —
 * accepted only from the endpoint's own origin and, on every write, with the session's CSRF
 * token in `X-CSRF-Token` (docs/security.md, "Seller dashboard").
 *
 * Not Hono's `csrf()`: it checks only form-like content types (what a plain HTML form can post
 * cross-site), while a cookie session here must refuse any cross-site request, JSON included,
 * and a token is wanted as well as the Origin check (defence in depth, and `Origin` is absent in
 * some older browsers' same-origin GETs).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.ts';
import type { SellerRow } from '../db/schema.ts';
import { bearerToken } from '../http/auth.ts';
import { ServiceError } from '../services/errors.ts';
import type { OpenedSession, SellerSessions } from '../services/seller-sessions.ts';
import type { SellerService } from '../services/sellers.ts';

export const CSRF_HEADER = 'X-CSRF-Token';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The cookie's name and whether it is Secure. Secure always, except for a plain-http public URL
 * on a loopback host in development mode (`npm start`), where a browser would not keep it. The
 * `__Host-` prefix demands Secure, Path=/ and no Domain: the cookie belongs to this origin alone,
 * and no sibling subdomain can plant or shadow one.
 */
export function sessionCookie(config: Pick<Config, 'publicUrl' | 'mode'>) {
  const url = new URL(config.publicUrl);
  const secure = !(
    url.protocol === 'http:' &&
    LOOPBACK.has(url.hostname) &&
    config.mode === 'development'
  );
  return { name: secure ? '__Host-bip_seller' : 'bip_seller', secure };
}

export function setSessionCookie(c: Context, config: Config, session: OpenedSession) {
  const { name, secure } = sessionCookie(config);
  setCookie(c, name, session.token, {
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    path: '/',
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(c: Context, config: Config) {
  const { name, secure } = sessionCookie(config);
  deleteCookie(c, name, { path: '/', secure, httpOnly: true, sameSite: 'Strict' });
}

export function sessionToken(c: Context, config: Config): string | undefined {
  return getCookie(c, sessionCookie(config).name);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isWrite = (c: Context) => WRITES.has(c.req.method);

/**
 * Refuses a cookie-carrying request another site made: `Sec-Fetch-Site` (every current browser
 * sends it) must say same-origin, and `Origin` — present on every write a browser makes — must be
 * this endpoint's. SameSite=Strict already keeps the cookie off cross-site requests; this also
 * covers same-site sibling origins (another port, another subdomain), which SameSite lets through.
 */
export function requireSameOrigin(c: Context, config: Config) {
  const own = new URL(config.publicUrl).origin;
  const site = c.req.header('Sec-Fetch-Site');
  const origin = c.req.header('Origin');
  const refused =
    (site !== undefined && site !== 'same-origin' && site !== 'none') ||
    (origin !== undefined && origin !== own) ||
    (isWrite(c) && origin === undefined);
  if (refused)
    throw new ServiceError(
      'cross_origin_refused',
      `Dashboard sessions are accepted only from ${own}; other sites use an API key`,
    );
}

/**
 * The seller API's sign-in: an API key if the request carries one (the cookie is then ignored),
 * else the session cookie from this origin, with the CSRF token on writes.
 */
export function sellerAuth(deps: {
  config: Config;
  sellers: SellerService;
  sessions: SellerSessions;
}): MiddlewareHandler<{ Variables: { seller: SellerRow } }> {
  const { config, sellers, sessions } = deps;
  return async (c, next) => {
    const key = bearerToken(c);
    const token = key === undefined ? sessionToken(c, config) : undefined;
    if (token === undefined) {
      c.set('seller', await sellers.authenticate(key));
      return next();
    }
    requireSameOrigin(c, config);
    const { seller } = await sessions.authenticate(token);
    if (isWrite(c) && !sessions.checkCsrf(token, c.req.header(CSRF_HEADER)))
      throw new ServiceError(
        'csrf_failed',
        `Send the session's csrfToken in the ${CSRF_HEADER} header with every change`,
      );
    c.set('seller', seller);
    return next();
  };
}
