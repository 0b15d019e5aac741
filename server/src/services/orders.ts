import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { sql, type Transaction } from 'kysely';
import type { CheckoutRow, Database, FulfillmentRow, OrderRow } from '../db/schema.ts';
import { refundStatusOf } from '../protocol/payouts.ts';
import type { CreateFulfillmentBody, Order } from '../protocol/seller.ts';
import { iso, newId, newOrderNumber } from '../util.ts';
import type { ServiceContext } from './context.ts';
import { invalid, notFound, ServiceError } from './errors.ts';
import { enqueueEvent } from './outbox.ts';

export function toOrder(o: OrderRow, fulfillments: FulfillmentRow[]): Order {
  const money = (amount: number) => ({ amount, currency: o.currency });
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    checkoutId: o.checkout_id,
    productId: o.product_id,
    variantId: o.variant_id,
    productTitle: o.product_title,
    variantOptions: JSON.parse(o.variant_options),
    kind: o.kind,
    quantity: o.quantity,
    unitPrice: money(o.unit_price),
    subtotal: money(o.subtotal),
    shipping: money(o.shipping),
    tax: money(o.tax),
    total: money(o.total),
    email: o.email,
    shippingAddress: o.shipping_address ? JSON.parse(o.shipping_address) : null,
    postRef: o.post_ref,
    fulfillments: fulfillments.map((f) => ({
      id: f.id,
      carrier: f.carrier,
      trackingNumber: f.tracking_number,
      trackingUrl: f.tracking_url,
      createdAt: f.created_at,
    })),
    createdAt: o.created_at,
    amountRefunded: money(o.amount_refunded ?? 0),
    refundStatus: refundStatusOf(o.amount_refunded ?? 0, o.total),
  };
}

export interface OrderFilter {
  status?: 'paid' | 'fulfilled';
  productId?: string;
  since?: string;
  until?: string;
  limit: number;
  /** An order number (any case, `BIP-` optional) or a buyer's shared email (docs/seller.md). */
  q?: string;
  cursor?: string;
}

/** What else happens when an order is written (the buyer's wallet: services/checkouts/buyer.ts). */
export interface OrderHooks {
  /** In the transaction that writes the order: it happens if and only if the order does. */
  written?(
    trx: Transaction<Database>,
    checkout: CheckoutRow,
    order: OrderRow,
    now: Date,
  ): Promise<void>;
  /** Once the order is committed. A failure is logged; it never undoes the order. */
  committed?(checkout: CheckoutRow, order: OrderRow): Promise<void>;
}

