import { createRoute } from '@hono/zod-openapi';
import { json, problem, router, z } from '../http/openapi.ts';
import type { StripePaymentProvider } from '../payments/stripe-provider.ts';
import { ServiceError } from '../services/errors.ts';
import type { StripeEventService } from '../services/stripe-events.ts';

const stripeWebhook = createRoute({
  method: 'post',
  path: '/webhooks/stripe',
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

export function webhookRoutes(
  stripe: StripePaymentProvider | null,
  events: StripeEventService | null,
) {
  const app = router();
  app.openapi(stripeWebhook, async (c) => {
    if (!stripe || !events || !stripe.acceptsWebhooks)
      throw new ServiceError(
        'not_found',
        'Stripe webhooks are not configured (set STRIPE_WEBHOOK_SECRET)',
      );
    // The signature covers the exact bytes Stripe sent: read them raw, parse after checking.
    const raw = await c.req.text();
    let event: Awaited<ReturnType<StripePaymentProvider['parseEvent']>>;
    try {
      event = await stripe.parseEvent(raw, c.req.valid('header')['stripe-signature'] ?? '');
    } catch {
      throw new ServiceError(
        'invalid_signature',
        'The Stripe-Signature header does not match this body',
      );
    }
    const { outcome, duplicate } = await events.handle(event);
    return c.json({ received: true as const, outcome, duplicate }, 200);
  });
  return app;
}
