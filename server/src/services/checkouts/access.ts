/**
 * Loading and authorization: reading checkouts (and what they are for) from the database, the
 * client-token check, and the "may it still change" rule. Database reads only — nothing here
 * writes, so every other part of the checkout service may use it.
 */
import { prepared } from '../../db/prepared.ts';
import type { CheckoutRow, Db, VariantRow } from '../../db/schema.ts';
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

/** A product on sale, or `not_found` naming `productId`. */
export async function activeProduct(db: Db, productId: string) {
  const [product] = (await productOnSale(db, { productId })).rows;
  if (!product)
    throw new ServiceError('not_found', 'Product not found', {
      errors: [{ field: 'productId', message: 'no such product' }],
    });
  return product;
}

/** A variant of the product that is on sale, or `variant_unavailable` naming `variantId`. */
export async function activeVariant(
  db: Db,
  productId: string,
  variantId: string,
): Promise<VariantRow> {
  // One query: the variant with its product's options, which it must pick every one of.
  const [found] = (await variantOnSale(db, { variantId, productId })).rows;
  // A variant stored without a value for one of its product's options (before issue 12 the
  // seller API let names such as `constructor` through) cannot be sold: the order would not say
  // what to ship.
  if (!found || !picksEveryOption(JSON.parse(found.product_options), JSON.parse(found.options)))
    throw new ServiceError('variant_unavailable', 'This product has no such option', {
      errors: [{ field: 'variantId', message: 'not an available variant of this product' }],
    });
  const { product_options: _, ...variant } = found;
  return variant;
}

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

const productOnSale = prepared((db, v: { productId: string }) =>
  db
    .selectFrom('products')
    .selectAll()
    .where('id', '=', v.productId)
    .where('status', '=', 'active'),
);

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

const sellerById = prepared((db, v: { sellerId: string }) =>
  db.selectFrom('sellers').selectAll().where('id', '=', v.sellerId),
);
