import { createRoute } from '@hono/zod-openapi';
import type { Config } from '../config.ts';
import { clientKey } from '../http/client-ip.ts';
import { noStore } from '../http/middleware.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import {
  DashboardCodeBody,
  DashboardCodeRequested,
  DashboardSession,
  DashboardSignInBody,
} from '../protocol/seller.ts';
import type { ProductImages } from '../services/catalog-images.ts';
import { ServiceError } from '../services/errors.ts';
import type { OpenedSession, SellerSessions } from '../services/seller-sessions.ts';
import {
  CSRF_HEADER,
  clearSessionCookie,
  requireSameOrigin,
  sessionToken,
  setSessionCookie,
} from './dashboard-session.ts';

const r = {
  requestCode: createRoute({
    method: 'post',
    path: '/dashboard/codes',
    operationId: 'requestSellerCode',
    tags: tag('Dashboard'),
    security: security.none,
    summary: 'Mail a seller a six-digit sign-in code (the same answer for every address)',
    request: body(DashboardCodeBody),
    responses: {
      202: json(DashboardCodeRequested, 'A code is on its way, if a seller signs in with it'),
      403: problem('Not from the endpoint’s own origin (cross_origin_refused)'),
      422: problem('Invalid email'),
      429: problem('Too many codes for this address or from this network'),
      503: problem('This endpoint cannot mail codes (mail_unavailable)'),
    },
  }),
  signIn: createRoute({
    method: 'post',
    path: '/dashboard/sessions',
    operationId: 'createSellerSession',
    tags: tag('Dashboard'),
    security: security.none,
    summary: 'Open a dashboard session (a cookie) with an emailed code or an API key',
    request: body(DashboardSignInBody),
    responses: {
      201: json(DashboardSession, 'Signed in; the session cookie is set'),
      401: problem('Wrong code (code_invalid) or unknown API key (unauthorized)'),
      403: problem('Not from the endpoint’s own origin (cross_origin_refused)'),
      410: problem('The code expired (code_expired)'),
      422: problem('Invalid request'),
      429: problem('Too many wrong codes (too_many_attempts) or tries (rate_limited)'),
    },
  }),
  session: createRoute({
    method: 'get',
    path: '/dashboard/session',
    operationId: 'getSellerSession',
    tags: tag('Dashboard'),
    security: security.sellerSession,
    summary: 'The current dashboard session (its CSRF token again, after a reload)',
    responses: {
      200: json(DashboardSession, 'Signed in'),
      401: problem('No session, or an ended one'),
      403: problem('Not from the endpoint’s own origin (cross_origin_refused)'),
    },
  }),
  signOut: createRoute({
    method: 'delete',
    path: '/dashboard/session',
    operationId: 'deleteSellerSession',
    tags: tag('Dashboard'),
    security: security.sellerSession,
    summary: 'Sign out: the session ends and its cookie is cleared',
    responses: {
      204: { description: 'Signed out' },
      401: problem('No session'),
      403: problem('Not from the endpoint’s own origin, or no CSRF token'),
    },
  }),
  image: createRoute({
    method: 'get',
    path: '/images/{id}',
    operationId: 'getProductImage',
    tags: tag('Products'),
    security: security.none,
    summary: 'A product image uploaded by its seller (immutable)',
    request: { params: z.object({ id: z.string().regex(/^img_[A-Za-z0-9]{1,40}$/) }) },
    responses: {
      200: { description: 'The image', content: { 'image/*': { schema: z.any() } } },
      404: problem('No such image'),
    },
  }),
};

/** The dashboard's sign-in and sign-out, under `/v1/dashboard`. */
export function dashboardRoutes(deps: { config: Config; sessions: SellerSessions }) {
  const { config, sessions } = deps;
  const app = router();
  const client = clientKey(config);
  app.use('/dashboard/*', noStore());

  const answer = (
    s: OpenedSession | { seller: OpenedSession['seller']; expiresAt: string; csrfToken: string },
  ) => ({
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt,
    seller: sessions.settingsOf(s.seller),
    endpoint: config.publicUrl,
    elementScriptUrl: config.elementScriptUrl ?? `${config.publicUrl}/element/buy-in-post.js`,
  });

  app.openapi(r.requestCode, async (c) => {
    requireSameOrigin(c, config);
    return c.json(await sessions.requestCode(c.req.valid('json').email, client(c)), 202);
  });
  app.openapi(r.signIn, async (c) => {
    // A login CSRF (signing a victim in to the attacker's shop) is refused as any other.
    requireSameOrigin(c, config);
    const opened = await sessions.signIn(c.req.valid('json'), client(c));
    setSessionCookie(c, config, opened);
    return c.json(answer(opened), 201);
  });
  app.openapi(r.session, async (c) => {
    const token = sessionToken(c, config);
    if (token === undefined) throw new ServiceError('unauthorized', 'Not signed in');
    requireSameOrigin(c, config);
    const { seller, expiresAt } = await sessions.authenticate(token);
    return c.json(answer({ seller, expiresAt, csrfToken: sessions.csrfToken(token) }), 200);
  });
  app.openapi(r.signOut, async (c) => {
    const token = sessionToken(c, config);
    if (token === undefined) throw new ServiceError('unauthorized', 'Not signed in');
    requireSameOrigin(c, config);
    await sessions.authenticate(token);
    if (!sessions.checkCsrf(token, c.req.header(CSRF_HEADER)))
      throw new ServiceError('csrf_failed', `Send the session's csrfToken in ${CSRF_HEADER}`);
    await sessions.end(token);
    clearSessionCookie(c, config);
    return c.body(null, 204);
  });
  // Development only, so not in the OpenAPI document (not part of the protocol). Refused outside
  // development inside signInWithDevLink, whatever the token.
  app.get('/dashboard/dev-login/:token{bip_dl_[A-Za-z0-9_-]{43}}', async (c) => {
    const opened = await sessions.signInWithDevLink(c.req.param('token'));
    setSessionCookie(c, config, opened);
    return c.redirect('/seller/', 303);
  });
  return app;
}

/** Uploaded product images, public: posts show them on any site. */
export function imageRoutes(images: ProductImages) {
  const app = router();
  app.openapi(r.image, async (c) => {
    const image = await images.get(c.req.valid('param').id);
    return c.body(image.data as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': image.contentType,
      // An image id names one set of bytes forever.
      'Cache-Control': 'public, max-age=31536000, immutable',
      // Served from the endpoint's origin: never as a document that could run anything.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
  });
  return app;
}
