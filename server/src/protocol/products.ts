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
  })
  .openapi('Product');
export type Product = z.infer<typeof Product>;

export const ProductBatch = z
  .object({ products: z.array(Product), missing: z.array(z.string()) })
  .openapi('ProductBatch');
export type ProductBatch = z.infer<typeof ProductBatch>;

export const MAX_BATCH = 50;
