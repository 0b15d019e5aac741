import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bearerToken } from '../http/auth.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import {
  BuyerCodeRequested,
  BuyerSession,
  BuyerWallet,
  CreateBuyerSessionBody,
  RequestBuyerCodeBody,
} from '../protocol/buyer.ts';
import { Id } from '../protocol/common.ts';
import type { DevMailbox } from '../wallet/mailer.ts';
import type { WalletService } from '../wallet/service.ts';

const Params = z.object({ id: Id });
const unavailable = { 503: problem('The wallet (or mail) is not configured on this endpoint') };
const auth = { 401: problem('No buyer session, or an unknown or expired one') };
const deleted = { 204: { description: 'Deleted' } };

const r = {
  requestCode: createRoute({
    method: 'post',
    path: '/buyer/codes',
    operationId: 'requestBuyerCode',
    tags: tag('Buyer'),
    security: security.none,
    summary: 'Mail a six-digit sign-in code (the same answer for every address)',
    request: body(RequestBuyerCodeBody),
    responses: {
      202: json(BuyerCodeRequested, 'A code is on its way'),
      422: problem('Invalid email'),
      429: problem('Too many codes for this address or from this network'),
      ...unavailable,
    },
  }),
  signIn: createRoute({
    method: 'post',
    path: '/buyer/sessions',
    operationId: 'createBuyerSession',
    tags: tag('Buyer'),
    security: security.none,
    summary: 'Sign in with an emailed code or a host platform’s buyer token',
    request: body(CreateBuyerSessionBody),
    responses: {
      201: json(BuyerSession, 'The session, with its token (shown once) and the masked wallet'),
      401: problem('Wrong code (code_invalid) or refused token (token_invalid)'),
      409: problem('The host sign-in is linked to another email (already_linked)'),
      410: problem('The code expired (code_expired)'),
      422: problem('Invalid request'),
      429: problem('Too many wrong codes (too_many_attempts) or tries (rate_limited)'),
      ...unavailable,
    },
  }),
  wallet: createRoute({
    method: 'get',
    path: '/buyer',
    operationId: 'getBuyer',
    tags: tag('Buyer'),
    summary: 'The signed-in buyer’s saved details, masked',
    security: security.buyerSession,
    responses: { 200: json(BuyerWallet, 'The wallet'), ...auth, ...unavailable },
  }),
  removeAddress: createRoute({
    method: 'delete',
    path: '/buyer/addresses/{id}',
    operationId: 'deleteBuyerAddress',
    tags: tag('Buyer'),
    summary: 'Forget a saved address',
    security: security.buyerSession,
    request: { params: Params },
    responses: { ...deleted, ...auth, 404: problem('No such address in this wallet') },
  }),
  removePaymentMethod: createRoute({
    method: 'delete',
    path: '/buyer/payment-methods/{id}',
    operationId: 'deleteBuyerPaymentMethod',
    tags: tag('Buyer'),
    summary: 'Remove a saved payment method (at the payment provider too)',
    security: security.buyerSession,
    request: { params: Params },
    responses: { ...deleted, ...auth, 404: problem('No such payment method in this wallet') },
  }),
  withdrawConsent: createRoute({
    method: 'delete',
    path: '/buyer/consents/{sellerId}',
    operationId: 'deleteBuyerConsent',
    tags: tag('Buyer'),
    summary: 'Stop letting a seller see your email (orders already sent keep it)',
    security: security.buyerSession,
    request: { params: z.object({ sellerId: Id }) },
    responses: { ...deleted, ...auth, 404: problem('No live consent for this seller') },
  }),
  signOut: createRoute({
    method: 'delete',
    path: '/buyer/sessions/current',
    operationId: 'deleteBuyerSession',
    tags: tag('Buyer'),
    summary: 'Sign this session out',
    security: security.buyerSession,
    responses: { ...deleted, ...auth },
  }),
  erase: createRoute({
    method: 'delete',
    path: '/buyer',
    operationId: 'deleteBuyer',
    tags: tag('Buyer'),
    summary:
      'Erase the wallet: saved details, payment methods, sessions; orders are unlinked; sellers that saw the email get buyer.erased',
    security: security.buyerSession,
    responses: { ...deleted, ...auth, ...unavailable },
  }),
};

/**
 * The buyer's wallet under `/v1/buyer` (docs/wallet.md). Thin: parse, call the wallet service,
 * answer. Every answer is `Cache-Control: no-store` — it is personal, or a credential.
 */
export function buyerRoutes(wallet: WalletService, deps: { clientIp: (c: Context) => string }) {
  const app = router();
  app.use('/buyer', noStore);
  app.use('/buyer/*', noStore);
  const session = (c: Context) => wallet.authenticate(bearerToken(c));

  app.openapi(r.requestCode, async (c) =>
    c.json(await wallet.requestCode(c.req.valid('json').email, deps.clientIp(c)), 202),
  );
  app.openapi(r.signIn, async (c) =>
    c.json(await wallet.signIn(c.req.valid('json'), deps.clientIp(c)), 201),
  );
  app.openapi(r.wallet, async (c) => c.json(await wallet.wallet((await session(c)).buyerId), 200));
  app.openapi(r.removeAddress, async (c) => {
    await wallet.removeAddress((await session(c)).buyerId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(r.removePaymentMethod, async (c) => {
    await wallet.removePaymentMethod((await session(c)).buyerId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(r.withdrawConsent, async (c) => {
    await wallet.withdrawConsent((await session(c)).buyerId, c.req.valid('param').sellerId);
    return c.body(null, 204);
  });
  app.openapi(r.signOut, async (c) => {
    await wallet.endSession(await session(c));
    return c.body(null, 204);
  });
  app.openapi(r.erase, async (c) => {
    await wallet.erase((await session(c)).buyerId);
    return c.body(null, 204);
  });
  return app;
}

async function noStore(c: Context, next: () => Promise<void>) {
  await next();
  c.header('Cache-Control', 'no-store');
}

/**
 * `GET /v1/dev/mailbox`: the codes a development server "sent" (no SMTP configured), for the
 * demo's mailbox page. Mounted only in development mode: a production endpoint has no such
 * route (404), and it is not part of the protocol or its OpenAPI document.
 */
export function devMailboxRoutes(mailbox: DevMailbox) {
  const app = router();
  app.get('/dev/mailbox', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ messages: mailbox.list() });
  });
  return app;
}
