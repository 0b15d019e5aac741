/**
 * Refunds of orders, whole or in part, wherever they are made: through the seller API
 * (`POST /v1/seller/orders/{id}/refunds`), or at the provider (Stripe's Dashboard), which the
 * endpoint hears of by its `charge.refunded` event. Each provider refund is recorded once
 * (`order_refunds`, by its id), adds to the order's `amount_refunded` and puts one
 * `order.refunded` event in the seller's outbox, in one transaction. In platform mode each
 * refund also reverses the seller's transfer and refunds the platform's fee in proportion.
 */
import type { Transaction } from 'kysely';
import type { Database, OrderRefundRow, OrderRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { PaymentProvider, ProviderRefund } from '../payments/provider.ts';
import type { CreateRefundBody, Refund } from '../protocol/payouts.ts';
import type { Order } from '../protocol/seller.ts';
import { iso } from '../util.ts';
import type { ServiceContext } from './context.ts';
import { notFound, ServiceError } from './errors.ts';
import { type OrderService, toOrder } from './orders.ts';
import { enqueueEvent } from './outbox.ts';

/** Written where a refund needed no reversal (nothing was transferred, or it was reversed already). */
const NOTHING = 'none';
/**
 * A reversal being made starts `pending:` with the time it started: one call at a time reverses
 * a refund (its API call and its event may arrive together); one left so for this long (its
 * process died) may be taken again.
 */
const PENDING = 'pending:';
const PENDING_STALE_MS = 5 * 60_000;

export function toRefund(r: OrderRefundRow): Refund {
  return {
    id: r.id,
    amount: { amount: r.amount, currency: r.currency },
    source: r.source,
    reason: r.reason,
    createdAt: r.created_at,
  };
}

export class RefundService {
  private readonly log: Logger;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly provider: PaymentProvider,
    private readonly orders: OrderService,
    /** Called after a refund is recorded, to wake the webhook dispatcher. */
    private readonly onRecorded: () => void,
  ) {
    this.log = ctx.log.child({ scope: 'refunds' });
  }

  /**
   * The seller gives back `amount` (all that is left when absent) of one of its orders. `key` is
   * the request's Idempotency-Key: a retry is the same refund at the provider, recorded once.
   */
  async refund(
    sellerId: string,
    orderId: string,
    body: CreateRefundBody,
    key: string,
  ): Promise<{ refund: Refund; order: Order }> {
    const order = await this.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
    if (!order) throw notFound('Order');
    const left = order.total - (order.amount_refunded ?? 0);
    if (left <= 0) throw new ServiceError('already_refunded', 'This order is refunded in full');
    const amount = body.amount ?? left;
    if (amount > left) throw tooLarge(left, order.currency);
    if (!order.payment_ref || order.payment_provider !== this.provider.name)
      throw new ServiceError(
        'refund_unavailable',
        `This order was paid with ${order.payment_provider}, which this endpoint no longer runs; refund it there`,
      );

    let made: ProviderRefund;
    try {
      made = await this.provider.refundPart(order.payment_ref, amount, {
        key,
        orderId: order.id,
        currency: order.currency,
        reason: body.reason ?? null,
      });
    } catch (err) {
      throw providerRefusal(err, left, order.currency, this.log, order.id);
    }
    await this.record(order, made, 'api', body.reason ?? null);
    await this.reverse(order);
    // Recorded by this call, or already by the provider's event that came first.
    const row = await this.ctx.db
      .selectFrom('order_refunds')
      .selectAll()
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    return { refund: toRefund(row), order: await this.orders.get(sellerId, orderId) };
  }

  /** The refunds of an order, oldest first. */
  async list(sellerId: string, orderId: string): Promise<Refund[]> {
    await this.orders.get(sellerId, orderId);
    const rows = await this.ctx.db
      .selectFrom('order_refunds')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRefund);
  }

  /**
   * A payment was refunded at the provider (`charge.refunded`): every refund of it not yet
   * recorded is, and in platform mode reversed. A payment that is no order's (given back because
   * it could not become one) has nothing to record.
   */
  async fromProvider(reference: string): Promise<string> {
    const order = await this.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('payment_ref', '=', reference)
      .where('payment_provider', '=', this.provider.name)
      .executeTakeFirst();
    if (!order || !this.provider.refundsOf) return 'ignored';
    let recorded = 0;
    for (const r of await this.provider.refundsOf(reference))
      if (await this.record(order, r, r.viaApi ? 'api' : 'provider', r.viaApi?.reason ?? null))
        recorded++;
    await this.reverse(order);
    return recorded > 0 ? 'refunded' : 'already_refunded';
  }

  /**
   * Records one provider refund of `order` once: true when this call recorded it. A refund that
   * would take the order past its total (two refunds racing on a provider that keeps no ledger
   * of its own) is refused and nothing is recorded.
   */
  private async record(
    order: OrderRow,
    r: ProviderRefund,
    source: 'api' | 'provider',
    reason: string | null,
  ): Promise<boolean> {
    const now = this.ctx.clock.now();
    const recorded = await this.ctx.db.transaction().execute(async (trx) => {
      const row: OrderRefundRow = {
        id: r.id,
        order_id: order.id,
        seller_id: order.seller_id,
        amount: r.amount,
        currency: order.currency,
        source,
        reason,
        transfer_reversal_id: null,
        fee_refund_id: null,
        created_at: iso(now),
      };
      const inserted = await trx
        .insertInto('order_refunds')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      const added = await trx
        .updateTable('orders')
        .set((eb) => ({
          amount_refunded: eb('amount_refunded', '+', r.amount),
          updated_at: iso(now),
        }))
        .where('id', '=', order.id)
        .where((eb) => eb(eb('amount_refunded', '+', r.amount), '<=', eb.ref('total')))
        .executeTakeFirst();
      if (Number(added.numUpdatedRows) !== 1) {
        const fresh = await this.amountLeft(trx, order.id);
        throw tooLarge(fresh, order.currency);
      }
      const updated = await trx
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow();
      const fulfillments = await trx
        .selectFrom('fulfillments')
        .selectAll()
        .where('order_id', '=', order.id)
        .orderBy('created_at')
        .execute();
      await enqueueEvent(
        trx,
        order.seller_id,
        'order.refunded',
        { order: toOrder(updated, fulfillments), refund: toRefund(row) },
        now,
      );
      return true;
    });
    if (recorded) this.onRecorded();
    return recorded;
  }

  private async amountLeft(trx: Transaction<Database>, orderId: string) {
    const o = await trx
      .selectFrom('orders')
      .select(['total', 'amount_refunded'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    return o.total - (o.amount_refunded ?? 0);
  }

  /**
   * Platform mode, for the sweeper: the refunds whose reversal failed (the provider could not be
   * reached) or whose process died while making it are reversed now. Returns how many orders it
   * looked at.
   */
  async retryReversals(limit = 50): Promise<number> {
    if (!this.provider.reverseFor || !this.provider.connect) return 0;
    const stale = `${PENDING}${iso(new Date(this.ctx.clock.now().getTime() - PENDING_STALE_MS))}`;
    const rows = await this.ctx.db
      .selectFrom('order_refunds')
      .innerJoin('orders', 'orders.id', 'order_refunds.order_id')
      .selectAll('orders')
      .where((eb) =>
        eb.or([
          eb('order_refunds.transfer_reversal_id', 'is', null),
          eb.and([
            eb('order_refunds.transfer_reversal_id', 'like', `${PENDING}%`),
            eb('order_refunds.transfer_reversal_id', '<', stale),
          ]),
        ]),
      )
      .limit(limit)
      .execute();
    const orders = new Map(rows.map((o) => [o.id, o]));
    for (const order of orders.values()) await this.reverse(order);
    return orders.size;
  }

  /**
   * Platform mode: the transfer reversal and fee refund of each recorded refund not yet
   * reversed. A provider that cannot be reached leaves them to the next refund or event, or the
   * sweeper (each is keyed on its refund at the provider, so trying again never reverses twice).
   */
  private async reverse(order: OrderRow) {
    const reverseFor = this.provider.reverseFor?.bind(this.provider);
    if (!reverseFor || !this.provider.connect || !order.payment_ref) return;
    const now = this.ctx.clock.now();
    const stale = `${PENDING}${iso(new Date(now.getTime() - PENDING_STALE_MS))}`;
    const pending = await this.ctx.db
      .selectFrom('order_refunds')
      .select('id')
      .where('order_id', '=', order.id)
      .where((eb) =>
        eb.or([
          eb('transfer_reversal_id', 'is', null),
          eb.and([
            eb('transfer_reversal_id', 'like', `${PENDING}%`),
            eb('transfer_reversal_id', '<', stale),
          ]),
        ]),
      )
      .orderBy('created_at')
      .execute();
    for (const { id } of pending) {
      const claimed = await this.ctx.db
        .updateTable('order_refunds')
        .set({ transfer_reversal_id: `${PENDING}${iso(now)}` })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('transfer_reversal_id', 'is', null),
            eb.and([
              eb('transfer_reversal_id', 'like', `${PENDING}%`),
              eb('transfer_reversal_id', '<', stale),
            ]),
          ]),
        )
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue; // another call is reversing it
      try {
        const done = await reverseFor(order.payment_ref, id);
        await this.ctx.db
          .updateTable('order_refunds')
          .set({
            transfer_reversal_id: done.transferReversal ?? NOTHING,
            fee_refund_id: done.feeRefund ?? NOTHING,
          })
          .where('id', '=', id)
          .execute();
      } catch (err) {
        this.log.error({ err, order: order.id, refund: id }, 'reversing the transfer failed');
        // Left for the next refund or event of this order, or the sweeper, to try again.
        await this.ctx.db
          .updateTable('order_refunds')
          .set({ transfer_reversal_id: null })
          .where('id', '=', id)
          .execute()
          .catch(() => {});
      }
    }
  }
}

function tooLarge(left: number, currency: string) {
  return new ServiceError(
    'refund_too_large',
    `At most ${left} (minor units of ${currency}) is left to refund on this order`,
    {
      errors: [{ field: 'amount', message: `must be at most ${left}` }],
      extra: { refundable: { amount: left, currency } },
    },
  );
}

/** What the provider's refusal means for the seller; anything unforeseen is a 502. */
function providerRefusal(err: unknown, left: number, currency: string, log: Logger, order: string) {
  const code = (err as { code?: unknown }).code;
  if (code === 'charge_already_refunded')
    return new ServiceError('already_refunded', 'This order is refunded in full');
  if (code === 'amount_too_large') return tooLarge(left, currency);
  log.error({ err, order }, 'the provider refused the refund');
  return new ServiceError('payment_failed', 'The payment provider could not refund; try again');
}
