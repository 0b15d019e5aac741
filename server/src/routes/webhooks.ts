import { createRoute } from '@hono/zod-openapi';
import { json, problem, router, security, tag, z } from '../http/openapi.ts';
import { ServiceError } from '../services/errors.ts';
import type { PaymentEventService } from '../services/payment-events.ts';

const Received = json(
  z
    .object({ received: z.literal(true), outcome: z.string(), duplicate: z.boolean() })
    .openapi({ example: { received: true, outcome: 'paid', duplicate: false } }),
  'Received (also for events this endpoint does not act on)',
);
const SignatureHeader = z.object({
  'stripe-signature': z.string().max(2000).optional().openapi({
    example: 't=1795517157,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
  }),
});

const stripeWebhook = createRoute({
  method: 'post',
  path: '/webhooks/stripe',
  operationId: 'receiveStripeEvent',
  tags: tag('Payments'),
  security: security.stripeSignature,
  summary: 'Events from Stripe (payment succeeded or failed, hosted page completed, refunded)',
  description:
    'Called by Stripe, not by the element. The `Stripe-Signature` header is checked against the raw body with `STRIPE_WEBHOOK_SECRET`; an event is applied once however often it arrives.',
  request: { headers: SignatureHeader },
  responses: {
    200: Received,
    400: problem('The signature does not match the body (`invalid_signature`)'),
    404: problem('Stripe webhooks are not configured on this endpoint'),
  },
});

const connectWebhook = createRoute({
  method: 'post',
  path: '/webhooks/stripe/connect',
  operationId: 'receiveStripeConnectEvent',
  tags: tag('Payments'),
  security: security.stripeSignature,
  summary: 'Events of connected accounts (platform mode: account.updated, payments, refunds)',
  description:
    'Called by Stripe for a Connect webhook endpoint, not by the element. Signed with that endpoint’s own secret, `BIP_STRIPE_CONNECT_WEBHOOK_SECRET` (the platform endpoint’s secret does not verify here); an event is applied once however often it arrives.',
  request: { headers: SignatureHeader },
  responses: {
    200: Received,
    400: problem('The signature does not match the body (`invalid_signature`)'),
    404: problem('Platform mode, or its Connect webhook secret, is not configured'),
  },
});

/**
 * Stripe's events: Stripe is the provider that posts them (see PaymentProvider.events), to the
 * platform's endpoint and, in platform mode, to a Connect endpoint with a secret of its own.
 */
export function webhookRoutes(
  events: PaymentEventService | null,
  connectEvents: PaymentEventService | null = null,
) {
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
  app.openapi(connectWebhook, async (c) => {
    if (!connectEvents)
      throw new ServiceError(
        'not_found',
        'Connect webhooks are not configured (set BIP_STRIPE_CONNECT=true and BIP_STRIPE_CONNECT_WEBHOOK_SECRET)',
      );
    const raw = await c.req.text();
    const signature = c.req.valid('header')['stripe-signature'] ?? '';
    const { outcome, duplicate } = await connectEvents.receive(raw, signature);
    return c.json({ received: true as const, outcome, duplicate }, 200);
  });
  return app;
}
