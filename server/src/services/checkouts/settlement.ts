/**
 * Payment, settlement and reconciliation: everything between a checkout and its payment
 * provider. The provider is asked to set up a payment for the total, the buyer pays, and what
 * the provider says — in the confirmation, a webhook, or a read that asked — is applied here,
 * once, from the states it may be applied from.
 */
import type { ExpressionBuilder } from 'kysely';
import type { CheckoutRow, Database } from '../../db/schema.ts';
import type { Logger } from '../../log.ts';
import type {
  PaymentCheckout,
  PaymentInput,
  PaymentOutcome,
  PaymentProvider,
  PreparedPayment,
} from '../../payments/provider.ts';
import type { ProductKind } from '../../protocol/products.ts';
import { iso } from '../../util.ts';
import type { ConnectService } from '../connect.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import type { OrderService } from '../orders.ts';
import { loadCheckout } from './access.ts';
import { paymentCustomerOf } from './buyer.ts';
import { isReadyToPay } from './presenter.ts';

/** How long a checkout held for payment waits for the page to confirm with the provider. */
const HOLD_GRACE_MS = 2 * 60_000;
/**
 * How long a payment may stay in progress (3-D Secure, a confirmation on its way) before the
 * sweeper cancels the attempt at the provider and hands the checkout back.
 */
const PROCESSING_BOUND_MS = 30 * 60_000;

type PaymentError = { code: string; message: string };

export class Settlement {
  private readonly log: Logger;

  constructor(
    private readonly ctx: ServiceContext,
    readonly provider: PaymentProvider,
    private readonly orders: OrderService,
    /** Called after an order is written, to wake the webhook dispatcher. */
    private readonly onPaid: () => void,
    /** Platform mode: where each seller's payments go (null: a single-seller endpoint). */
    private readonly connect: ConnectService | null = null,
  ) {
    this.log = ctx.log.child({ scope: 'payments' });
  }

  /**
   * Sets up or updates the provider's payment for the row's total and stores it; returns the
   * row as stored. Throws when the provider cannot be reached.
   *
   * Concurrent changes each prepare from the row they wrote, which another may already have
   * replaced: a payment is stored only over the very row it was made for — every column it is
   * made from the same (`updated_at` alone cannot tell apart two changes of one millisecond),
   * the same payment replaced — and a payment found unchanged is answered only if it is still
   * the one stored. The payment it replaces is closed only once it is stored: closed before, it
   * would be lost whenever the change loses to one that keeps that payment (a change back to its
   * price). The loser's own payment — a second hosted page — is closed at once, and it prepares
   * again from the row as it now is. So the payment stored stays open, and at most it is open:
   * every other one was closed by the change that replaced it or the change that lost with it.
   */
  async prepare(
    row: CheckoutRow,
    product: { title: string; kind: ProductKind },
    retries = 2,
  ): Promise<CheckoutRow> {
    const p = await this.make(row, product);
    const stored = storedAs(p);
    // Unchanged, it is still checked: the caller's row may be stale, its payment replaced since.
    const won = samePayment(p, row) ? await this.isStored(row) : await this.storeOver(row, stored);
    if (won) {
      if (row.payment_ref !== null && row.payment_ref !== p.reference) await this.closed(row);
      return { ...row, ...stored };
    }
    const fresh = await this.load(row.id);
    if (p.reference && p.reference !== fresh.payment_ref && p.reference !== row.payment_ref)
      await this.closed({ ...row, ...stored });
    return fresh.status === 'open' && retries > 0
      ? this.prepare(fresh, product, retries - 1)
      : fresh;
  }

  /**
   * A new checkout's payment, made before its row is written, when the provider makes it
   * without a round trip (`PaymentProvider.preparesLocally`): what to write with the row. Null
   * otherwise — {@link prepare} makes it once the row is stored.
   */
  async beforeWriting(
    row: CheckoutRow,
    product: { title: string; kind: ProductKind },
  ): Promise<Pick<CheckoutRow, 'payment_ref' | 'payment_secret' | 'payment_amount'> | null> {
    return this.provider.preparesLocally ? storedAs(await this.make(row, product)) : null;
  }

  /** The provider's payment for the row's total, not stored. */
  private async make(row: CheckoutRow, product: { title: string; kind: ProductKind }) {
    return this.provider.prepare(row, {
      title: product.title,
      ready: isReadyToPay(product.kind, row),
      customer: await paymentCustomerOf(this.ctx.db, row),
      // Platform mode: a destination charge to the seller's account, with the platform's fee.
      destination: this.connect ? await this.connect.destinationFor(row.seller_id) : null,
    });
  }

