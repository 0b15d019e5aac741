import { z } from '@hono/zod-openapi';
import { CountryCode, HttpsUrl, Id, Money } from './common.ts';

export const SellerKind = z.enum(['artist', 'brand', 'nonprofit', 'other']);
export type SellerKind = z.infer<typeof SellerKind>;

export const ProductKind = z.enum(['physical', 'digital']);
export type ProductKind = z.infer<typeof ProductKind>;

export const ProductOption = z
  .object({ name: z.string(), values: z.array(z.string()) })
  .openapi('ProductOption', { example: { name: 'Size', values: ['S', 'M', 'L'] } });
export type ProductOption = z.infer<typeof ProductOption>;

export const ProductImage = z.object({ url: HttpsUrl, alt: z.string() }).openapi('ProductImage');
export type ProductImage = z.infer<typeof ProductImage>;

export const Availability = z.enum(['in_stock', 'low_stock', 'out_of_stock']);

export const Variant = z
  .object({
    id: Id,
    sku: z.string().nullable(),
    /** Option name → value, e.g. `{ "Size": "M", "Colour": "Black" }` */
    options: z.record(z.string(), z.string()),
    price: Money,
    compareAtPrice: Money.nullable(),
    availability: Availability,
    /** The most a buyer can put in one checkout right now (0 when sold out). */
    maxQuantity: z.number().int().min(0),
  })
  .openapi('Variant');
export type Variant = z.infer<typeof Variant>;

export const Product = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    url: HttpsUrl.nullable(),
    kind: ProductKind,
    seller: z.object({ id: Id, name: z.string(), kind: SellerKind }),
    images: z.array(ProductImage),
    options: z.array(ProductOption),
    variants: z.array(Variant),
    /** Lowest variant price, for a "from $25" button. */
    priceFrom: Money,
    /** Countries the seller ships this product to (empty for digital products). */
    shipsTo: z.array(CountryCode),
    available: z.boolean(),
    /**
     * Why the product cannot be bought now, when the reason is not its stock:
     * `seller_not_ready` — on a platform, the seller has not finished setting up payouts.
     */
    unavailableReason: z.enum(['seller_not_ready']).optional(),
  })
  .openapi('Product');
export type Product = z.infer<typeof Product>;

export const ProductBatch = z
  .object({ products: z.array(Product), missing: z.array(z.string()) })
  .openapi('ProductBatch');
export type ProductBatch = z.infer<typeof ProductBatch>;

export const MAX_BATCH = 50;

/** The most URLs one `GET /v1/resolve` may ask about (as many as a product batch). */
export const MAX_RESOLVE = MAX_BATCH;

export const ResolvedUrl = z
  .object({
    /** The URL as it was asked about, byte for byte, so a client can match its links. */
    url: z.string(),
    productId: Id,
  })
  .openapi('ResolvedUrl');
export type ResolvedUrl = z.infer<typeof ResolvedUrl>;

/**
 * `GET /v1/resolve`: which of the asked URLs are product pages — the endpoint's own
 * (`/p/{id}`, `/p/{id}/{slug}`) or a product's `url` — of active products.
 */
export const ResolveAnswer = z
  .object({
    /** The URLs that name an active product, in the order asked, without repeats. */
    resolved: z.array(ResolvedUrl),
    /** The URLs that name nothing here (or an archived product), as asked. */
    missing: z.array(z.string()),
  })
  .openapi('ResolveAnswer', {
    example: {
      resolved: [{ url: 'https://shop.example/p/tour-tee', productId: 'tour-tee' }],
      missing: ['https://news.example/story'],
    },
  });
export type ResolveAnswer = z.infer<typeof ResolveAnswer>;

/** `GET /v1/oembed`: an oEmbed 1.0 `rich` answer (https://oembed.com/#section2.3.4). */
export const OEmbedAnswer = z
  .object({
    version: z.literal('1.0'),
    type: z.literal('rich'),
    title: z.string(),
    author_name: z.string(),
    provider_name: z.string(),
    provider_url: z.string(),
    /** Seconds a consumer may keep this answer. */
    cache_age: z.number().int(),
    /** The snippet: the element's script and a `<buy-in-post>` with a plain link inside. */
    html: z.string(),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi('OEmbedAnswer');
export type OEmbedAnswer = z.infer<typeof OEmbedAnswer>;
