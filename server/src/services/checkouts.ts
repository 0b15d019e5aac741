import { sql, type Transaction } from 'kysely';
import type { CheckoutRow, Database, SellerRow } from '../db/schema.ts';
import type { PaymentOutcome, PaymentProvider } from '../payments/provider.ts';
import type {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  ShippingAddress,
  ShippingPreview,
  UpdateCheckoutBody,
} from '../protocol/checkouts.ts';
import type { ShippingZone, TaxRate } from '../protocol/seller.ts';
import { iso, newId, newSecret, safeEqualHex, sha256 } from '../util.ts';
import { availableUnits } from './catalog.ts';
import type { ServiceContext } from './context.ts';
import { notFound, ServiceError } from './errors.ts';
import type { OrderService } from './orders.ts';
import { computeTotals, DoesNotShipError } from './pricing.ts';

type Db = ServiceContext['db'] | Transaction<Database>;

/** How long a checkout held for payment waits for the page to confirm with the provider. */
const HOLD_GRACE_MS = 2 * 60_000;

/**
 * Holds `quantity` units of a variant, atomically: the WHERE clause re-checks availability in
 * the same statement that takes the units, so concurrent buyers (or server processes sharing a
 * PostgreSQL database) can never hold more than the stock.
 */
async function reserveStock(db: Db, variantId: string, quantity: number): Promise<boolean> {
  const res = await db
    .updateTable('variants')
    .set({ reserved: sql<number>`reserved + ${quantity}` })
    .where('id', '=', variantId)
    .where((eb) =>
      eb.or([eb('stock', 'is', null), eb(sql<number>`stock - reserved`, '>=', quantity)]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

async function releaseStock(db: Db, variantId: string, quantity: number) {
  if (quantity <= 0) return;
  await db
    .updateTable('variants')
    .set({ reserved: sql<number>`reserved - ${quantity}` })
    .where('id', '=', variantId)
    .execute();
}

export interface RequestInfo {
  /** The Origin header of the browser request, if any. */
  origin?: string | undefined;
}

export class CheckoutService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly payments: PaymentProvider,
    private readonly orders: OrderService,
    /** Called after an order is written, to wake the webhook dispatcher. */
    private readonly onPaid: () => void = () => {},
  ) {}

  async create(body: CreateCheckoutBody, req: RequestInfo = {}): Promise<Checkout> {
    const { db } = this.ctx;
    const product = await db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', body.productId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!product)
      throw new ServiceError('not_found', 'Product not found', {
        errors: [{ field: 'productId', message: 'no such product' }],
      });
    const seller = await db
      .selectFrom('sellers')
      .selectAll()
      .where('id', '=', product.seller_id)
      .executeTakeFirstOrThrow();
    this.checkOrigin(seller, req.origin);
    const variant = await db
      .selectFrom('variants')
      .selectAll()
      .where('id', '=', body.variantId)
      .where('product_id', '=', product.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!variant) {
      throw new ServiceError('variant_unavailable', 'This product has no such option', {
        errors: [{ field: 'variantId', message: 'not a variant of this product' }],
      });
    }
    const address = product.kind === 'physical' ? (body.shippingAddress ?? null) : null;
    const totals = this.price(seller, product.kind, variant.price, body.quantity, address);
    const paymentMode = this.payments.paymentMode(body.paymentMode);
    if (paymentMode === 'hosted') this.checkReturnUrl(seller, body.returnUrl);

    const now = this.ctx.clock.now();
    const clientToken = newSecret('ct');
    const row: CheckoutRow = {
      id: newId('chk'),
      seller_id: seller.id,
      product_id: product.id,
      variant_id: variant.id,
      quantity: body.quantity,
      reserved_quantity: body.quantity,
      status: 'open',
      email: body.email ?? null,
      share_email: body.shareEmail ? 1 : 0,
      shipping_address: address ? JSON.stringify(address) : null,
      post_ref: body.postRef ?? null,
      currency: seller.currency,
      subtotal: totals.subtotal,
      shipping: totals.shipping,
      tax: totals.tax,
      total: totals.total,
      client_token_hash: sha256(clientToken),
      payment_provider: this.payments.name,
      payment_ref: null,
      payment_mode: paymentMode,
      payment_secret: null,
      payment_amount: null,
      return_url: body.returnUrl ?? null,
      shipping_preview: null,
      last_payment_error: null,
      order_id: null,
      expires_at: iso(new Date(now.getTime() + this.ctx.config.reservationSeconds * 1000)),
      created_at: iso(now),
      updated_at: iso(now),
    };
    await this.releaseExpired(variant.id);
    await db.transaction().execute(async (trx) => {
      if (!(await reserveStock(trx, variant.id, body.quantity)))
        throw await this.outOfStock(trx, variant.id);
      await trx.insertInto('checkouts').values(row).execute();
    });
    try {
      Object.assign(row, await this.preparePayment(row, product.title, product.kind));
    } catch (err) {
      // No payment, no checkout: give the units back so nothing is held for nobody.
      await this.finish(row.id, 'canceled');
      console.error('[payments] preparing the payment failed:', err);
      throw new ServiceError('payment_failed', 'The payment provider is unavailable; try again');
    }
    return { ...(await this.view(row)), clientToken };
  }

  async get(id: string, token: string | undefined): Promise<Checkout> {
    let row = await this.authorize(id, token, { expire: true });
    // Back from a hosted page: paid there, perhaps before (or without) the webhook. Asked on a
    // read only — a change or a cancel of an open checkout needs no round trip to Stripe.
    if (row.status === 'open' && row.payment_mode === 'hosted')
      row = await this.reconcileQuietly(row);
    if (row.status === 'open' && row.payment_amount !== row.total) {
      // A change whose update to the payment provider failed: try again now.
      const product = await this.product(row.product_id);
      row = await this.preparePayment(row, product.title, product.kind)
        .then((p) => ({ ...row, ...p }))
        .catch((err) => {
          console.error('[payments] preparing the payment failed:', err);
          return row;
        });
    }
    return this.view(row);
  }

  async update(id: string, token: string | undefined, body: UpdateCheckoutBody): Promise<Checkout> {
    const current = await this.openCheckout(id, token);
    const { db } = this.ctx;
    const [product, seller] = await Promise.all([
      db
        .selectFrom('products')
        .selectAll()
        .where('id', '=', current.product_id)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('sellers')
        .selectAll()
        .where('id', '=', current.seller_id)
        .executeTakeFirstOrThrow(),
    ]);
    const variantId = body.variantId ?? current.variant_id;
    const variant = await db
      .selectFrom('variants')
      .selectAll()
      .where('id', '=', variantId)
      .where('product_id', '=', current.product_id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!variant) {
      throw new ServiceError('variant_unavailable', 'This product has no such option', {
        errors: [{ field: 'variantId', message: 'not an available variant of this product' }],
      });
    }
    const quantity = body.quantity ?? current.quantity;
    let address: ShippingAddress | null = current.shipping_address
      ? JSON.parse(current.shipping_address)
      : null;
    let preview: ShippingPreview | null = current.shipping_preview
      ? JSON.parse(current.shipping_preview)
      : null;
    // The latest of the two wins: a wallet's preview replaces the address typed earlier (the
    // buyer picked another in the wallet; its full form comes before paying), and an address
    // replaces a preview.
    if (body.shippingPreview !== undefined && product.kind === 'physical') {
      preview = body.shippingPreview;
      if (preview) address = null;
    }
    if (body.shippingAddress !== undefined && product.kind === 'physical') {
      address = body.shippingAddress;
      if (address) preview = null;
    }
    const totals = this.price(seller, product.kind, variant.price, quantity, address ?? preview);

    const patch: Partial<CheckoutRow> = {
      variant_id: variant.id,
      quantity,
      reserved_quantity: quantity,
      shipping_address: address ? JSON.stringify(address) : null,
      shipping_preview: preview ? JSON.stringify(preview) : null,
      subtotal: totals.subtotal,
      shipping: totals.shipping,
      tax: totals.tax,
      total: totals.total,
      updated_at: iso(this.ctx.clock.now()),
    };
    if (body.email !== undefined) patch.email = body.email;
    if (body.shareEmail !== undefined) patch.share_email = body.shareEmail ? 1 : 0;

    await db.transaction().execute(async (trx) => {
      // Take the new units before giving back the old, so a failed change leaves all as it was.
      const sameVariant = variant.id === current.variant_id;
      const extra = sameVariant ? quantity - current.reserved_quantity : quantity;
      if (extra > 0 && !(await reserveStock(trx, variant.id, extra)))
        throw await this.outOfStock(trx, variant.id);
      const updated = await trx
        .updateTable('checkouts')
        .set(patch)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('variant_id', '=', current.variant_id)
        .where('reserved_quantity', '=', current.reserved_quantity)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new ServiceError(
          'checkout_not_open',
          'The checkout changed meanwhile; read it again',
        );
      }
      if (sameVariant && extra < 0) await releaseStock(trx, variant.id, -extra);
      if (!sameVariant) await releaseStock(trx, current.variant_id, current.reserved_quantity);
    });
    let next: CheckoutRow = { ...current, ...patch };
    try {
      next = { ...next, ...(await this.preparePayment(next, product.title, product.kind)) };
    } catch (err) {
      // The change stands; the payment catches up on the next read or before paying.
      console.error('[payments] updating the payment failed:', err);
      throw new ServiceError('payment_failed', 'The payment provider is unavailable; try again');
    }
    return this.view(next);
  }

  async confirm(
    id: string,
    token: string | undefined,
    body: ConfirmCheckoutBody,
  ): Promise<Checkout> {
    const row = await this.authorize(id, token, { expire: true });
    // The page confirms with what it was handed.
    const expected = this.payments.handoff(row).provider;
    if (body.payment.provider !== expected) {
      throw new ServiceError('validation_failed', `This checkout is paid with ${expected}`, {
        errors: [{ field: 'payment.provider', message: `must be ${expected}` }],
      });
    }
    // The page asks again before a second attempt (after a decline): already held.
    if (row.status === 'processing' && this.payments.confirmsInPage) return this.view(row);
    const current = this.assertOpen(row);
    const product = await this.ctx.db
      .selectFrom('products')
      .select('kind')
      .where('id', '=', current.product_id)
      .executeTakeFirstOrThrow();
    if (product.kind === 'physical' && !current.shipping_address) {
      throw new ServiceError('validation_failed', 'A shipping address is needed before paying', {
        errors: [{ field: 'shippingAddress', message: 'required for physical products' }],
      });
    }
    const claimed = await this.ctx.db
      .updateTable('checkouts')
      .set({ status: 'processing', updated_at: iso(this.ctx.clock.now()) })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1)
      throw new ServiceError('checkout_not_open', 'This checkout is already being paid');

    let outcome: PaymentOutcome;
    try {
      outcome = await this.payments.confirm(current, body.payment);
    } catch (err) {
      console.error('[payments] confirm failed:', err);
      outcome = {
        status: 'declined',
        code: 'processing_error',
        message: 'The payment could not be processed. Try again.',
      };
    }
    if (outcome.status === 'succeeded') {
      await this.settle(await this.load(id), outcome);
      return this.view(await this.load(id));
    }
    if (outcome.status === 'processing') return this.view(await this.load(id));
    if (outcome.status === 'open') {
      await this.release(id, null);
      return this.view(await this.load(id));
    }

    const error = { code: outcome.code, message: outcome.message };
    await this.ctx.db
      .updateTable('checkouts')
      .set({
        status: 'open',
        last_payment_error: JSON.stringify(error),
        updated_at: iso(this.ctx.clock.now()),
      })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .execute();
    throw new ServiceError('payment_declined', outcome.message, {
      extra: {
        declineCode: outcome.code,
      },
    });
  }

  async cancel(id: string, token: string | undefined): Promise<Checkout> {
    const current = await this.authorize(id, token, { expire: true });
    if (current.status === 'canceled' || current.status === 'expired') return this.view(current);
    if (current.status !== 'open')
      throw new ServiceError(
        'checkout_not_open',
        `A ${current.status} checkout cannot be canceled`,
      );
    await this.finish(id, 'canceled');
    return this.view(await this.load(id));
  }

  /**
   * Expires open checkouts whose reservation has lapsed and gives their units back. Runs
   * before each reservation (for that variant) and periodically for all.
   */
  async releaseExpired(variantId?: string): Promise<number> {
    let q = this.ctx.db
      .selectFrom('checkouts')
      .select('id')
      .where('status', '=', 'open')
      .where('expires_at', '<=', iso(this.ctx.clock.now()));
    if (variantId) q = q.where('variant_id', '=', variantId);
    const due = await q.limit(500).execute();
    let n = 0;
    for (const { id } of due) if (await this.finish(id, 'expired')) n++;
    if (!variantId && this.payments.status) {
      // Held for a payment that never finished (the page closed mid-payment, a webhook lost):
      // ask the provider, and expire what is not being paid after all.
      const held = await this.ctx.db
        .selectFrom('checkouts')
        .selectAll()
        .where('status', '=', 'processing')
        .where('expires_at', '<=', iso(this.ctx.clock.now()))
        .limit(100)
        .execute();
      for (const row of held) {
        const now = await this.reconcile(row).catch(() => row);
        if (now.status === 'open' && (await this.finish(row.id, 'expired'))) n++;
      }
    }
    return n;
  }

  /**
   * Applies what the payment provider says about a checkout (a webhook, or a read that asked).
   * Safe to call any number of times, in any order: each transition happens once, from the
   * states it may happen from. Returns what it did.
   */
  async settle(row: CheckoutRow, outcome: PaymentOutcome): Promise<string> {
    switch (outcome.status) {
      case 'succeeded': {
        const amountOk =
          outcome.amount === undefined ||
          (outcome.amount === row.total &&
            (outcome.currency ?? row.currency).toUpperCase() === row.currency);
        if (row.status === 'paid') return 'already_paid';
        if ((row.status === 'open' || row.status === 'processing') && amountOk) {
          if (await this.orders.markPaid(row.id, outcome.reference)) {
            this.onPaid();
            return 'paid';
          }
          return 'already_paid';
        }
        // Money for a checkout that cannot become an order (expired, canceled, or a total that
        // changed under the payment): give it back rather than keep it.
        console.error(
          `[payments] ${row.id}: paid ${outcome.amount ?? '?'} ${outcome.currency ?? ''} while ${row.status} with total ${row.total}; refunding`,
        );
        if (outcome.reference && this.payments.refund)
          await this.payments.refund(outcome.reference, row.id);
        if (row.status === 'open' || row.status === 'processing')
          await this.release(row.id, {
            code: 'amount_changed',
            message: 'The total changed while paying; the payment was refunded. Try again.',
          });
        return 'refunded';
      }
      case 'declined':
        return (await this.release(row.id, { code: outcome.code, message: outcome.message }))
          ? 'declined'
          : 'ignored';
      case 'open':
        return (await this.release(row.id, null)) ? 'reopened' : 'ignored';
      case 'processing':
        return 'processing';
    }
  }

  /**
   * Asks the payment provider how a checkout's payment stands and applies it. For a checkout
   * held for payment (and an open one paid on a hosted page), so a lost webhook loses nothing.
   */
  async reconcile(row: CheckoutRow): Promise<CheckoutRow> {
    const asks =
      row.status === 'processing' ||
      (row.status === 'open' && row.payment_mode === 'hosted' && row.payment_ref !== null);
    if (!asks || !this.payments.status || row.payment_provider !== this.payments.name) return row;
    const outcome = await this.payments.status(row);
    if (outcome.status === 'processing' && row.status === 'processing') return row;
    // Held, and nothing tried at Stripe yet: the page is about to confirm. Only a hold left
    // long enough to be abandoned (the page closed in between) goes back to the buyer.
    const heldFor = this.ctx.clock.now().getTime() - Date.parse(row.updated_at);
    if (outcome.status === 'open' && row.status === 'processing' && heldFor < HOLD_GRACE_MS)
      return row;
    await this.settle(row, outcome);
    return this.load(row.id);
  }

  /** {@link reconcile}, keeping the row as it was when the provider cannot be asked. */
  private reconcileQuietly(row: CheckoutRow): Promise<CheckoutRow> {
    return this.reconcile(row).catch((err) => {
      console.error('[payments] asking the provider failed:', err);
      return row;
    });
  }

  /** Hands a held checkout back to the buyer (a decline, an abandoned attempt). */
  private async release(id: string, error: { code: string; message: string } | null) {
    const res = await this.ctx.db
      .updateTable('checkouts')
      .set({
        status: 'open',
        last_payment_error: error ? JSON.stringify(error) : null,
        updated_at: iso(this.ctx.clock.now()),
      })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Looks a checkout up by id, for events from the payment provider. */
  async find(id: string): Promise<CheckoutRow | undefined> {
    return this.ctx.db.selectFrom('checkouts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Sets up or updates the provider's payment for the row's total, and stores it. */
  private async preparePayment(
    row: CheckoutRow,
    title: string,
    kind: 'physical' | 'digital',
  ): Promise<Pick<CheckoutRow, 'payment_ref' | 'payment_secret' | 'payment_amount'>> {
    const ready = kind === 'digital' || row.shipping_address !== null;
    const p = await this.payments.prepare(row, { title, ready });
    const stored = { payment_ref: p.reference, payment_secret: p.secret, payment_amount: p.amount };
    if (
      p.reference !== row.payment_ref ||
      p.secret !== row.payment_secret ||
      p.amount !== row.payment_amount
    )
      await this.ctx.db.updateTable('checkouts').set(stored).where('id', '=', row.id).execute();
    return stored;
  }

  /** A hosted page sends the buyer back to the host page: one of the seller's sites. */
  private checkReturnUrl(seller: SellerRow, url: string | undefined) {
    if (!url)
      throw new ServiceError(
        'validation_failed',
        'A return URL is needed to pay on a hosted page',
        { errors: [{ field: 'returnUrl', message: 'required when paying on a hosted page' }] },
      );
    if (this.ctx.config.mode === 'development') return;
    const allowed: string[] = JSON.parse(seller.allowed_origins);
    if (!allowed.includes(new URL(url).origin))
      throw new ServiceError(
        'validation_failed',
        "The return URL is not on one of the seller's sites",
        { errors: [{ field: 'returnUrl', message: 'must be on an origin the seller allows' }] },
      );
  }

  private product(id: string) {
    return this.ctx.db
      .selectFrom('products')
      .select(['title', 'kind'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** Closes an open checkout and releases its units, once, whoever gets there first. */
  private async finish(id: string, status: 'expired' | 'canceled'): Promise<boolean> {
    const done = await this.ctx.db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom('checkouts')
        .select(['variant_id', 'reserved_quantity'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const res = await trx
        .updateTable('checkouts')
        .set({ status, reserved_quantity: 0, updated_at: iso(this.ctx.clock.now()) })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return null;
      await releaseStock(trx, c.variant_id, c.reserved_quantity);
      return c;
    });
    if (done) {
      const row = await this.load(id);
      await this.payments
        .cancel(row)
        .catch((err) => console.error('[payments] cancel failed:', err));
    }
    return done !== null;
  }

  private price(
    seller: SellerRow,
    kind: 'physical' | 'digital',
    unitPrice: number,
    quantity: number,
    address: { country: string } | null,
  ) {
    try {
      return computeTotals({
        unitPrice,
        quantity,
        kind,
        country: address?.country ?? null,
        shippingZones: JSON.parse(seller.shipping_zones) as ShippingZone[],
        taxRates: JSON.parse(seller.tax_rates) as TaxRate[],
      });
    } catch (err) {
      if (err instanceof DoesNotShipError) {
        throw new ServiceError('does_not_ship', err.message, {
          errors: [
            {
              field: 'shippingAddress.country',
              message: `the seller does not ship to ${err.country}`,
            },
          ],
        });
      }
      throw err;
    }
  }

  private checkOrigin(seller: SellerRow, origin: string | undefined) {
    if (!origin || this.ctx.config.mode === 'development') return;
    const allowed: string[] = JSON.parse(seller.allowed_origins);
    if (!allowed.includes(origin))
      throw new ServiceError('origin_not_allowed', `${origin} may not sell this seller's products`);
  }

  private async outOfStock(db: Db, variantId: string): Promise<ServiceError> {
    const v = await db
      .selectFrom('variants')
      .select(['stock', 'reserved'])
      .where('id', '=', variantId)
      .executeTakeFirstOrThrow();
    const available = availableUnits(v) ?? 0;
    return new ServiceError(
      'out_of_stock',
      available === 0 ? 'This option is sold out' : `Only ${available} left`,
      { errors: [{ field: 'quantity', message: `at most ${available}` }], extra: { available } },
    );
  }

  private async load(id: string): Promise<CheckoutRow> {
    const row = await this.ctx.db
      .selectFrom('checkouts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Checkout');
    return row;
  }

  /** Loads a checkout for the holder of its client token; lapsed reservations expire here too. */
  private async authorize(
    id: string,
    token: string | undefined,
    { expire }: { expire: boolean },
  ): Promise<CheckoutRow> {
    if (!token)
      throw new ServiceError(
        'unauthorized',
        'Send the checkout\'s clientToken as "Authorization: Bearer <token>"',
      );
    const row = await this.ctx.db
      .selectFrom('checkouts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    // A wrong token looks exactly like an unknown id.
    if (!row || !safeEqualHex(row.client_token_hash, sha256(token))) throw notFound('Checkout');
    if (expire && row.status === 'open' && row.expires_at <= iso(this.ctx.clock.now())) {
      await this.finish(id, 'expired');
      return this.load(id);
    }
    // Held for a payment: what Stripe says decides whether it may change (a decline reopens it).
    if (row.status === 'processing') return this.reconcileQuietly(row);
    return row;
  }

  private async openCheckout(id: string, token: string | undefined): Promise<CheckoutRow> {
    return this.assertOpen(await this.authorize(id, token, { expire: true }));
  }

  private assertOpen(row: CheckoutRow): CheckoutRow {
    if (row.status === 'expired')
      throw new ServiceError(
        'checkout_expired',
        'The reservation has expired; start a new checkout',
      );
    if (row.status !== 'open')
      throw new ServiceError('checkout_not_open', `This checkout is ${row.status}`, {
        extra: // not `status`: in problem+json that member is the HTTP status code
          { checkoutStatus: row.status },
      });
    return row;
  }

  private async view(c: CheckoutRow): Promise<Checkout> {
    const money = (amount: number) => ({ amount, currency: c.currency });
    const [product, order] = await Promise.all([
      this.ctx.db
        .selectFrom('products')
        .select('kind')
        .where('id', '=', c.product_id)
        .executeTakeFirstOrThrow(),
      c.order_id
        ? this.ctx.db
            .selectFrom('orders')
            .selectAll()
            .where('id', '=', c.order_id)
            .executeTakeFirst()
        : undefined,
    ]);
    const address = c.shipping_address ? (JSON.parse(c.shipping_address) as ShippingAddress) : null;
    return {
      id: c.id,
      status: c.status,
      productId: c.product_id,
      variantId: c.variant_id,
      kind: product.kind,
      quantity: c.quantity,
      unitPrice: money(c.subtotal / c.quantity),
      email: c.email,
      shareEmail: c.share_email === 1,
      shippingAddress: address,
      shippingPreview: c.shipping_preview ? JSON.parse(c.shipping_preview) : null,
      postRef: c.post_ref,
      totals: {
        subtotal: money(c.subtotal),
        shipping: c.shipping === null ? null : money(c.shipping),
        tax: money(c.tax),
        total: money(c.total),
      },
      readyToPay: c.status === 'open' && (product.kind === 'digital' || address !== null),
      expiresAt: c.expires_at,
      payment: this.payments.handoff(c),
      lastPaymentError: c.last_payment_error ? JSON.parse(c.last_payment_error) : null,
      order: order
        ? {
            id: order.id,
            number: order.number,
            downloadUrl: order.kind === 'digital' ? await this.orders.downloadUrl(order) : null,
          }
        : null,
    };
  }
}