  /** Stores a payment over the very row it was made for; false when the row is another now. */
  private async storeOver(row: CheckoutRow, stored: Partial<CheckoutRow>): Promise<boolean> {
    const res = await this.ctx.db
      .updateTable('checkouts')
      .set(stored)
      .where('id', '=', row.id)
      .where((eb) => eb.and(madeFrom(eb, row)))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** True when the stored row is still `row`, as far as its payment goes. */
  private async isStored(row: CheckoutRow): Promise<boolean> {
    const found = await this.ctx.db
      .selectFrom('checkouts')
      .select('id')
      .where('id', '=', row.id)
      .where((eb) => eb.and(madeFrom(eb, row)))
      .executeTakeFirst();
    return found !== undefined;
  }

  /** {@link prepare}, keeping the row as it was when the provider cannot be reached. */
  prepareQuietly(row: CheckoutRow, product: { title: string; kind: ProductKind }) {
    return this.prepare(row, product).catch((err) => {
      this.log.error({ err, checkout: row.id }, 'preparing the payment failed');
      return row;
    });
  }

  /**
   * The buyer pays an open checkout: it is held (`processing`) so nothing it pays for can
   * change, then what the provider answers is applied. A decline hands it back to the buyer and
   * is thrown as `payment_declined`.
   */
  async pay(row: CheckoutRow, input: PaymentInput): Promise<CheckoutRow> {
    const claimed = await this.ctx.db
      .updateTable('checkouts')
      .set({ status: 'processing', updated_at: iso(this.ctx.clock.now()) })
      .where('id', '=', row.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1)
      throw new ServiceError('checkout_not_open', 'This checkout is already being paid');

    let outcome: PaymentOutcome;
    try {
      outcome = await this.provider.confirm(row, input);
    } catch (err) {
      this.log.error({ err, checkout: row.id }, 'confirming the payment failed');
      outcome = {
        status: 'declined',
        code: 'processing_error',
        message: 'The payment could not be processed. Try again.',
      };
    }
    switch (outcome.status) {
      case 'succeeded':
        await this.settleHeld(row.id, outcome);
        break;
      case 'processing':
        break;
      case 'open':
        await this.handBack(row.id, null);
        break;
      case 'declined':
        await this.handBack(row.id, { code: outcome.code, message: outcome.message });
        throw new ServiceError('payment_declined', outcome.message, {
          extra: { declineCode: outcome.code },
        });
    }
    return this.load(row.id);
  }

  /**
   * Applies a final outcome to a checkout this request holds. Whatever breaks on the way (the
   * order write on a full disk, a lost connection) must not leave it held: it is handed back, so
   * the buyer may pay again or cancel, and the error goes on to be logged and answered. (A
   * process that dies here leaves it held; reads and the sweeper ask the provider, see
   * {@link reconcile} and {@link releaseStale}.)
   */
  private async settleHeld(id: string, outcome: PaymentOutcome) {
    try {
      await this.settle(await this.load(id), outcome);
    } catch (err) {
      await this.handBack(id, {
        code: 'processing_error',
        message: 'The payment could not be completed. Try again.',
      }).catch((again) =>
        this.log.error(
          { err: again, checkout: id },
          'handing a held checkout back failed too; reads and the sweeper will',
        ),
      );
      throw err;
    }
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
        let current = row;
        if ((current.status === 'open' || current.status === 'processing') && amountOk) {
          if (await this.orders.markPaid(current.id, outcome.reference, outcome.amount)) {
            this.onPaid();
            return 'paid';
          }
          current = await this.load(current.id); // paid meanwhile: by this payment, or another
        }
        // Paid already: this payment is the order's (a second event, a read that asked), or a
        // second payment — a hosted page paid in another tab — that must be given back.
        if (current.status === 'paid' && (await this.isTheOrder(current, outcome)))
          return 'already_paid';
        await this.refund(current, outcome);
        return 'refunded';
      }
      case 'declined':
        return (await this.handBack(row.id, { code: outcome.code, message: outcome.message }))
          ? 'declined'
          : 'ignored';
      case 'open':
        return (await this.handBack(row.id, null)) ? 'reopened' : 'ignored';
      case 'processing':
        return 'processing';
    }
  }

  /**
   * Asks the payment provider how a checkout's payment stands and applies it. For a checkout
   * held for payment (and an open one paid on a hosted page), so a lost webhook loses nothing.
   * A provider that cannot be asked leaves the row as it is.
   */
  async reconcile(row: CheckoutRow): Promise<CheckoutRow> {
    const asks =
      row.status === 'processing' ||
      (row.status === 'open' && row.payment_mode === 'hosted' && row.payment_ref !== null);
    if (!asks) return row;
    // Taken by a provider this server no longer runs (its configuration changed): nobody can
    // ask it. Held that long, the checkout is handed back rather than held forever.
    const foreign = row.payment_provider !== this.provider.name;
    if (foreign && !(row.status === 'processing' && this.heldFor(row) > PROCESSING_BOUND_MS))
      return row;
    if (foreign)
      this.log.error(
        { checkout: row.id, provider: row.payment_provider },
        'a checkout held by a payment provider this server does not run: handed back',
      );
    const outcome: PaymentOutcome = foreign ? { status: 'open' } : await this.provider.status(row);
    if (outcome.status === 'processing' && row.status === 'processing') return row;
    // Held, and nothing tried at the provider yet: the page is about to confirm. Only a hold
    // left long enough to be abandoned (the page closed in between) goes back to the buyer.
    if (
      outcome.status === 'open' &&
      row.status === 'processing' &&
      this.heldFor(row) < HOLD_GRACE_MS
    )
      return row;
    await this.settle(row, outcome);
    return this.load(row.id);
  }

  /**
   * The way out of `processing` for every provider, for a hold that has outlived its reservation
   * (the sweeper): the provider is asked; an attempt it still calls in progress after
   * {@link PROCESSING_BOUND_MS} (a 3-D Secure page left open, a confirmation that never came) is
   * canceled there — one that can no longer be canceled, money already moving, stays held, and
   * rightly — and asked about once more.
   */
  async releaseStale(row: CheckoutRow): Promise<CheckoutRow> {
    const after = await this.reconcileQuietly(row);
    if (after.status !== 'processing' || this.heldFor(after) < PROCESSING_BOUND_MS) return after;
    await this.closed(after);
    return this.reconcileQuietly(after);
  }

  private heldFor(row: CheckoutRow): number {
    return this.ctx.clock.now().getTime() - Date.parse(row.updated_at);
  }

  /** {@link reconcile}, keeping the row as it was when the provider cannot be asked. */
  reconcileQuietly(row: CheckoutRow): Promise<CheckoutRow> {
    return this.reconcile(row).catch((err) => {
      this.log.error({ err, checkout: row.id }, 'asking the provider failed');
      return row;
    });
  }

  /** The checkout was closed: the provider is told nothing may be paid for it any more. */
  async closed(row: PaymentCheckout) {
    await this.provider
      .cancel(row)
      .catch((err) => this.log.error({ err, checkout: row.id }, 'canceling the payment failed'));
  }

  /**
   * Money that cannot become the order — the checkout expired or was canceled, its total changed
   * under the payment, or it is paid already by another payment — is given back rather than
   * kept. Every such payment comes here.
   */
  private async refund(row: CheckoutRow, outcome: PaymentOutcome & { status: 'succeeded' }) {
    this.log.error(
      {
        checkout: row.id,
        checkoutStatus: row.status,
        total: row.total,
        paid: outcome.amount ?? null,
        currency: outcome.currency ?? null,
      },
      'a payment that cannot become the order: refunding',
    );
    if (outcome.reference && this.provider.refund)
      await this.provider.refund(outcome.reference, row.id);
    if (row.status === 'open' || row.status === 'processing')
      await this.handBack(row.id, {
        code: 'amount_changed',
        message: 'The total changed while paying; the payment was refunded. Try again.',
      });
  }

  /** True when `outcome` is the payment the checkout's order was made from. */
  private async isTheOrder(row: CheckoutRow, outcome: { reference: string | null }) {
    // Without a reference the provider cannot be told which payment to give back.
    if (outcome.reference === null) return true;
    const order = await this.ctx.db
      .selectFrom('orders')
      .select('payment_ref')
      .where('checkout_id', '=', row.id)
      .executeTakeFirst();
    return order?.payment_ref === outcome.reference;
  }

  /** Hands a held checkout back to the buyer (a decline, an abandoned attempt). */
  private async handBack(id: string, error: PaymentError | null): Promise<boolean> {
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

  private load(id: string) {
    return loadCheckout(this.ctx.db, id);
  }
}

