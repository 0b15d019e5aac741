/**
 * Loading and authorization: reading checkouts (and what they are for) from the database, the
 * client-token check, and the "may it still change" rule. Database reads only — nothing here
 * writes, so every other part of the checkout service may use it.
 */
import { prepared } from '../../db/prepared.ts';
import type { CheckoutRow, Db, ProductRow, SellerRow, VariantRow } from '../../db/schema.ts';
import { safeEqualHex, sha256 } from '../../util.ts';
import { picksEveryOption } from '../catalog-rules.ts';
import { notFound, ServiceError } from '../errors.ts';

export type { Db };

export async function findCheckout(db: Db, id: string): Promise<CheckoutRow | undefined> {
  return (await checkoutById(db, { id })).rows[0];
}

const checkoutById = prepared((db, v: { id: string }) =>
  db.selectFrom('checkouts').selectAll().where('id', '=', v.id),
);

/** The checkout, or `not_found`. */
export async function loadCheckout(db: Db, id: string): Promise<CheckoutRow> {
  const row = await findCheckout(db, id);
  if (!row) throw notFound('Checkout');
  return row;
}

/** The checkout, for the holder of its client token only. */
export async function authorize(
  db: Db,
  id: string,
  token: string | undefined,
): Promise<CheckoutRow> {
  if (!token)
    throw new ServiceError(
      'unauthorized',
      'Send the checkout\'s clientToken as "Authorization: Bearer <token>"',
    );
  const row = await findCheckout(db, id);
  // A wrong token looks exactly like an unknown id.
  if (!row || !safeEqualHex(row.client_token_hash, sha256(token))) throw notFound('Checkout');
  return row;
}

/** The row, if it may still change (or be paid); otherwise the problem saying why not. */
export function assertOpen(row: CheckoutRow): CheckoutRow {
  if (row.status === 'expired')
    throw new ServiceError('checkout_expired', 'The reservation has expired; start a new checkout');
  if (row.status !== 'open')
    throw new ServiceError('checkout_not_open', `This checkout is ${row.status}`, {
      // not `status`: in problem+json that member is the HTTP status code
      extra: { checkoutStatus: row.status },
    });
  return row;
}

/** A variant of the product that is on sale, or `variant_unavailable` naming `variantId`. */
export async function activeVariant(
  db: Db,
  productId: string,
  variantId: string,
): Promise<VariantRow> {
  // One query: the variant with its product's options, which it must pick every one of.
  const [found] = (await variantOnSale(db, { variantId, productId })).rows;
  if (!found) throw variantUnavailable();
  const { product_options, ...variant } = found;
  return saleable(product_options, variant);
}

/**
 * What starting a checkout needs of the product (`activeProductWith`): not its description,
 * images or links, which a seller may make long and a checkout never shows.
 */
export type CheckoutProduct = Pick<
  ProductRow,
  'id' | 'seller_id' | 'title' | 'kind' | 'status' | 'options' | 'max_per_checkout'
>;

/** What starting a checkout needs of the seller, read with its product (`activeProductWith`). */
export type CheckoutSeller = Pick<
  SellerRow,
  | 'id'
  | 'currency'
  | 'allowed_origins'
  | 'shipping_zones'
  | 'tax_rates'
  | 'stripe_account_id'
  | 'connect_charges_enabled'
>;

/**
 * A product on sale (or `not_found`) and, read with it in one query, its seller and its variant
 * `variantId`: `variant()` gives it, or throws `variant_unavailable` — when the caller is ready
 * to say so.
 */
