import { createRoute } from '@hono/zod-openapi';
import { json, problem, router, security, tag, z } from '../http/openapi.ts';
import { ServiceError } from '../services/errors.ts';
import type { PaymentEventService } from '../services/payment-events.ts';

const stripeWebhook = createRoute({
  method: 'post',
  path: '/webhooks/stripe',
  operationId: 'receiveStripeEvent',
  tags: tag('Payments'),
  security: security.stripeSignature,
  summary: 'Events from Stripe (payment succeeded or failed, hosted page completed)',
  description:
    'Called by Stripe, not by the element. The `Stripe-Signature` header is checked against the raw body with `STRIPE_WEBHOOK_SECRET`; an event is applied once however often it arrives.',
  request: { headers: z.object({ 'stripe-signature': z.string().max(2000).optional() }) },
  responses: {
    200: json(
      z.object({ received: z.literal(true), outcome: z.string(), duplicate: z.boolean() }),
      'Received (also for events this endpoint does not act on)',
    ),
    400: problem('The signature does not match the body (`invalid_signature`)'),
    404: problem('Stripe webhooks are not configured on this endpoint'),
  },
});

/** Stripe's events: Stripe is the provider that posts them (see PaymentProvider.events). */
export function webhookRoutes(events: PaymentEventService | null) {
  const app = router();
  app.openapi(stripeWebhook, async (c) => {
    if (!events)
      throw new ServiceError(
        'not_found',
        'Stripe webhooks are not configured (set STRIPE_WEBHOOK_SECRET)',
      );
    // The signature covers the exact bytes Stripe sent: read them raw, parse after checking.
    const raw = await c.req.text();
    const signature = c.req.valid('header')['stripe-signature'] ?? '';
    const { outcome, duplicate } = await events.receive(raw, signature);
    return c.json({ received: true as const, outcome, duplicate }, 200);
  });
  return app;
}
