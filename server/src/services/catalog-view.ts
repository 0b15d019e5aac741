/**
 * The catalogue as the protocol shows it: to buyers (`Product`, availability but not stock
 * counts) and to the seller (`SellerProduct`, with stock and reservations). Pure.
 */
import type { ProductRow, SellerRow, VariantRow } from '../db/schema.ts';
import { MAX_QUANTITY } from '../protocol/checkouts.ts';
import type { Product, SellerKind, Variant } from '../protocol/products.ts';
import type { SellerProduct, SellerVariant } from '../protocol/seller.ts';
import { shippableCountries } from './pricing.ts';

/** At or below this many units left, a variant shows as `low_stock`. */
const LOW_STOCK = 5;

/** Units a buyer can still reserve: null when stock is not tracked. */
export function availableUnits(v: Pick<VariantRow, 'stock' | 'reserved'>): number | null {
  return v.stock == null ? null : Math.max(0, v.stock - v.reserved);
}

/** What buyers and the seller both see of a variant. */
function variantFields(v: VariantRow, currency: string) {
  return {
    id: v.id,
    sku: v.sku,
    options: JSON.parse(v.options) as Record<string, string>,
    price: { amount: v.price, currency },
    compareAtPrice: v.compare_at_price == null ? null : { amount: v.compare_at_price, currency },
  };
}

/** What buyers and the seller both see of a product. */
function productFields(p: ProductRow) {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    url: p.url,
    kind: p.kind,
    images: JSON.parse(p.images),
    options: JSON.parse(p.options),
  };
}

function publicVariant(v: VariantRow, currency: string, cap: number): Variant {
  const left = availableUnits(v);
  return {
    ...variantFields(v, currency),
    availability:
      left === null
        ? 'in_stock'
        : left === 0
          ? 'out_of_stock'
          : left <= LOW_STOCK
            ? 'low_stock'
            : 'in_stock',
    maxQuantity: left === null ? cap : Math.min(left, cap),
  };
}

function sellerVariant(v: VariantRow, currency: string): SellerVariant {
  return { ...variantFields(v, currency), stock: v.stock, reserved: v.reserved, status: v.status };
}

export function publicProduct(p: ProductRow, seller: SellerRow, variants: VariantRow[]): Product {
  const cap = Math.min(MAX_QUANTITY, p.max_per_checkout ?? MAX_QUANTITY);
  const vs = variants.map((v) => publicVariant(v, seller.currency, cap));
  const lowest = Math.min(...variants.map((v) => v.price));
  return {
    ...productFields(p),
    seller: { id: seller.id, name: seller.name, kind: seller.kind as SellerKind },
    variants: vs,
    priceFrom: { amount: Number.isFinite(lowest) ? lowest : 0, currency: seller.currency },
    shipsTo: p.kind === 'digital' ? [] : shippableCountries(JSON.parse(seller.shipping_zones)),
    available: vs.some((v) => v.maxQuantity > 0),
  };
}

/**
 * A product's ETag: its edit version, bumped by every seller edit (never by buyers' holds), so
 * `If-Match` with it refuses an edit made against an older version (412).
 */
export function productEtag(version: number): string {
  return `"v${version}"`;
}

export function toSellerProduct(
  p: ProductRow,
  variants: VariantRow[],
  currency: string,
  hasFile: boolean,
): SellerProduct {
  return {
    ...productFields(p),
    status: p.status,
    variants: variants.map((v) => sellerVariant(v, currency)),
    maxPerCheckout: p.max_per_checkout ?? null,
    hasFile,
    etag: productEtag(p.edit_version ?? 1),
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}
