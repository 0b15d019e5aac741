import { z } from '@hono/zod-openapi';
import { MAX_QUANTITY, ShippingAddress } from './checkouts.ts';
import {
  Amount,
  CountryCode,
  CurrencyCode,
  HttpsUrl,
  Id,
  longText,
  Money,
  Timestamp,
  text,
} from './common.ts';
import { Refund, RefundStatus } from './payouts.ts';
import { ProductImage, ProductKind, SellerKind, Variant } from './products.ts';

export const ShippingZone = z
  .object({
    name: text(100),
    countries: z.array(CountryCode).min(1).max(250),
    /** Flat rate per order, in the seller's currency. */
    rate: Amount,
    /** Orders whose subtotal reaches this amount ship free. */
    freeOver: Amount.nullable().optional(),
  })
  .openapi('ShippingZone');
export type ShippingZone = z.infer<typeof ShippingZone>;

export const TaxRate = z
  .object({
    country: CountryCode,
    /** Basis points: 2000 = 20 %. Applied to subtotal + shipping. */
    rateBps: z.number().int().min(0).max(10_000),
  })
  .openapi('TaxRate');
export type TaxRate = z.infer<typeof TaxRate>;

const Origin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as https://blog.example (no path)');

export const SellerSettings = z
  .object({
    id: Id,
    name: z.string(),
    kind: SellerKind,
    currency: CurrencyCode,
    webhookUrl: z.string().nullable(),
    allowedOrigins: z.array(z.string()),
    shippingZones: z.array(ShippingZone),
    taxRates: z.array(TaxRate),
    /** The email the seller signs in to the dashboard with (null: API key only). */
    email: z.string().nullable(),
    /** The API key the last rotation replaced works until then (null: none). */
    apiKeyRotation: z.object({ previousExpiresAt: Timestamp }).nullable(),
    /** The webhook secret the last rotation replaced also signs deliveries until then. */
    webhookSecretRotation: z.object({ previousExpiresAt: Timestamp }).nullable(),
  })
  .openapi('SellerSettings');
export type SellerSettings = z.infer<typeof SellerSettings>;

export const UpdateSellerBody = z
  .object({
    name: text(200).optional(),
    kind: SellerKind.optional(),
    webhookUrl: HttpsUrl.nullable().optional(),
    allowedOrigins: z.array(Origin).max(50).optional(),
    shippingZones: z.array(ShippingZone).max(50).optional(),
    taxRates: z.array(TaxRate).max(250).optional(),
  })
  .strict()
  .openapi('UpdateSeller');
export type UpdateSellerBody = z.infer<typeof UpdateSellerBody>;

export const OptionInput = z.object({
  name: text(50),
  values: z.array(text(50)).min(1).max(50),
});

