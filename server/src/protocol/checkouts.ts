import { z } from '@hono/zod-openapi';
import { CountryCode, HttpsUrl, Id, Money, Timestamp, text } from './common.ts';
import { RefundStatus } from './payouts.ts';
import { ProductKind } from './products.ts';
import { CheckoutBuyer } from './saved-details.ts';

export { CheckoutBuyer };

export const MAX_QUANTITY = 99;

export const Quantity = z.number().int().min(1).max(MAX_QUANTITY).openapi({ example: 1 });

export const ShippingAddress = z
  .object({
    name: text(200),
    line1: text(200),
    line2: text(200, 0).optional(),
    city: text(100),
    region: text(100, 0).optional(),
    postalCode: text(20, 0).optional(),
    country: CountryCode,
    phone: text(40, 0).optional(),
  })
  .openapi('ShippingAddress', {
    example: {
      name: 'Layla Haddad',
      line1: '12 Harbour St',
      city: 'Beirut',
      postalCode: '1107',
      country: 'LB',
    },
  });
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/**
 * The part of an address a wallet (Apple Pay, Google Pay) shares before the buyer authorises:
 * enough to price shipping and tax, not to ship.
 */
export const ShippingPreview = z
  .object({
    country: CountryCode,
    region: text(100, 0).optional(),
    city: text(100, 0).optional(),
    postalCode: text(20, 0).optional(),
  })
  .strict()
  .openapi('ShippingPreview', { example: { country: 'US', region: 'IL', postalCode: '62701' } });
export type ShippingPreview = z.infer<typeof ShippingPreview>;

/** An http(s) URL of the host page (a hosted payment page sends the buyer back there). */
export const ReturnUrl = HttpsUrl.openapi({ example: 'https://blog.example/posts/42' });

export const PaymentMode = z.enum(['elements', 'hosted']).openapi('PaymentMode', {
  description:
    "`elements`: pay on the page (Stripe Payment Element, wallets). `hosted`: pay on the provider's page and come back (in-app webviews, strict Content-Security-Policy).",
});
export type PaymentMode = z.infer<typeof PaymentMode>;

export const Email = z
  .string()
  .max(254)
  .transform((s) => s.trim())
  .pipe(z.email())
  .openapi({ example: 'reader@example.com' });

/** An address is typed or chosen from the wallet, not both. */
function oneAddress(
  b: { shippingAddress?: unknown; savedAddressId?: unknown },
  ctx: z.core.$RefinementCtx,
) {
  if (b.savedAddressId !== undefined && b.shippingAddress !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['savedAddressId'],
      message: 'send shippingAddress or savedAddressId, not both',
    });
}

export const CreateCheckoutBody = z
  .object({
    productId: Id,
    variantId: Id,
    quantity: Quantity,
    /** Which post sold it: an opaque reference from the host (a post URL or id). */
    postRef: text(500).optional(),
    email: Email.optional(),
    /** The buyer allows the seller to see their email address. */
    shareEmail: z.boolean().optional(),
    shippingAddress: ShippingAddress.optional(),
    /**
     * A saved address of the signed-in buyer (an id from `GET /v1/buyer`, with `Buyer-Session`):
     * the endpoint ships there. Not with `shippingAddress`.
     */
    savedAddressId: Id.optional(),
    /** How the buyer wants to pay; the endpoint may choose `hosted` regardless. */
    paymentMode: PaymentMode.optional(),
    /** The page to come back to from a hosted payment page; required when paying there. */
    returnUrl: ReturnUrl.optional(),
  })
  .strict()
  .superRefine(oneAddress)
  .openapi('CreateCheckout');
export type CreateCheckoutBody = z.infer<typeof CreateCheckoutBody>;

export const UpdateCheckoutBody = z
  .object({
    variantId: Id.optional(),
    quantity: Quantity.optional(),
    email: Email.nullable().optional(),
    shareEmail: z.boolean().optional(),
    shippingAddress: ShippingAddress.nullable().optional(),
    /** A wallet's partial address, to price shipping before the full address is known. */
    shippingPreview: ShippingPreview.nullable().optional(),
    /** A saved address of the signed-in buyer, instead of `shippingAddress` (see create). */
    savedAddressId: Id.optional(),
  })
  .strict()
  .superRefine(oneAddress)
  .openapi('UpdateCheckout');
export type UpdateCheckoutBody = z.infer<typeof UpdateCheckoutBody>;

