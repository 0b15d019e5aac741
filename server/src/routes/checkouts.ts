import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bearerToken } from '../http/auth.ts';
import { idempotent } from '../http/idempotent.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import { rateUnitOf } from '../http/rate-limit.ts';
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
const BuyerHeader = z.object({
  'buyer-session': z.string().optional().openapi({
    description:
      'A signed-in buyer’s session (`bip_sess_…`, from `POST /buyer/sessions`): a new checkout is bound to the buyer and starts from their saved details; the answer shows their wallet (`buyer`). An invalid one is 401.',
  }),
});
const CheckoutHeaders = IdemHeader.extend(BuyerHeader.shape);
const Params = z.object({ id: Id });

const errors = {
  400: problem('Missing Idempotency-Key'),
  401: problem('Missing client token, or an invalid Buyer-Session'),
  404: problem('Unknown checkout or product'),
  409: problem('Out of stock, not open, or the same key is still running'),
  410: problem('The checkout expired'),
  422: problem('Invalid request, or key reused with another request'),
};

const createCheckout = createRoute({
  method: 'post',
  path: '/checkouts',
  operationId: 'createCheckout',
  tags: tag('Checkouts'),
  security: security.none,
  summary: 'Start a checkout: reserves stock, computes totals, sets up payment',
  request: { headers: CheckoutHeaders, ...body(CreateCheckoutBody) },
  responses: {
    201: json(Checkout, 'The new checkout, with its clientToken'),
    403: problem('Origin not allowed'),
    429: problem('Rate limited'),
    502: problem(
      'The payment provider could not set up a payment; nothing is held (payment_failed)',
    ),
    ...errors,
  },
});
const getCheckout = createRoute({
  method: 'get',
  path: '/checkouts/{id}',
  operationId: 'getCheckout',
  tags: tag('Checkouts'),
  summary: 'Read a checkout (status, totals, order once paid)',
  security: security.clientToken,
  request: { params: Params, headers: BuyerHeader },
  responses: { 200: json(Checkout, 'The checkout'), 401: errors[401], 404: errors[404] },
});
const updateCheckout = createRoute({
  method: 'patch',
  path: '/checkouts/{id}',
  operationId: 'updateCheckout',
  tags: tag('Checkouts'),
  summary: 'Change quantity, variant, email or shipping address; totals are recomputed',
  security: security.clientToken,
  request: { params: Params, headers: CheckoutHeaders, ...body(UpdateCheckoutBody) },
  responses: {
    200: json(Checkout, 'The updated checkout'),
    429: problem('Too many changes from this client, or it holds too many units (rate_limited)'),
    502: problem('The payment could not follow the new total; the change stands (payment_failed)'),
    ...errors,
  },
});
const confirmCheckout = createRoute({
  method: 'post',
  path: '/checkouts/{id}/confirm',
  operationId: 'confirmCheckout',
  tags: tag('Checkouts'),
  summary: 'Pay (test provider or saved method)',
  security: security.clientToken,
  request: { params: Params, headers: CheckoutHeaders, ...body(ConfirmCheckoutBody) },
  responses: {
    200: json(Checkout, 'The paid (or processing) checkout'),
    402: problem('Payment declined'),
    ...errors,
  },
});
const cancelCheckout = createRoute({
  method: 'delete',
  path: '/checkouts/{id}',
  operationId: 'cancelCheckout',
  tags: tag('Checkouts'),
  summary: 'Cancel; the reservation is released',
  security: security.clientToken,
  request: { params: Params, headers: IdemHeader },
  responses: { 200: json(Checkout, 'The canceled checkout'), ...errors },
});

/** Calls on a checkout: a key is optional (the token already guards them), answered 200. */
const ONCE_PER_KEY = { required: false, status: 200 } as const;

/** Keys are per checkout and per token: a replay never answers someone without the token. */
function scope(c: Context, what: string): string {
  return `${what} ${sha256(bearerToken(c) ?? '')}`;
}

export function checkoutRoutes(
  checkouts: CheckoutService,
  idem: IdempotencyService,
  /** Who a request is, for the bounds on what one client holds (http/client-ip.ts). */
  deps: { clientKey: (c: Context) => string },
) {
  const app = router();
  /** The signed-in buyer of the call, if any: checked before anything runs or replays. */
  const buyerOf = (c: Context) => checkouts.buyerSession(c.req.header('Buyer-Session'));

  app.openapi(createCheckout, async (c) => {
    const input = c.req.valid('json');
    const buyer = await buyerOf(c);
    const call = {
      scope: 'POST /checkouts',
      required: true,
      // Its key is written by the transaction that writes the checkout: one commit, not two.
      claim: 'in-transaction',
      request: input,
      status: 201,
      // The wallet and Stripe's customer-session secret are added to each answer, fresh or
      // replayed, and never stored with it.
      present: (checkout: Checkout) => checkouts.present(checkout, buyer),
    } as const;
    return idempotent(c, idem, call, (successWith) =>
      checkouts.create(
        input,
        {
          origin: c.req.header('Origin'),
          buyer,
          client: deps.clientKey(c),
          rateUnit: rateUnitOf(c),
        },
        successWith,
      ),
    );
  });

  app.openapi(getCheckout, async (c) => {
    const buyer = await buyerOf(c);
    c.header('Cache-Control', 'no-store');
    const checkout = await checkouts.get(c.req.valid('param').id, bearerToken(c));
    return c.json(await checkouts.present(checkout, buyer), 200);
  });

  app.openapi(updateCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const buyer = await buyerOf(c);
    const call = {
      scope: scope(c, `PATCH /checkouts/${id}`),
      request: input,
      ...ONCE_PER_KEY,
      present: (checkout: Checkout) => checkouts.present(checkout, buyer),
    };
    return idempotent(c, idem, call, () => checkouts.update(id, bearerToken(c), input, buyer));
  });

  app.openapi(confirmCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const buyer = await buyerOf(c);
    const call = {
      scope: scope(c, `POST /checkouts/${id}/confirm`),
      request: input,
      ...ONCE_PER_KEY,
      present: (checkout: Checkout) => checkouts.present(checkout, buyer),
    };
    return idempotent(c, idem, call, () => checkouts.confirm(id, bearerToken(c), input, buyer));
  });

  app.openapi(cancelCheckout, async (c) => {
    const { id } = c.req.valid('param');
    const call = { scope: scope(c, `DELETE /checkouts/${id}`), request: {}, ...ONCE_PER_KEY };
    return idempotent(c, idem, call, () => checkouts.cancel(id, bearerToken(c)));
  });

  return app;
}
