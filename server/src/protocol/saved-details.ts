import { z } from '@hono/zod-openapi';
import { CountryCode, Id, Timestamp } from './common.ts';

/**
 * The wallet's saved details as a session may read them (masked), shared by the wallet's own
 * answers (buyer.ts) and the checkout's `buyer` field (checkouts.ts). A leaf: both import it.
 */

/** A saved address, masked: enough for the buyer to recognise it, not to ship to it. */
export const SavedAddress = z
  .object({
    id: Id,
    name: z.string(),
    /** The street line with its digits hidden: `•• Harbour St`. */
    line1: z.string(),
    city: z.string(),
    country: CountryCode,
  })
  .openapi('SavedAddress');
export type SavedAddress = z.infer<typeof SavedAddress>;

/** A saved card: brand, last four digits and expiry, never more. */
export const SavedPaymentMethod = z
  .object({
    id: Id,
    brand: z.string().openapi({ example: 'visa' }),
    last4: z.string().openapi({ example: '4242' }),
    expMonth: z.number().int().nullable(),
    expYear: z.number().int().nullable(),
  })
  .openapi('SavedPaymentMethod');
export type SavedPaymentMethod = z.infer<typeof SavedPaymentMethod>;

/** A seller the buyer lets see their email (ticked "share my email" on a paid order). */
export const BuyerConsent = z
  .object({
    sellerId: Id,
    sellerName: z.string(),
    grantedAt: Timestamp,
  })
  .openapi('BuyerConsent');
export type BuyerConsent = z.infer<typeof BuyerConsent>;

/**
 * What a checkout shows of the signed-in buyer's wallet: only on a call that carried the
 * `Buyer-Session` of the buyer the checkout belongs to.
 */
export const CheckoutBuyer = z
  .object({
    /** Masked: `a•••@example.com`; null for a wallet opened by a host sign-in alone. */
    email: z.string().nullable(),
    /** Most recently used first. */
    addresses: z.array(SavedAddress),
    /** Most recently saved first. */
    paymentMethods: z.array(SavedPaymentMethod),
    /** The buyer already lets this checkout's seller see their email (a previous grant). */
    emailSharedWithSeller: z.boolean(),
    /** The saved address this checkout ships to, when it came from the wallet. */
    savedAddressId: Id.nullable(),
  })
  .openapi('CheckoutBuyer');
export type CheckoutBuyer = z.infer<typeof CheckoutBuyer>;