export class OrderService {
  private readonly key: Uint8Array;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly hooks: OrderHooks = {},
  ) {
    this.key = new TextEncoder().encode(`downloads:${ctx.config.secret}`);
  }

  /**
   * Turns a checkout into a paid order, in one transaction: checkout → paid, reserved stock
   * committed, the order written, and its `order.paid` event put in the outbox. Returns null
   * when the checkout was already paid (a second confirmation or a replayed event), is no longer
   * open, or no longer costs `paidTotal`.
   */
  async markPaid(
    checkoutId: string,
    paymentRef: string | null,
    /** The total the payment is for, when the provider says: a checkout changed since is not sold. */
    paidTotal?: number,
  ): Promise<OrderRow | null> {
    const now = this.ctx.clock.now();
    const written = await this.ctx.db.transaction().execute(async (trx) => {
      // The claim first: it locks the row, so what is read next (the units held, the totals) is
      // what is sold, whatever a concurrent change did before — and only at the total paid.
      let claim = trx
        .updateTable('checkouts')
        .set({ status: 'paid', updated_at: iso(now), last_payment_error: null })
        .where('id', '=', checkoutId)
        .where('status', 'in', ['open', 'processing']);
      if (paidTotal !== undefined) claim = claim.where('total', '=', paidTotal);
      const claimed = await claim.executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return null;
      const checkout = await trx
        .selectFrom('checkouts')
        .selectAll()
        .where('id', '=', checkoutId)
        .executeTakeFirstOrThrow();
      await commitStock(trx, checkout);
      const order = await insertOrder(trx, checkout, paymentRef, now);
      await trx
        .updateTable('checkouts')
        .set({ order_id: order.id, reserved_quantity: 0 })
        .where('id', '=', checkoutId)
        .execute();
      await enqueueEvent(trx, order.seller_id, 'order.paid', { order: toOrder(order, []) }, now);
      await this.hooks.written?.(trx, checkout, order, now);
      return { checkout, order };
    });
    if (!written) return null;
    await this.hooks.committed?.(written.checkout, written.order).catch((err) => {
      this.ctx.log.error({ err, order: written.order.id }, 'after writing the order');
    });
    return written.order;
  }

  async list(
    sellerId: string,
    f: OrderFilter,
  ): Promise<{ orders: Order[]; nextCursor: string | null }> {
    let q = this.ctx.db.selectFrom('orders').selectAll().where('seller_id', '=', sellerId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.productId) q = q.where('product_id', '=', f.productId);
    if (f.since) q = q.where('created_at', '>=', new Date(f.since).toISOString());
    if (f.until) q = q.where('created_at', '<', new Date(f.until).toISOString());
    if (f.q) {
      const term = f.q.trim();
      if (term.includes('@')) {
        // Only shared emails are stored on orders: a buyer who did not share cannot be found.
        q = q.where((eb) => eb(eb.fn('lower', ['email']), '=', term.toLowerCase()));
      } else {
        const upper = term.toUpperCase();
        q = q.where('number', '=', upper.startsWith('BIP-') ? upper : `BIP-${upper}`);
      }
    }
    if (f.cursor) {
      const [at, id] = Buffer.from(f.cursor, 'base64url').toString().split('|');
      if (!at || !id)
        throw invalid([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const page = rows.slice(0, f.limit);
    const fulfillments = await this.fulfillmentsFor(page.map((o) => o.id));
    const last = page.at(-1);
    return {
      orders: page.map((o) =>
        toOrder(
          o,
          fulfillments.filter((x) => x.order_id === o.id),
        ),
      ),
      nextCursor:
        rows.length > f.limit && last
          ? Buffer.from(`${last.created_at}|${last.id}`).toString('base64url')
          : null,
    };
  }

  async get(sellerId: string, id: string): Promise<Order> {
    const o = await this.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', id)
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
    if (!o) throw notFound('Order');
    return toOrder(o, await this.fulfillmentsFor([o.id]));
  }

  /** Records a shipment; the order becomes fulfilled and the seller's systems hear of it. */
  async fulfill(sellerId: string, id: string, body: CreateFulfillmentBody): Promise<Order> {
    await this.get(sellerId, id);
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('fulfillments')
        .values({
          id: newId('ful'),
          order_id: id,
          carrier: body.carrier ?? null,
          tracking_number: body.trackingNumber,
          tracking_url: body.trackingUrl ?? null,
          created_at: iso(now),
        })
        .execute();
      await trx
        .updateTable('orders')
        .set({ status: 'fulfilled', updated_at: iso(now) })
        .where('id', '=', id)
        .execute();
      const order = await trx
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const fulfillments = await trx
        .selectFrom('fulfillments')
        .selectAll()
        .where('order_id', '=', id)
        .orderBy('created_at')
        .execute();
      await enqueueEvent(
        trx,
        sellerId,
        'order.fulfilled',
        { order: toOrder(order, fulfillments) },
        now,
      );
    });
    return this.get(sellerId, id);
  }

  private async fulfillmentsFor(orderIds: string[]): Promise<FulfillmentRow[]> {
    if (orderIds.length === 0) return [];
    return this.ctx.db
      .selectFrom('fulfillments')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('created_at')
      .execute();
  }

  // ---- digital downloads -------------------------------------------------------------------

  /** A signed link to the order's file, valid for `downloadLinkSeconds`. */
  async downloadUrl(order: Pick<OrderRow, 'id' | 'product_id'>): Promise<string> {
    const token = await new SignJWT({ pid: order.product_id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(order.id)
      .setIssuedAt()
      .setExpirationTime(
        Math.floor(this.ctx.clock.now().getTime() / 1000) + this.ctx.config.downloadLinkSeconds,
      )
      .sign(this.key);
    return `${this.ctx.config.publicUrl}/v1/downloads/${token}`;
  }

  /** The file behind a download link, or a problem saying why not. */
  async openDownload(token: string) {
    let productId: string;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: this.ctx.clock.now(),
      });
      productId = String(payload.pid);
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new ServiceError(
          'link_expired',
          'This download link has expired; open your order again for a new one',
        );
      throw notFound('Download');
    }
    const file = await this.ctx.db
      .selectFrom('product_files')
      .selectAll()
      .where('product_id', '=', productId)
      .executeTakeFirst();
    if (!file) throw notFound('Download');
    return file;
  }
}

/** Reserved units become sold: stock and reservation both drop by the checkout's quantity. */
async function commitStock(trx: Transaction<Database>, c: CheckoutRow) {
  if (c.reserved_quantity === 0) return;
  await trx
    .updateTable('variants')
    .set({
      stock: sql<
        number | null
      >`case when stock is null then null else stock - ${c.reserved_quantity} end`,
      reserved: sql<number>`reserved - ${c.reserved_quantity}`,
    })
    .where('id', '=', c.variant_id)
    .execute();
}

async function insertOrder(
  trx: Transaction<Database>,
  c: CheckoutRow,
  paymentRef: string | null,
  now: Date,
): Promise<OrderRow> {
  const [product, variant] = await Promise.all([
    trx
      .selectFrom('products')
      .select(['title', 'kind'])
      .where('id', '=', c.product_id)
      .executeTakeFirstOrThrow(),
    trx
      .selectFrom('variants')
      .select(['options', 'price'])
      .where('id', '=', c.variant_id)
      .executeTakeFirstOrThrow(),
  ]);
  const row: OrderRow = {
    id: newId('ord'),
    number: newOrderNumber(),
    seller_id: c.seller_id,
    checkout_id: c.id,
    product_id: c.product_id,
    variant_id: c.variant_id,
    product_title: product.title,
    variant_options: variant.options,
    kind: product.kind,
    quantity: c.quantity,
    currency: c.currency,
    unit_price: c.subtotal / c.quantity,
    subtotal: c.subtotal,
    shipping: c.shipping ?? 0,
    tax: c.tax,
    total: c.total,
    email: c.share_email ? c.email : null,
    shipping_address: c.shipping_address,
    post_ref: c.post_ref,
    payment_provider: c.payment_provider,
    payment_ref: paymentRef ?? c.payment_ref,
    buyer_id: c.buyer_id ?? null,
    status: 'paid',
    created_at: iso(now),
    updated_at: iso(now),
  };
  await trx.insertInto('orders').values(row).execute();
  return row;
}
