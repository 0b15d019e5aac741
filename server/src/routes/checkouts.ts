import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { bearer, body, json, problem, router, z } from '../http/openapi.ts';
import {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  UpdateCheckoutBody,
} from '../protocol/checkouts.ts';
import { Id } from '../protocol/common.ts';
import type { CheckoutService } from '../services/checkouts.ts';
import type { IdempotencyService } from '../services/idempotency.ts';
import { sha256 } from '../util.ts';

const IdemHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: 'A unique key (a UUID) per intended operation' }),
});
const Params = z.object({ id: Id });

const errors = {
  400: problem('Missing Idempotency-Key'),
  401: problem('Missing client token'),
  404: problem('Unknown checkout or product'),
  409: problem('Out of stock, not open, or the same key is still running'),
  410: problem('The checkout expired'),
  422: problem('Invalid request, or key reused with another request'),
};

const createCheckout = createRoute({
  method: 'post',
  path: '/checkouts',
  summary: 'Start a checkout: reserves stock, computes totals, sets up payment',
  request: { headers: IdemHeader, ...body(CreateCheckoutBody) },
  responses: {
    201: json(Checkout, 'The new checkout, with its clientToken'),
    403: problem('Origin not allowed'),
    429: problem('Rate limited'),
    ...errors,
  },
});
const getCheckout = createRoute({
  method: 'get',
  path: '/checkouts/{id}',
  summary: 'Read a checkout (status, totals, order once paid)',
  security: bearer,
  request: { params: Params },
  responses: { 200: json(Checkout, 'The checkout'), 401: errors[401], 404: errors[404] },
});
const updateCheckout = createRoute({
  method: 'patch',
  path: '/checkouts/{id}',
  summary: 'Change quantity, variant, email or shipping address; totals are recomputed',
  security: bearer,
  request: { params: Params, headers: IdemHeader, ...body(UpdateCheckoutBody) },
  responses: { 200: json(Checkout, 'The updated checkout'), ...errors },
});
const confirmCheckout = createRoute({
  method: 'post',
  path: '/checkouts/{id}/confirm',
  summary: 'Pay (test provider or saved method)',
  security: bearer,
  request: { params: Params, headers: IdemHeader, ...body(ConfirmCheckoutBody) },
  responses: {
    200: json(Checkout, 'The paid (or processing) checkout'),
    402: problem('Payment declined'),
    ...errors,
  },
});
const cancelCheckout = createRoute({
  method: 'delete',
  path: '/checkouts/{id}',
  summary: 'Cancel; the reservation is released',
  security: bearer,
  request: { params: Params, headers: IdemHeader },
  responses: { 200: json(Checkout, 'The canceled checkout'), ...errors },
});

function clientToken(c: Context): string | undefined {
  const h = c.req.header('Authorization');
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Keys are per checkout and per token: a replay never answers someone without the token. */
function scope(c: Context, what: string): string {
  return `${what} ${sha256(clientToken(c) ?? '')}`;
}

function send(c: Context, r: { status: number; body: unknown; replayed: boolean }) {
  if (r.replayed) c.header('Idempotent-Replayed', 'true');
  c.header('Cache-Control', 'no-store');
  const type = r.status >= 400 ? 'application/problem+json' : 'application/json';
  return c.newResponse(JSON.stringify(r.body), r.status as ContentfulStatusCode, {
    'Content-Type': type,
  });
}

export function checkoutRoutes(checkouts: CheckoutService, idem: IdempotencyService) {
  const app = router();

  app.openapi(createCheckout, async (c) => {
    const input = c.req.valid('json');
    const r = await idem.run(
      'POST /checkouts',
      c.req.header('Idempotency-Key'),
      input,
      { required: true },
      async () => ({
        status: 201,
        body: await checkouts.create(input, { origin: c.req.header('Origin') }),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: the stored answer may be a replayed problem
    return send(c, r) as any;
  });

  app.openapi(getCheckout, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await checkouts.get(c.req.valid('param').id, clientToken(c)), 200);
  });

  app.openapi(updateCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const r = await idem.run(
      scope(c, `PATCH /checkouts/${id}`),
      c.req.header('Idempotency-Key'),
      input,
      { required: false },
      async () => ({
        status: 200,
        body: await checkouts.update(id, clientToken(c), input),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return send(c, r) as any;
  });

  app.openapi(confirmCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const r = await idem.run(
      scope(c, `POST /checkouts/${id}/confirm`),
      c.req.header('Idempotency-Key'),
      input,
      { required: false },
      async () => ({
        status: 200,
        body: await checkouts.confirm(id, clientToken(c), input),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return send(c, r) as any;
  });

  app.openapi(cancelCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const r = await idem.run(
      scope(c, `DELETE /checkouts/${id}`),
      c.req.header('Idempotency-Key'),
      {},
      { required: false },
      async () => ({
        status: 200,
        body: await checkouts.cancel(id, clientToken(c)),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return send(c, r) as any;
  });

  return app;
}
