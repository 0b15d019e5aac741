/**
 * The checkout service: the calls the routes make (create, read, change, pay, cancel). Each one
 * loads and authorizes the checkout (access.ts), takes or gives back units (stock.ts), has the
 * payment set up or paid (settlement.ts), and answers with the protocol's view (presenter.ts).
 * A signed-in buyer's wallet comes in through buyer.ts.
 */
import { prepared } from '../../db/prepared.ts';
import type { CheckoutRow, Db, ProductRow } from '../../db/schema.ts';
import type { Logger } from '../../log.ts';
import type { PaymentOutcome, PaymentProvider } from '../../payments/provider.ts';
import type {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  UpdateCheckoutBody,
} from '../../protocol/checkouts.ts';
import { iso, newId, newSecret, sha256 } from '../../util.ts';
import type { DeferredUnit } from '../../wallet/rate-limits.ts';
import type { ConnectService } from '../connect.ts';
import type { ServiceContext } from '../context.ts';
import { invalid, ServiceError } from '../errors.ts';
import type { SuccessWith } from '../idempotency.ts';
import type { OrderService } from '../orders.ts';
import type { OriginPolicy } from '../origins.ts';
import {
  activeProductWith,
  activeVariant,
  assertOpen,
  authorize,
  findCheckout,
  loadCheckout,
  productOf,
  sellerOf,
} from './access.ts';
import type { BuyerRef, CheckoutBuyers } from './buyer.ts';
import { isReadyToPay, toCheckout } from './presenter.ts';
import { destination, price } from './quote.ts';
import { Settlement } from './settlement.ts';
import { assertWithinCap, ClientHolds, Expiry, holdUnits, moveUnits, outOfStock } from './stock.ts';

export interface RequestInfo {
  /** The Origin header of the browser request, if any. */
  origin?: string | undefined;
  /** The signed-in buyer (`Buyer-Session`): the new checkout is theirs. */
  buyer?: BuyerRef;
  /** Who is asking (http/client-ip.ts clientKey): what one client may hold is bounded. */
  client?: string;
  /** The request's unit of the creation rate limit, taken with the checkout's write. */
  rateUnit?: DeferredUnit | undefined;
}

