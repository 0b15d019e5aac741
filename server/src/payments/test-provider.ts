import { createHash } from 'node:crypto';
import type { PaymentHandoff, PaymentMode } from '../protocol/checkouts.ts';
import { luhnValid } from '../protocol/rules.ts';
import type {
  PaymentCheckout,
  PaymentInput,
  PaymentOutcome,
  PaymentProvider,
  ProviderRefund,
} from './provider.ts';

/**
 * Test card numbers, the same as Stripe's test mode, so people who know one know the other.
 * Any other number that passes the Luhn check succeeds.
 */
export const TEST_CARDS: Record<string, { code: string; message: string } | null> = {
  '4242424242424242': null,
  '5555555555554444': null,
  '4000000000000002': { code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': { code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000009987': { code: 'lost_card', message: 'Your card was declined.' },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  '4000000000000119': {
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again.',
  },
};

const INCORRECT_NUMBER = { code: 'incorrect_number', message: 'Your card number is incorrect.' };

/**
 * What paying with a test card number does, kept with a saved test card instead of the number:
 * null pays, otherwise the decline code (a saved 4000 0000 0000 0002 still declines).
 */
export function testCardOutcome(number: string): string | null {
  if (!luhnValid(number)) return INCORRECT_NUMBER.code;
  return Object.hasOwn(TEST_CARDS, number) ? (TEST_CARDS[number]?.code ?? null) : null;
}

/** The decline a saved test card's outcome stands for (null: it pays). */
function declineOf(outcome: string | null): { code: string; message: string } | null {
  if (outcome === null) return null;
  const known = [INCORRECT_NUMBER, ...Object.values(TEST_CARDS)].find((d) => d?.code === outcome);
  return known ?? { code: outcome, message: 'Your card was declined.' };
}

/**
 * The built-in test provider: no network, no keys, clearly labelled "test" in the handoff.
 * The default when no Stripe keys are set; refused in production unless explicitly allowed.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  /** The card is checked here, in one call: nothing is left for the page to do. */
  readonly confirmsInPage = false;
  readonly preparesLocally = true;
  readonly events = null;
  /** Sellers are paid by whoever runs the endpoint: there is no platform mode without Stripe. */
  readonly connect = null;

  paymentMode(): PaymentMode {
    return 'elements';
  }

  async prepare(checkout: PaymentCheckout) {
    return { reference: `test_${checkout.id}`, secret: null, amount: checkout.total };
  }

  handoff(): PaymentHandoff {
    return { provider: 'test' };
  }

  async cancel() {}

  /**
   * The test provider's ledger of refunds is the endpoint's own (`order_refunds`): the refund's
   * id comes from the key, so a retry with the same key is the same refund and is recorded once.
   */
  async refundPart(
    _reference: string,
    amount: number,
    opts: { key: string; orderId: string; currency: string },
  ): Promise<ProviderRefund> {
    // The order is part of it: one key used on two orders is two refunds.
    const seed = `${opts.orderId} ${opts.key}`;
    const id = `test_re_${createHash('sha256').update(seed).digest('base64url').slice(0, 24)}`;
    return { id, amount, currency: opts.currency, created: Math.floor(Date.now() / 1000) };
  }

  /**
   * The test provider keeps no payment outside the order it becomes: a checkout still held with
   * no order (its process died between the claim and the order, or the order write failed) was
   * not paid, and goes back to the buyer.
   */
  async status(): Promise<PaymentOutcome> {
    return { status: 'open' };
  }

  async confirm(checkout: PaymentCheckout, input: PaymentInput): Promise<PaymentOutcome> {
    // the checkout service refuses input for another provider before it gets here
    if (input.provider !== 'test') throw new Error(`test provider got ${input.provider} input`);
    let decline: { code: string; message: string } | null;
    if (input.savedPaymentMethodId !== undefined) {
      // resolved by the checkout service from the buyer's wallet
      if (input.savedOutcome === undefined) throw new Error('saved test card not resolved');
      decline = declineOf(input.savedOutcome);
    } else {
      const card = input.card ?? '';
      decline = luhnValid(card) ? (TEST_CARDS[card] ?? null) : INCORRECT_NUMBER;
    }
    if (decline) return { status: 'declined', ...decline };
    return { status: 'succeeded', reference: `test_${checkout.id}` };
  }
}