export const VariantInput = z
  .object({
    id: Id.optional(),
    sku: text(100).nullable().optional(),
    options: z.record(text(50), text(50)).default({}),
    price: Amount,
    compareAtPrice: Amount.nullable().optional(),
    /** null: not tracked (unlimited). */
    stock: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .strict()
  .openapi('VariantInput');
export type VariantInput = z.infer<typeof VariantInput>;

/**
 * The most units of a variant one checkout — and one buyer's address, across its checkouts — may
 * hold; null: only the endpoint's own bounds (docs/security.md). For scarce things.
 */
const MaxPerCheckout = z.number().int().min(1).max(MAX_QUANTITY).nullable();

export const CreateProductBody = z
  .object({
    id: Id.optional(),
    title: text(200),
    description: longText(5000).optional(),
    url: HttpsUrl.nullable().optional(),
    kind: ProductKind,
    options: z.array(OptionInput).max(3).default([]),
    images: z
      .array(z.object({ url: HttpsUrl, alt: text(300, 0) }))
      .max(20)
      .default([]),
    variants: z.array(VariantInput).min(1).max(100),
    maxPerCheckout: MaxPerCheckout.optional(),
  })
  .strict()
  .openapi('CreateProduct');
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = z
  .object({
    title: text(200).optional(),
    description: longText(5000).optional(),
    url: HttpsUrl.nullable().optional(),
    status: z.enum(['active', 'archived']).optional(),
    images: z
      .array(z.object({ url: HttpsUrl, alt: text(300, 0) }))
      .max(20)
      .optional(),
    maxPerCheckout: MaxPerCheckout.optional(),
  })
  .strict()
  .openapi('UpdateProduct');
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const UpdateVariantBody = VariantInput.omit({ id: true, options: true })
  .partial()
  .strict()
  .openapi('UpdateVariant');
export type UpdateVariantBody = z.infer<typeof UpdateVariantBody>;

/** A variant as its seller sees it: the public fields, with the stock counts behind them. */
export const SellerVariant = Variant.pick({
  id: true,
  sku: true,
  options: true,
  price: true,
  compareAtPrice: true,
})
  .extend({
    stock: z.number().int().nullable(),
    reserved: z.number().int(),
    status: z.enum(['active', 'archived']),
  })
  .openapi('SellerVariant');
export type SellerVariant = z.infer<typeof SellerVariant>;

export const SellerProduct = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    url: z.string().nullable(),
    kind: ProductKind,
    status: z.enum(['active', 'archived']),
    options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    images: z.array(ProductImage),
    variants: z.array(SellerVariant),
    maxPerCheckout: MaxPerCheckout,
    hasFile: z.boolean(),
    /** The product's version, as its ETag header: send it back in If-Match when editing. */
    etag: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('SellerProduct');
export type SellerProduct = z.infer<typeof SellerProduct>;

export const Fulfillment = z
  .object({
    id: Id,
    carrier: z.string().nullable(),
    trackingNumber: z.string(),
    trackingUrl: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Fulfillment');

export const CreateFulfillmentBody = z
  .object({
    carrier: text(100).optional(),
    trackingNumber: text(100),
    trackingUrl: HttpsUrl.optional(),
  })
  .strict()
  .openapi('CreateFulfillment');
export type CreateFulfillmentBody = z.infer<typeof CreateFulfillmentBody>;

export const Order = z
  .object({
    id: Id,
    number: z.string(),
    status: z.enum(['paid', 'fulfilled']),
    checkoutId: Id,
    productId: Id,
    variantId: Id,
    productTitle: z.string(),
    variantOptions: z.record(z.string(), z.string()),
    kind: ProductKind,
    quantity: z.number().int(),
    unitPrice: Money,
    subtotal: Money,
    shipping: Money,
    tax: Money,
    total: Money,
    /** Present only when the buyer agreed to share it. */
    email: z.string().nullable(),
    shippingAddress: ShippingAddress.nullable(),
    postRef: z.string().nullable(),
    fulfillments: z.array(Fulfillment),
    createdAt: Timestamp,
    /** The part of the total given back (refunds through the API or at the provider). */
    amountRefunded: Money.optional(),
    refundStatus: RefundStatus.optional(),
  })
  .openapi('Order');
export type Order = z.infer<typeof Order>;

export const OrderList = z
  .object({ orders: z.array(Order), nextCursor: z.string().nullable() })
  .openapi('OrderList');

export const OrdersQuery = z.object({
  status: z.enum(['paid', 'fulfilled']).optional(),
  productId: Id.optional(),
  since: z.iso.datetime().optional(),
  /** Orders made before this instant. */
  until: z.iso.datetime().optional(),
  /** An order number (`BIP-7K3Q9X`, any case, `BIP-` optional) or a buyer's shared email. */
  q: z.string().trim().min(1).max(320).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

export const WebhookDelivery = z
  .object({
    id: Id,
    eventId: Id,
    eventType: z.string(),
    attempt: z.number().int(),
    url: z.string(),
    ok: z.boolean(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    createdAt: Timestamp,
  })
  .openapi('WebhookDelivery');
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookEvent = z
  .object({
    id: Id,
    type: z.enum(['order.paid', 'order.fulfilled', 'order.refunded']),
    createdAt: Timestamp,
    /** `refund`: the refund an `order.refunded` event is about. */
    data: z.object({ order: Order, refund: Refund.optional() }),
  })
  .openapi('WebhookEvent');
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const RotatedApiKey = z
  .object({
    /** Shown once. */
    apiKey: z.string(),
    /** The replaced key works until then. */
    previousKeyExpiresAt: Timestamp,
  })
  .openapi('RotatedApiKey');

export const WebhookSecret = z.object({ webhookSecret: z.string() }).openapi('WebhookSecret');

export const RotatedWebhookSecret = z
  .object({
    webhookSecret: z.string(),
    /** Deliveries are signed with the replaced secret too until then. */
    previousSecretExpiresAt: Timestamp,
  })
  .openapi('RotatedWebhookSecret');

// ── The dashboard's sign-in (routes/dashboard.ts) ──────────────────────────────────────────

export const DashboardCodeBody = z
  .object({ email: z.email().max(320) })
  .strict()
  .openapi('DashboardCodeRequest');

export const DashboardCodeRequested = z
  .object({ expiresAt: Timestamp, codeLength: z.number().int() })
  .openapi('DashboardCodeRequested');

export const DashboardSignInBody = z
  .union([
    z
      .object({ email: z.email().max(320), code: z.string().regex(/^\d{6}$/, 'six digits') })
      .strict(),
    z.object({ apiKey: z.string().min(1).max(200) }).strict(),
  ])
  .openapi('DashboardSignIn');
export type DashboardSignInBody = z.infer<typeof DashboardSignInBody>;

export const DashboardSession = z
  .object({
    /** Send it as `X-CSRF-Token` on every write made with the session cookie. */
    csrfToken: z.string(),
    expiresAt: Timestamp,
    seller: SellerSettings,
    /** The endpoint's public URL (no `/v1`): what the element's `endpoint` attribute names. */
    endpoint: z.string(),
    /** The element's script for the Share page's snippet (BIP_ELEMENT_SCRIPT_URL or the endpoint's own copy). */
    elementScriptUrl: z.string(),
  })
  .openapi('DashboardSession');
export type DashboardSession = z.infer<typeof DashboardSession>;

export { Money, ShippingAddress };