export const TestPaymentInput = z
  .object({
    provider: z.literal('test'),
    /** A test card number: 4242 4242 4242 4242 succeeds; see docs/protocol.md for declines. */
    card: z
      .string()
      .max(40)
      .transform((s) => s.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^\d{12,19}$/, 'must be a card number'))
      .optional(),
    /**
     * Pay with a card saved in the signed-in buyer's wallet (an id from the checkout's
     * `buyer.paymentMethods`; needs `Buyer-Session`). Instead of `card`.
     */
    savedPaymentMethodId: Id.optional(),
    /**
     * Save `card` to the signed-in buyer's wallet once it has paid (needs `Buyer-Session`). The
     * tick is the buyer's consent; only brand, last four digits and the test outcome are kept.
     */
    saveCard: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.card === undefined) === (p.savedPaymentMethodId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['card'],
        message: 'send card or savedPaymentMethodId (one of them)',
      });
    if (p.saveCard && p.card === undefined)
      ctx.addIssue({ code: 'custom', path: ['saveCard'], message: 'only with card' });
  });

/**
 * Stripe: the buyer is about to confirm the PaymentIntent in the page (Stripe.js). The endpoint
 * holds the checkout (no more changes to what is paid for) and makes sure the PaymentIntent is
 * for the checkout's total; Stripe then says how it went (webhook, or a read of the checkout).
 */
export const StripePaymentInput = z.object({ provider: z.literal('stripe') }).strict();

export const ConfirmCheckoutBody = z
  .object({ payment: z.discriminatedUnion('provider', [TestPaymentInput, StripePaymentInput]) })
  .strict()
  .openapi('ConfirmCheckout');
export type ConfirmCheckoutBody = z.infer<typeof ConfirmCheckoutBody>;

export const PaymentHandoff = z
  .discriminatedUnion('provider', [
    z.object({ provider: z.literal('test') }),
    z.object({
      provider: z.literal('redirect'),
      /** The hosted payment page; null until the checkout is ready to pay. */
      url: z.string().nullable(),
    }),
    z.object({
      provider: z.literal('stripe'),
      publishableKey: z.string(),
      clientSecret: z.string(),
      /**
       * For the signed-in buyer's saved cards in the Payment Element (a Stripe Customer Session):
       * only on a call that carried that buyer's `Buyer-Session`, issued afresh each time.
       */
      customerSessionClientSecret: z.string().optional(),
    }),
  ])
  .openapi('PaymentHandoff');
export type PaymentHandoff = z.infer<typeof PaymentHandoff>;

export const CheckoutStatus = z.enum([
  'open',
  'processing',
  'paid',
  'failed',
  'expired',
  'canceled',
]);
export type CheckoutStatus = z.infer<typeof CheckoutStatus>;

export const Totals = z
  .object({
    subtotal: Money,
    /** null until a shipping address is known (physical goods); 0 for digital goods. */
    shipping: Money.nullable(),
    tax: Money,
    total: Money,
  })
  .openapi('Totals');
export type Totals = z.infer<typeof Totals>;

export const OrderSummary = z
  .object({
    id: Id,
    number: z.string(),
    /** Signed, expiring link for digital goods. */
    downloadUrl: z.string().nullable(),
    /** Given back by the seller: `partial` or `full` (absent or `none`: nothing refunded). */
    refundStatus: RefundStatus.optional(),
    /** How much was given back, when something was. */
    amountRefunded: Money.optional(),
  })
  .openapi('OrderSummary');

export const Checkout = z
  .object({
    id: Id,
    status: CheckoutStatus,
    productId: Id,
    variantId: Id,
    kind: ProductKind,
    quantity: Quantity,
    unitPrice: Money,
    email: z.string().nullable(),
    shareEmail: z.boolean(),
    shippingAddress: ShippingAddress.nullable(),
    shippingPreview: ShippingPreview.nullable(),
    postRef: z.string().nullable(),
    totals: Totals,
    /** True when everything needed to pay is present (address for physical goods). */
    readyToPay: z.boolean(),
    expiresAt: Timestamp,
    payment: PaymentHandoff,
    lastPaymentError: z.object({ code: z.string(), message: z.string() }).nullable(),
    order: OrderSummary.nullable(),
    /** Returned once, by the call that creates the checkout. Send it as `Authorization: Bearer`. */
    clientToken: z.string().optional(),
    /**
     * The signed-in buyer's saved details, masked: only when the call carried the
     * `Buyer-Session` of the buyer the checkout belongs to (never stored for replays).
     */
    buyer: CheckoutBuyer.optional(),
  })
  .openapi('Checkout');
export type Checkout = z.infer<typeof Checkout>;
