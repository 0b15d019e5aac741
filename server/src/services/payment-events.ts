import type { PaymentEvent, PaymentEvents, PaymentProvider } from '../payments/provider.ts';
import { iso } from '../util.ts';
import type { CheckoutService } from './checkouts/index.ts';
import type { ConnectService } from './connect.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';
import type { RefundService } from './refunds.ts';

/**
 * The payment provider's events (webhooks), verified and applied to checkouts. Each event counts
 * once: its id is recorded (table `stripe_events`, named for the provider that sends them), a
 * delivery of a known id is answered without acting, and every transition it may cause happens
 * once and only from the states it may happen from (see CheckoutService.settle), so duplicates,
 * reordering and concurrent deliveries change nothing twice.
 */
export class PaymentEventService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly provider: PaymentProvider,
    private readonly events: PaymentEvents,
    private readonly checkouts: CheckoutService,
    /** Refunds made at the provider (`charge.refunded`) and connected accounts' changes. */
    private readonly more: { refunds?: RefundService; connect?: ConnectService } = {},
  ) {}

  /** Verifies a delivery (the raw body, before any parsing) and applies it. */
  async receive(
    rawBody: string,
    signature: string,
  ): Promise<{ outcome: string; duplicate: boolean }> {
    let event: PaymentEvent;
    try {
      event = await this.events.verify(rawBody, signature);
    } catch {
      throw new ServiceError('invalid_signature', 'The signature header does not match this body');
    }
    return this.handle(event);
  }

  async handle(event: PaymentEvent): Promise<{ outcome: string; duplicate: boolean }> {
    const seen = await this.ctx.db
      .selectFrom('stripe_events')
      .select('outcome')
      .where('id', '=', event.id)
      .executeTakeFirst();
    if (seen) return { outcome: seen.outcome, duplicate: true };

    const { checkoutId, outcome } = event;
    let result = 'ignored';
    if (checkoutId && outcome) {
      const row = await this.checkouts.find(checkoutId);
      if (row && row.payment_provider === this.provider.name)
        result = await this.checkouts.settle(row, outcome);
      else result = 'unknown_checkout';
    } else if (event.refunded && this.more.refunds) {
      result = await this.more.refunds.fromProvider(event.refunded.reference);
    } else if (event.account && this.more.connect) {
      result = await this.more.connect.handle(event);
    }
    await this.ctx.db
      .insertInto('stripe_events')
      .values({
        id: event.id,
        type: event.type,
        checkout_id: checkoutId,
        outcome: result,
        received_at: iso(this.ctx.clock.now()),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return { outcome: result, duplicate: false };
  }

  /**
   * Forgets events received more than `days` ago. Stripe stops retrying a delivery after three
   * days, so a month's record still catches every duplicate.
   */
  async purgeOld(days = 30): Promise<number> {
    const before = iso(new Date(this.ctx.clock.now().getTime() - days * 24 * 3600 * 1000));
    const res = await this.ctx.db
      .deleteFrom('stripe_events')
      .where('received_at', '<', before)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