export class CheckoutService {
  private readonly settlement: Settlement;
  private readonly expiry: Expiry;
  private readonly holds: ClientHolds;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ServiceContext,
    payments: PaymentProvider,
    private readonly orders: OrderService,
    private readonly origins: OriginPolicy,
    /** Called after an order is written, to wake the webhook dispatcher. */
    onPaid: () => void,
    /** The signed-in buyer's part (buyer.ts). */
    readonly buyers: CheckoutBuyers,
    /** Platform mode: sellers who cannot take payments are refused (connect.ts). */
    private readonly connect: ConnectService | null = null,
  ) {
    this.settlement = new Settlement(ctx, payments, orders, onPaid, connect);
    this.expiry = new Expiry(ctx, this.settlement);
    this.holds = new ClientHolds(ctx);
    this.log = ctx.log.child({ scope: 'payments' });
  }

  private get payments() {
    return this.settlement.provider;
  }

  /**
   * A new checkout: its units held, its payment set up. `successWith` (a call with an
   * Idempotency-Key) writes the key in the transaction that writes the checkout — with the
   * answer when the payment is made without a round trip; otherwise held, and the answer stored
   * after it.
   */
  async create(
    body: CreateCheckoutBody,
    req: RequestInfo = {},
    successWith: SuccessWith<Checkout> = null,
  ): Promise<Checkout> {
    const { db } = this.ctx;
    const sale = await activeProductWith(db, body.productId, body.variantId);
    const { product, seller } = sale;
    await this.connect?.assertReady(seller);
    this.origins.checkCheckoutOrigin(seller, req.origin);
    const variant = sale.variant();
    assertWithinCap(product, body.quantity);
    const buyer = req.buyer ?? null;
    const start = await this.buyers.starting(body, buyer, product.kind);
    const address = start.address;
    const totals = price(seller, product.kind, variant.price, body.quantity, address);
    const paymentMode = this.payments.paymentMode(body.paymentMode);
    if (paymentMode === 'hosted') this.origins.checkReturnUrl(seller, body.returnUrl);
    // The buyer's customer at the provider exists before the payment is made for it.
    await this.buyers.paymentCustomer(buyer).catch((err) => {
      this.log.error({ err }, 'making the buyer’s payment customer failed');
      throw providerUnavailable();
    });

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
      email: start.email,
      share_email: body.shareEmail ? 1 : 0,
      shipping_address: address ? JSON.stringify(address) : null,
      post_ref: body.postRef ?? null,
      currency: seller.currency,
      ...totals,
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
      buyer_id: buyer?.buyerId ?? null,
      buyer_address_id: start.savedAddressId,
      client_key: req.client ?? null,
      expires_at: iso(new Date(now.getTime() + this.ctx.config.reservationSeconds * 1000)),
      created_at: iso(now),
      updated_at: iso(now),
    };
    // A payment made without a round trip is written with the row, and the answer with both.
    const local = await this.settlement.beforeWriting(row, product);
    const written = local ? { ...row, ...local } : row;
    const answer = local ? await this.answer(written, product, clientToken) : null;
    const transaction = <T>(work: (trx: Db) => Promise<T>) =>
      req.rateUnit ? req.rateUnit.transaction(db, work) : db.transaction().execute(work);
    const write = () =>
      transaction(async (trx) => {
        await this.holds.lock(trx, row.client_key);
        if (!(await holdUnits(trx, variant.id, body.quantity))) throw new StockShort();
        await this.holds.check(trx, {
          client: row.client_key,
          checkoutId: row.id,
          variantId: variant.id,
          quantity: body.quantity,
          cap: product.max_per_checkout,
          newHold: true,
        });
        await insertCheckout(trx, written);
        if (successWith) await successWith(trx, answer);
      });
    for (let retried = false; ; retried = true) {
      try {
        await write();
        break;
      } catch (err) {
        if (!(err instanceof StockShort)) throw err;
        // Units held by reservations that have lapsed are given back (here rather than before
        // every checkout: the sweeper does it too), then the hold is tried once more.
        if (retried || (await this.expiry.releaseExpired(variant.id)) === 0)
          throw await outOfStock(db, variant.id);
      }
    }
    if (answer) return answer;
    let prepared: CheckoutRow;
    try {
      prepared = await this.settlement.prepare(row, product);
    } catch (err) {
      // No payment, no checkout: give the units back so nothing is held for nobody.
      await this.expiry.close(row.id, 'canceled');
      this.log.error({ err, checkout: row.id }, 'preparing the payment failed');
      throw providerUnavailable();
    }
    return this.answer(prepared, product, clientToken);
  }

  /** A new checkout's answer: the protocol's view, with the client token (shown once). */
  private async answer(
    row: CheckoutRow,
    product: Pick<ProductRow, 'kind'>,
    clientToken: string,
  ): Promise<Checkout> {
    return { ...(await this.view(row, product)), clientToken };
  }

  async get(id: string, token: string | undefined): Promise<Checkout> {
    let row = await this.current(id, token);
    // Back from a hosted page: paid there, perhaps before (or without) the webhook. Asked on a
    // read only — a change or a cancel of an open checkout needs no round trip to the provider.
    if (row.status === 'open' && row.payment_mode === 'hosted')
      row = await this.settlement.reconcileQuietly(row);
    // A change whose update to the payment provider failed: try again now.
    if (row.status === 'open' && row.payment_amount !== row.total)
      row = await this.settlement.prepareQuietly(row, await productOf(this.ctx.db, row));
    return this.view(row);
  }

  async update(
    id: string,
    token: string | undefined,
    body: UpdateCheckoutBody,
    buyer: BuyerRef = null,
  ): Promise<Checkout> {
    const current = assertOpen(await this.current(id, token));
    const { db } = this.ctx;
    const [product, seller] = await Promise.all([
      productOf(db, current),
      sellerOf(db, current.seller_id),
    ]);
    const variant = await activeVariant(
      db,
      current.product_id,
      body.variantId ?? current.variant_id,
    );
    const quantity = body.quantity ?? current.quantity;
    // Bounded only when it takes more: a seller lowering a cap later does not lock the buyer
    // out of changing their address.
    const takesMore = variant.id !== current.variant_id || quantity > current.reserved_quantity;
    if (takesMore) assertWithinCap(product, quantity);
    const chosen =
      body.savedAddressId !== undefined
        ? await this.buyers.chosen(current, buyer, body.savedAddressId)
        : null;
    const change = chosen ? { ...body, shippingAddress: chosen.address } : body;
    const { address, preview } = destination(current, change, product.kind);
    const totals = price(seller, product.kind, variant.price, quantity, address ?? preview);

    const patch: Partial<CheckoutRow> = {
      variant_id: variant.id,
      quantity,
      reserved_quantity: quantity,
      shipping_address: address ? JSON.stringify(address) : null,
      shipping_preview: preview ? JSON.stringify(preview) : null,
      ...totals,
      updated_at: iso(this.ctx.clock.now()),
    };
    if (body.email !== undefined) patch.email = body.email;
    if (chosen && product.kind === 'physical') {
      patch.buyer_address_id = chosen.id;
      if (body.email === undefined) patch.email = chosen.email;
    } else if (address === null || body.shippingAddress !== undefined)
      patch.buyer_address_id = null;
    if (body.shareEmail !== undefined) patch.share_email = body.shareEmail ? 1 : 0;

    await db.transaction().execute(async (trx) => {
      // The client's lock, the checkout's row, then its variants' (moveUnits): the order create,
      // markPaid and close take them in, so concurrent changes cannot deadlock on PostgreSQL. A
      // change that cannot have its units rolls back whole.
      if (takesMore) await this.holds.lock(trx, current.client_key);
      const updated = await trx
        .updateTable('checkouts')
        .set(patch)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('variant_id', '=', current.variant_id)
        .where('reserved_quantity', '=', current.reserved_quantity)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1)
        throw new ServiceError(
          'checkout_not_open',
          'The checkout changed meanwhile; read it again',
        );
      const held = { variantId: current.variant_id, quantity: current.reserved_quantity };
      if (!(await moveUnits(trx, held, { variantId: variant.id, quantity })))
        throw await outOfStock(trx, variant.id);
      if (takesMore)
        await this.holds.check(trx, {
          client: current.client_key,
          checkoutId: id,
          variantId: variant.id,
          quantity,
          cap: product.max_per_checkout,
          newHold: false,
        });
    });
    try {
      return this.view(await this.settlement.prepare({ ...current, ...patch }, product), product);
    } catch (err) {
      // A refusal (platform mode: the seller cannot take payments now) is said as it is.
      if (err instanceof ServiceError) throw err;
      // The change stands; the payment catches up on the next read or before paying.
      this.log.error({ err, checkout: id }, 'updating the payment failed');
      throw providerUnavailable();
    }
  }

  async confirm(
    id: string,
    token: string | undefined,
    body: ConfirmCheckoutBody,
    buyer: BuyerRef = null,
  ): Promise<Checkout> {
    const row = await this.current(id, token);
    // The page confirms with what it was handed.
    const expected = this.payments.handoff(row).provider;
    if (body.payment.provider !== expected)
      throw invalid(
        [{ field: 'payment.provider', message: `must be ${expected}` }],
        `This checkout is paid with ${expected}`,
      );
    // The page asks again before a second attempt (after a decline): already held.
    if (row.status === 'processing' && this.payments.confirmsInPage) return this.view(row);
    const open = assertOpen(row);
    if (!isReadyToPay((await productOf(this.ctx.db, open)).kind, open))
      throw invalid(
        [{ field: 'shippingAddress', message: 'required for physical products' }],
        'A shipping address is needed before paying',
      );
    if (this.connect) await this.connect.assertReady(await sellerOf(this.ctx.db, open.seller_id));
    const input = await this.buyers.paymentInput(open, buyer, body.payment);
    const paid = await this.settlement.pay(open, input);
    await this.buyers.afterPayment(paid, buyer, body.payment);
    return this.view(paid);
  }

  async cancel(id: string, token: string | undefined): Promise<Checkout> {
    const current = await this.current(id, token);
    if (current.status === 'canceled' || current.status === 'expired') return this.view(current);
    if (current.status !== 'open')
      throw new ServiceError(
        'checkout_not_open',
        `A ${current.status} checkout cannot be canceled`,
      );
    await this.expiry.close(id, 'canceled');
    return this.view(await loadCheckout(this.ctx.db, id));
  }

  // ---- the signed-in buyer (buyer.ts) ---------------------------------------------------------

  /** The buyer a `Buyer-Session` header names: null without one, `401` for a bad one. */
  buyerSession(token: string | undefined): Promise<BuyerRef> {
    return this.buyers.session(token);
  }

  /** The answer with the wallet for its buyer (never stored for replays; see buyer.ts). */
  present(checkout: Checkout, buyer: BuyerRef): Promise<Checkout> {
    return this.buyers.present(checkout, buyer);
  }

  // ---- for the payment provider's events and the sweeper ------------------------------------

  /** Looks a checkout up by id, for events from the payment provider. */
  find(id: string): Promise<CheckoutRow | undefined> {
    return findCheckout(this.ctx.db, id);
  }

  /** Applies what the payment provider says (see {@link Settlement.settle}). */
  settle(row: CheckoutRow, outcome: PaymentOutcome): Promise<string> {
    return this.settlement.settle(row, outcome);
  }

  /** Expires lapsed reservations (see {@link Expiry.releaseExpired}). */
  releaseExpired(variantId?: string): Promise<number> {
    return this.expiry.releaseExpired(variantId);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * The checkout for the holder of its token, brought up to date: a lapsed reservation expires,
   * and a held one asks the provider (a decline reopens it).
   */
  private async current(id: string, token: string | undefined): Promise<CheckoutRow> {
    const row = await this.expiry.expireIfLapsed(await authorize(this.ctx.db, id, token));
    return row.status === 'processing' ? this.settlement.reconcileQuietly(row) : row;
  }

  /** The protocol's view; `product` when the caller has it already (one query fewer). */
  private async view(c: CheckoutRow, known?: Pick<ProductRow, 'kind'>): Promise<Checkout> {
    const { db } = this.ctx;
    const [product, order] = await Promise.all([
      known ?? productOf(db, c),
      c.order_id
        ? db.selectFrom('orders').selectAll().where('id', '=', c.order_id).executeTakeFirst()
        : undefined,
    ]);
    return toCheckout(c, {
      kind: product.kind,
      payment: this.payments.handoff(c),
      order: order
        ? {
            id: order.id,
            number: order.number,
            downloadUrl: order.kind === 'digital' ? await this.orders.downloadUrl(order) : null,
            // The buyer's confirmation shows a refunded order as such (nothing when none is).
            ...((order.amount_refunded ?? 0) > 0
              ? {
                  refundStatus: order.amount_refunded! >= order.total ? 'full' : 'partial',
                  amountRefunded: { amount: order.amount_refunded!, currency: order.currency },
                }
              : {}),
          }
        : null,
    });
  }
}

/** The units could not be held: thrown out of the transaction, which rolls back. */
class StockShort extends Error {}

const providerUnavailable = () =>
  new ServiceError('payment_failed', 'The payment provider is unavailable; try again');

/** Writes a new checkout, every column of its row; compiled once (db/prepared.ts). */
const insertCheckout = prepared((db, row: CheckoutRow) => db.insertInto('checkouts').values(row));
