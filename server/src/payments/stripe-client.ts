import Stripe from 'stripe';
import type { StripeConfig } from '../config.ts';

/**
 * The endpoint's Stripe SDK client, the same for payments (stripe-provider.ts) and saved cards
 * (wallet/stripe-payment-methods.ts): retries with Stripe's idempotency keys, a timeout, and the
 * API address tests point at a local double.
 */
export function stripeClient(config: StripeConfig): Stripe {
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'buy-in-post', url: 'https://github.com/buy-in-post/buy-in-post' },
    ...(config.api ?? {}),
  });
}

/** True for Stripe's "no such object" answer (a customer or payment method already gone). */
export function isMissing(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'resource_missing';
}