/**
 * What a payment is made from: the columns the provider reads (the buyer's, for their saved
 * cards), the payment it replaces, and the row's state and version. A payment made for a row
 * equal in all of these is the right one for it.
 */
const PAYMENT_INPUTS = [
  'status',
  'updated_at',
  'quantity',
  'subtotal',
  'shipping',
  'tax',
  'total',
  'currency',
  'email',
  'shipping_address',
  'return_url',
  'payment_mode',
  'buyer_id',
  'payment_ref',
  'payment_secret',
  'payment_amount',
] as const satisfies readonly (keyof CheckoutRow)[];

/** The conditions that the stored row is still the very row `row` (see {@link PAYMENT_INPUTS}). */
function madeFrom(eb: ExpressionBuilder<Database, 'checkouts'>, row: CheckoutRow) {
  return PAYMENT_INPUTS.filter((column) => row[column] !== undefined).map((column) => {
    const value = row[column];
    return value === null ? eb(column, 'is', null) : eb(column, '=', value as never);
  });
}

function samePayment(p: PreparedPayment, row: CheckoutRow) {
  return (
    p.reference === row.payment_ref &&
    p.secret === row.payment_secret &&
    p.amount === row.payment_amount
  );
}

/** The columns a prepared payment is stored in. */
function storedAs(p: PreparedPayment) {
  return { payment_ref: p.reference, payment_secret: p.secret, payment_amount: p.amount };
}