export async function activeProductWith(db: Db, productId: string, variantId: string) {
  const [found] = (await productWithVariant(db, { productId, variantId })).rows;
  if (!found)
    throw new ServiceError('not_found', 'Product not found', {
      errors: [{ field: 'productId', message: 'no such product' }],
    });
  const product: CheckoutProduct = {
    id: found.id,
    seller_id: found.seller_id,
    title: found.title,
    kind: found.kind,
    status: found.status,
    options: found.options,
    max_per_checkout: found.max_per_checkout,
  };
  const seller: CheckoutSeller = {
    id: found.s_id,
    currency: found.s_currency,
    allowed_origins: found.s_allowed_origins,
    shipping_zones: found.s_shipping_zones,
    tax_rates: found.s_tax_rates,
    stripe_account_id: found.s_stripe_account_id,
    connect_charges_enabled: found.s_connect_charges_enabled,
  };
  return {
    product,
    seller,
    variant: (): VariantRow => {
      if (found.v_id === null) throw variantUnavailable();
      const variant = {
        id: found.v_id,
        product_id: found.v_product_id,
        sku: found.v_sku,
        options: found.v_options,
        price: found.v_price,
        compare_at_price: found.v_compare_at_price,
        stock: found.v_stock,
        reserved: found.v_reserved,
        status: found.v_status,
        position: found.v_position,
        created_at: found.v_created_at,
        updated_at: found.v_updated_at,
      } as VariantRow;
      return saleable(product.options, variant);
    },
  };
}

/**
 * The variant, if it picks every one of its product's options. A variant stored without a value
 * for one of them (before issue 12 the seller API let names such as `constructor` through)
 * cannot be sold: the order would not say what to ship.
 */
function saleable(productOptions: string, variant: VariantRow): VariantRow {
  if (!picksEveryOption(JSON.parse(productOptions), JSON.parse(variant.options)))
    throw variantUnavailable();
  return variant;
}

const variantUnavailable = () =>
  new ServiceError('variant_unavailable', 'This product has no such option', {
    errors: [{ field: 'variantId', message: 'not an available variant of this product' }],
  });

/** What a checkout is for: its product's title, kind and cap per checkout. */
export function productOf(db: Db, checkout: Pick<CheckoutRow, 'product_id'>) {
  return db
    .selectFrom('products')
    .select(['title', 'kind', 'max_per_checkout'])
    .where('id', '=', checkout.product_id)
    .executeTakeFirstOrThrow();
}

export async function sellerOf(db: Db, sellerId: string) {
  const [seller] = (await sellerById(db, { sellerId })).rows;
  if (!seller) throw new Error(`no seller ${sellerId}`);
  return seller;
}

// The statements of the checkout path, compiled once (db/prepared.ts).

const variantOnSale = prepared((db, v: { variantId: string; productId: string }) =>
  db
    .selectFrom('variants')
    .innerJoin('products', 'products.id', 'variants.product_id')
    .selectAll('variants')
    .select('products.options as product_options')
    .where('variants.id', '=', v.variantId)
    .where('variants.product_id', '=', v.productId)
    .where('variants.status', '=', 'active'),
);

/**
 * The product on sale (what a checkout needs of it) with its seller and its variant, if on sale:
 * the seller's columns prefixed `s_` (a second statement cost a twentieth of a checkout's time),
 * the variant's `v_`.
 */
const productWithVariant = prepared((db, v: { productId: string; variantId: string }) =>
  db
    .selectFrom('products')
    .innerJoin('sellers', 'sellers.id', 'products.seller_id')
    .leftJoin('variants', (join) =>
      join
        .onRef('variants.product_id', '=', 'products.id')
        .on('variants.id', '=', v.variantId)
        .on('variants.status', '=', 'active'),
    )
    .select([
      'products.id',
      'products.seller_id',
      'products.title',
      'products.kind',
      'products.status',
      'products.options',
      'products.max_per_checkout',
      'variants.id as v_id',
      'variants.product_id as v_product_id',
      'variants.sku as v_sku',
      'variants.options as v_options',
      'variants.price as v_price',
      'variants.compare_at_price as v_compare_at_price',
      'variants.stock as v_stock',
      'variants.reserved as v_reserved',
      'variants.status as v_status',
      'variants.position as v_position',
      'variants.created_at as v_created_at',
      'variants.updated_at as v_updated_at',
      'sellers.id as s_id',
      'sellers.currency as s_currency',
      'sellers.allowed_origins as s_allowed_origins',
      'sellers.shipping_zones as s_shipping_zones',
      'sellers.tax_rates as s_tax_rates',
      'sellers.stripe_account_id as s_stripe_account_id',
      'sellers.connect_charges_enabled as s_connect_charges_enabled',
    ])
    .where('products.id', '=', v.productId)
    .where('products.status', '=', 'active'),
);

const sellerById = prepared((db, v: { sellerId: string }) =>
  db.selectFrom('sellers').selectAll().where('id', '=', v.sellerId),
);
