import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database } from '../db/schema.ts';
import { isMissing } from '../payments/stripe-client.ts';
import { type Clock, iso } from '../util.ts';
import type { PaymentMethodStore, SavedPaymentMethod, WalletOwner } from './payment-methods.ts';

/** Saved methods a wallet shows, as the Payment Element shows them (it redisplays 3 by default). */
const LIST_LIMIT = 10;

/**
 * Saved cards with Stripe: one Customer per buyer, made on the first checkout that needs it and
 * kept in `buyers.stripe_customer_id`; the cards are the Customer's PaymentMethods, saved by the
 * buyer's tick in Stripe's own form. Nothing of a card is stored here.
 */
export class StripePaymentMethodStore implements PaymentMethodStore {
  readonly name = 'stripe';

  constructor(
    private readonly stripe: Stripe,
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * The buyer's Customer, made once: the idempotency key names the buyer, so two first
   * checkouts at once (or a retry) get the same Customer, and the compare-and-set below keeps
   * whichever was stored first.
   */
  async customerFor(owner: WalletOwner, email: string | null): Promise<string> {
    if (owner.stripeCustomerId) return owner.stripeCustomerId;
    const customer = await this.stripe.customers.create(
      { metadata: { bip_buyer: owner.id }, ...(email ? { email } : {}) },
      { idempotencyKey: `bip_buyer_${owner.id}_cus` },
    );
    await this.db
      .updateTable('buyers')
      .set({ stripe_customer_id: customer.id, updated_at: iso(this.clock.now()) })
      .where('id', '=', owner.id)
      .where('stripe_customer_id', 'is', null)
      .execute();
    const row = await this.db
      .selectFrom('buyers')
      .select('stripe_customer_id')
      .where('id', '=', owner.id)
      .executeTakeFirst();
    return row?.stripe_customer_id ?? customer.id;
  }

  /** The cards the buyer agreed to see again (`allow_redisplay: 'always'`), newest first. */
  async list(owner: WalletOwner): Promise<SavedPaymentMethod[]> {
    if (!owner.stripeCustomerId) return [];
    try {
      const page = await this.stripe.customers.listPaymentMethods(owner.stripeCustomerId, {
        allow_redisplay: 'always',
        limit: LIST_LIMIT,
      });
      return page.data.map(toSaved);
    } catch (err) {
      if (isMissing(err)) return []; // the Customer was deleted at Stripe
      throw err;
    }
  }

  /** Detaches a method — only one attached to this buyer's Customer (ids reveal nothing). */
  async remove(owner: WalletOwner, id: string): Promise<boolean> {
    if (!owner.stripeCustomerId) return false;
    let pm: Stripe.PaymentMethod;
    try {
      pm = await this.stripe.paymentMethods.retrieve(id);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    const holder = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
    if (holder !== owner.stripeCustomerId) return false;
    await this.stripe.paymentMethods.detach(pm.id);
    return true;
  }

  /** Erasure: every method detached (not only the redisplayed ones), then the Customer deleted. */
  async removeAll(owner: WalletOwner): Promise<void> {
    const customer = owner.stripeCustomerId;
    if (!customer) return;
    try {
      const all: string[] = [];
      for await (const pm of this.stripe.customers.listPaymentMethods(customer, { limit: 100 }))
        all.push(pm.id);
      for (const id of all) await this.stripe.paymentMethods.detach(id);
      await this.stripe.customers.del(customer);
    } catch (err) {
      if (!isMissing(err)) throw err; // already gone at Stripe: nothing left to remove
    }
  }

  /**
   * Two wallets become one. A PaymentMethod cannot move to another Customer, so `to` takes
   * `from`'s Customer when it has none; when both have one, `from`'s is erased (its cards are
   * lost, the buyer saves them again) rather than left at Stripe unreachable. Runs inside the
   * linking transaction: if Stripe fails, nothing is linked and the buyer can try again.
   */
  async transfer(from: WalletOwner, to: WalletOwner, db: Kysely<Database>): Promise<void> {
    if (!from.stripeCustomerId) return;
    if (!to.stripeCustomerId) {
      await db
        .updateTable('buyers')
        .set({ stripe_customer_id: from.stripeCustomerId, updated_at: iso(this.clock.now()) })
        .where('id', '=', to.id)
        .execute();
      return;
    }
    await this.removeAll(from);
  }
}

function toSaved(pm: Stripe.PaymentMethod): SavedPaymentMethod {
  if (pm.card)
    return {
      id: pm.id,
      brand: pm.card.brand,
      last4: pm.card.last4,
      expMonth: pm.card.exp_month,
      expYear: pm.card.exp_year,
    };
  // Link, SEPA and the like: the type for a brand, and what digits it shows, if any.
  const detail = (pm as unknown as Record<string, { last4?: string } | undefined>)[pm.type];
  return { id: pm.id, brand: pm.type, last4: detail?.last4 ?? '', expMonth: null, expYear: null };
}
