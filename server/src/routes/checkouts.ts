import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bearerToken } from '../http/auth.ts';
import { idempotent } from '../http/idempotent.ts';
import { bearer, body, json, problem, router, z } from '../http/openapi.ts';
import {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  UpdateCheckoutBody,
} from '../protocol/checkouts.ts';
import { Id } from '../protocol/common.ts';
import type { CheckoutService } from '../services/checkouts/index.ts';
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

/** Calls on a checkout: a key is optional (the token already guards them), answered 200. */
const ONCE_PER_KEY = { required: false, status: 200 } as const;

/** Keys are per checkout and per token: a replay never answers someone without the token. */
function scope(c: Context, what: string): string {
  return `${what} ${sha256(bearerToken(c) ?? '')}`;
}

export function checkoutRoutes(checkouts: CheckoutService, idem: IdempotencyService) {
  const app = router();

  app.openapi(createCheckout, async (c) => {
    const input = c.req.valid('json');
    const call = { scope: 'POST /checkouts', required: true, request: input, status: 201 } as const;
    return idempotent(c, idem, call, () =>
      checkouts.create(input, { origin: c.req.header('Origin') }),
    );
  });

  app.openapi(getCheckout, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await checkouts.get(c.req.valid('param').id, bearerToken(c)), 200);
  });

  app.openapi(updateCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const call = { scope: scope(c, `PATCH /checkouts/${id}`), request: input, ...ONCE_PER_KEY };
    return idempotent(c, idem, call, () => checkouts.update(id, bearerToken(c), input));
  });

  app.openapi(confirmCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const call = {
      scope: scope(c, `POST /checkouts/${id}/confirm`),
      request: input,
      ...ONCE_PER_KEY,
    };
    return idempotent(c, idem, call, () => checkouts.confirm(id, bearerToken(c), input));
  });

  app.openapi(cancelCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const call = { scope: scope(c, `DELETE /checkouts/${id}`), request: {}, ...ONCE_PER_KEY };
    return idempotent(c, idem, call, () => checkouts.cancel(id, bearerToken(c)));
  });

  return app;
}
