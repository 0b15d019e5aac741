import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { testCardOutcome } from '../payments/test-provider.ts';
import { type Clock, iso, newId } from '../util.ts';

/** Whom a payment method belongs to, as the stores need to know it. */
export interface WalletOwner {
  id: string;
  /** The buyer's Stripe Customer, once a Stripe store made one. */
  stripeCustomerId: string | null;
}

/** A saved card as the buyer sees it: never more than brand, last four and expiry. */
export interface SavedPaymentMethod {
  id: string;
  brand: string;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
}

/**
 * Where saved payment methods live: never on this endpoint beyond brand and last four. The
 * test store keeps those in `buyer_payment_methods`; the Stripe store (stripe-payment-methods.ts)
 * keeps a Customer per buyer and asks Stripe (`customers.listPaymentMethods`,
 * `paymentMethods.retrieve` + `detach`, `customers.del`). `db` is the caller's transaction, for
 * stores that write rows; the wallet calls remote APIs before its transaction where it can.
 */
export interface PaymentMethodStore {
  readonly name: 'test' | 'stripe';
  list(owner: WalletOwner): Promise<SavedPaymentMethod[]>;
  /** Removes one method; false when there is none with that id *belonging to this owner*. */
  remove(owner: WalletOwner, id: string): Promise<boolean>;
  /** Erasure: every method, and whatever the provider keeps of the buyer (Stripe's Customer). */
  removeAll(owner: WalletOwner, db: Kysely<Database>): Promise<void>;
  /** Two wallets become one (a host sign-in linked to an email): `to` gets `from`'s methods. */
  transfer(from: WalletOwner, to: WalletOwner, db: Kysely<Database>): Promise<void>;
  /**
   * The buyer's customer at the provider, made on first need and kept in
   * `buyers.stripe_customer_id` (Stripe). Stores that keep no customer leave it out.
   */
  customerFor?(owner: WalletOwner, email: string | null): Promise<string>;
}

/** A saved test card as paying with it needs it: what it does, not its number. */
export interface SavedTestCard {
  id: string;
  /** Null pays; otherwise the decline code. */
  outcome: string | null;
}

/** The card brand a number's leading digits name (as the test provider shows it). */
export function cardBrand(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6(011|5)/.test(number)) return 'discover';
  return 'unknown';
}

/**
 * The built-in test provider's saved cards: a token with brand and last four digits — the card
 * number itself is never stored — so the offline demo shows the same one-tap flow as Stripe.
 */
export class TestPaymentMethodStore implements PaymentMethodStore {
  readonly name = 'test';

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * Remembers a test card for the buyer (the checkout does this when the buyer ticks "save"):
   * brand, last four digits and what paying with it does. The same card saved again is kept
   * once (without the number, "the same" is brand, last four, expiry and outcome).
   */
  async save(
    owner: WalletOwner,
    card: { number: string; expMonth?: number; expYear?: number },
  ): Promise<SavedPaymentMethod> {
    const method: SavedPaymentMethod = {
      id: newId('tpm'),
      brand: cardBrand(card.number),
      last4: card.number.slice(-4),
      expMonth: card.expMonth ?? null,
      expYear: card.expYear ?? null,
    };
    const outcome = testCardOutcome(card.number);
    const same = await this.db
      .selectFrom('buyer_payment_methods')
      .select('id')
      .where('buyer_id', '=', owner.id)
      .where('brand', '=', method.brand)
      .where('last4', '=', method.last4)
      .where((eb) =>
        eb.and([
          method.expMonth === null
            ? eb('exp_month', 'is', null)
            : eb('exp_month', '=', method.expMonth),
          method.expYear === null
            ? eb('exp_year', 'is', null)
            : eb('exp_year', '=', method.expYear),
          outcome === null ? eb('test_outcome', 'is', null) : eb('test_outcome', '=', outcome),
        ]),
      )
      .executeTakeFirst();
    if (same) return { ...method, id: same.id };
    await this.db
      .insertInto('buyer_payment_methods')
      .values({
        id: method.id,
        buyer_id: owner.id,
        brand: method.brand,
        last4: method.last4,
        exp_month: method.expMonth,
        exp_year: method.expYear,
        test_outcome: outcome,
        created_at: iso(this.clock.now()),
      })
      .execute();
    return method;
  }

  /** One of the buyer's saved cards, to pay with; null if the buyer has none with that id. */
  async find(owner: WalletOwner, id: string): Promise<SavedTestCard | null> {
    const row = await this.db
      .selectFrom('buyer_payment_methods')
      .select(['id', 'test_outcome'])
      .where('id', '=', id)
      .where('buyer_id', '=', owner.id)
      .executeTakeFirst();
    return row ? { id: row.id, outcome: row.test_outcome ?? null } : null;
  }

  async list(owner: WalletOwner): Promise<SavedPaymentMethod[]> {
    const rows = await this.db
      .selectFrom('buyer_payment_methods')
      .selectAll()
      .where('buyer_id', '=', owner.id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      brand: r.brand,
      last4: r.last4,
      expMonth: r.exp_month,
      expYear: r.exp_year,
    }));
  }

  async remove(owner: WalletOwner, id: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('buyer_payment_methods')
      .where('id', '=', id)
      .where('buyer_id', '=', owner.id)
      .executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  async removeAll(owner: WalletOwner, db: Kysely<Database>): Promise<void> {
    await db.deleteFrom('buyer_payment_methods').where('buyer_id', '=', owner.id).execute();
  }

  async transfer(from: WalletOwner, to: WalletOwner, db: Kysely<Database>): Promise<void> {
    await db
      .updateTable('buyer_payment_methods')
      .set({ buyer_id: to.id })
      .where('buyer_id', '=', from.id)
      .execute();
  }
}
