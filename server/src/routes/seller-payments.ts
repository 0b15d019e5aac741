import { createRoute } from '@hono/zod-openapi';
import type { SellerRow } from '../db/schema.ts';
import { idempotent } from '../http/idempotent.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import { Id } from '../protocol/common.ts';
import { CreateRefundBody, Payouts, PayoutsQuery, Refund } from '../protocol/payouts.ts';
import { Order } from '../protocol/seller.ts';
import type { ConnectService } from '../services/connect.ts';
import type { IdempotencyService } from '../services/idempotency.ts';
import type { RefundService } from '../services/refunds.ts';
import { sha256 } from '../util.ts';

type SellerEnv = { Variables: { seller: SellerRow } };

/** What the seller's payment calls need (services/index.ts has them all). */
export interface SellerPaymentDeps {
  connect: ConnectService;
  refunds: RefundService;
  idempotency: IdempotencyService;
}

const auth = { 401: problem('Missing or unknown API key') };
const OrderParams = z.object({ id: Id.openapi({ example: 'ord_2Vh7Kp9QeX' }) });
const RefundAnswer = z.object({ refund: Refund, order: Order }).openapi('RefundAnswer');

const r = {
  payouts: createRoute({
    method: 'get',
    path: '/payouts',
    operationId: 'getPayouts',
    tags: tag('Seller'),
    summary: 'Platform mode: the seller’s connected account, and a fresh onboarding link',
    description:
      'Made the first time it is asked (once per seller). Answers 404 on a single-seller endpoint.',
    security: security.seller,
    request: { query: PayoutsQuery },
    responses: {
      200: json(Payouts, 'Where the seller stands'),
      ...auth,
      404: problem('Platform mode is off on this endpoint'),
      502: problem('Stripe could not be reached (`payment_failed`)'),
    },
  }),
  refund: createRoute({
    method: 'post',
    path: '/orders/{id}/refunds',
    operationId: 'createRefund',
    tags: tag('Seller'),
    summary: 'Refund an order, whole or in part (Idempotency-Key required)',
    description:
      'Gives back `amount` (all that is left when absent) to the buyer. In platform mode the seller’s transfer and the platform’s fee are reversed in proportion. The order’s `order.refunded` webhook follows.',
    security: security.seller,
    request: {
      params: OrderParams,
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      ...body(CreateRefundBody),
    },
    responses: {
      201: json(RefundAnswer, 'The refund, and the order with it'),
      ...auth,
      400: problem('Missing Idempotency-Key'),
      404: problem('Not found (or another seller’s)'),
      409: problem('Refunded in full already (`already_refunded`)'),
      422: problem('More than is left to refund (`refund_too_large`), or invalid'),
      502: problem('The payment provider could not refund (`payment_failed`)'),
    },
  }),
  listRefunds: createRoute({
    method: 'get',
    path: '/orders/{id}/refunds',
    operationId: 'listRefunds',
    tags: tag('Seller'),
    summary: 'An order’s refunds, oldest first',
    security: security.seller,
    request: { params: OrderParams },
    responses: {
      200: json(z.object({ refunds: z.array(Refund) }), 'Refunds'),
      ...auth,
      404: problem('Not found (or another seller’s)'),
    },
  }),
};

/**
 * The seller's money: payouts in platform mode, and refunds. Mounted inside the seller routes
 * (routes/seller.ts), behind their authentication: `seller` is the caller, and every call is
 * scoped to it — another seller's order is not found.
 */
export function sellerPaymentRoutes(deps: SellerPaymentDeps) {
  const { connect, refunds, idempotency } = deps;
  const app = router<SellerEnv>();
  app.openapi(r.payouts, async (c) =>
    c.json(await connect.payouts(c.get('seller'), c.req.valid('query').returnUrl), 200),
  );
  app.openapi(r.refund, async (c) => {
    const seller = c.get('seller');
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const key = c.req.header('Idempotency-Key') ?? '';
    // Keys are per seller and order: a replay never answers another seller.
    const call = {
      scope: `POST /seller/orders/${id}/refunds ${seller.id}`,
      required: true,
      request: input,
      status: 201,
    } as const;
    return idempotent(c, idempotency, call, () =>
      refunds.refund(seller.id, id, input, sha256(`${seller.id} ${key}`).slice(0, 32)),
    );
  });
  app.openapi(r.listRefunds, async (c) =>
    c.json({ refunds: await refunds.list(c.get('seller').id, c.req.valid('param').id) }, 200),
  );
  return app;
}
