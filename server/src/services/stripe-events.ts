import type Stripe from 'stripe';
import type { PaymentOutcome } from '../payments/provider.ts';
import type { StripePaymentProvider } from '../payments/stripe-provider.ts';
import { iso } from '../util.ts';
import type { CheckoutService } from './checkouts.ts';
import type { ServiceContext } from './context.ts';

/**
 * Stripe's webhook events, verified and applied to checkouts. Each event counts once: its id is
 * recorded, a delivery of a known id is answered without acting, and every transition it may
 * cause happens once and only from the states it may happen from (see CheckoutService.settle),
 * so duplicates, reordering and concurrent deliveries change nothing twice.
 */
export class StripeEventService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly provider: StripePaymentProvider,
    private readonly checkouts: CheckoutService,
  ) {}

  async handle(event: Stripe.Event): Promise<{ outcome: string; duplicate: boolean }> {
    const seen = await this.ctx.db
      .selectFrom('stripe_events')
      .select('outcome')
      .where('id', '=', event.id)
      .executeTakeFirst();
    if (seen) return { outcome: seen.outcome, duplicate: true };

    const { checkoutId, outcome } = this.read(event);
    let result = 'ignored';
    if (checkoutId && outcome) {
      const row = await this.checkouts.find(checkoutId);
      if (row && row.payment_provider === 'stripe')
        result = await this.checkouts.settle(row, outcome);
      else result = 'unknown_checkout';
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

  /** Which checkout an event is about, and what it means for it (null: nothing to do). */
  private read(event: Stripe.Event): { checkoutId: string | null; outcome: PaymentOutcome | null } {
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed': {
        const pi = event.data.object;
        return { checkoutId: pi.metadata?.checkout_id ?? null, outcome: this.provider.outcome(pi) };
      }
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const s = event.data.object;
        return {
          checkoutId: s.metadata?.checkout_id ?? s.client_reference_id ?? null,
          outcome: this.provider.sessionOutcome(s),
        };
      }
      default:
        return { checkoutId: null, outcome: null };
    }
  }
}
