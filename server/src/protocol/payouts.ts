import { z } from '@hono/zod-openapi';
import { HttpsUrl, Money, Timestamp, text } from './common.ts';

/**
 * Platform mode (Stripe Connect, docs/stripe.md): where a seller stands with its connected
 * account, and a fresh link to Stripe's onboarding when there is something left to do.
 */
export const Payouts = z
  .object({
    /** The seller's connected account at Stripe. */
    accountId: z.string(),
    /** `action_required`: the seller has details to give; `pending`: Stripe is checking them; `enabled`: selling and being paid. */
    status: z.enum(['action_required', 'pending', 'enabled']),
    /** The seller's products are offered for sale only once this is true. */
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    detailsSubmitted: z.boolean(),
    /** What Stripe needs from the seller now (Stripe's field names). */
    requirements: z.array(z.string()),
    /** Why charges are disabled, in Stripe's words (`requirements.past_due`…); null when they are not. */
    disabledReason: z.string().nullable(),
    /** Stripe-hosted onboarding: open it now (single use, expires in minutes); null when nothing is due. */
    onboardingUrl: z.string().nullable(),
    onboardingUrlExpiresAt: Timestamp.nullable(),
    /** The platform's fee on each sale, in basis points (100 = 1 %). */
    platformFeeBps: z.number().int().min(0).max(10_000),
  })
  .openapi('Payouts', {
    example: {
      accountId: 'acct_1Nv0FGQ9RKHgCVdK',
      status: 'action_required',
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      requirements: ['external_account', 'tos_acceptance.date'],
      disabledReason: 'requirements.past_due',
      onboardingUrl: 'https://connect.stripe.com/setup/e/acct_1Nv0FGQ9RKHgCVdK/abc',
      onboardingUrlExpiresAt: '2026-12-02T10:05:00.000Z',
      platformFeeBps: 250,
    },
  });
export type Payouts = z.infer<typeof Payouts>;

export const PayoutsQuery = z.object({
  /** Where Stripe's onboarding sends the seller back (and a stale link to); the endpoint's setting by default. */
  returnUrl: HttpsUrl.optional().openapi({ example: 'https://platform.example/seller/payouts' }),
});

export const CreateRefundBody = z
  .object({
    /** Minor units; the whole amount not yet refunded when left out. */
    amount: z.number().int().min(1).max(1e12).optional(),
    /** For the seller's records (shown in the order's `order.refunded` webhook). */
    reason: text(500).optional(),
  })
  .strict()
  .openapi('CreateRefund', { example: { amount: 1500, reason: 'One shirt arrived damaged' } });
export type CreateRefundBody = z.infer<typeof CreateRefundBody>;

export const Refund = z
  .object({
    id: z.string(),
    amount: Money,
    /** `api`: through `POST /v1/seller/orders/{id}/refunds`; `provider`: made at the provider (Stripe's Dashboard). */
    source: z.enum(['api', 'provider']),
    reason: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Refund');
export type Refund = z.infer<typeof Refund>;

/** How much of an order was given back: `none`, `partial` or `full`. */
export const RefundStatus = z.enum(['none', 'partial', 'full']).openapi('RefundStatus');
export type RefundStatus = z.infer<typeof RefundStatus>;

/** `none`, `partial` or `full` for `refunded` of `total`. */
export function refundStatusOf(refunded: number, total: number): RefundStatus {
  return refunded <= 0 ? 'none' : refunded >= total ? 'full' : 'partial';
}
