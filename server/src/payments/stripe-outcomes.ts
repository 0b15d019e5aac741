import type Stripe from 'stripe';
import type { ConnectedAccount, PaymentEvent, PaymentOutcome } from './provider.ts';

/** A connected account as the endpoint keeps it. */
export function accountState(a: Stripe.Account): ConnectedAccount {
  return {
    id: a.id,
    chargesEnabled: a.charges_enabled === true,
    payoutsEnabled: a.payouts_enabled === true,
    detailsSubmitted: a.details_submitted === true,
    currentlyDue: a.requirements?.currently_due ?? [],
    disabledReason: a.requirements?.disabled_reason ?? null,
  };
}

/** What a PaymentIntent's state means for its checkout. */
export function intentOutcome(pi: Stripe.PaymentIntent): PaymentOutcome {
  switch (pi.status) {
    case 'succeeded':
      return {
        status: 'succeeded',
        reference: pi.id,
        amount: pi.amount_received,
        currency: pi.currency,
      };
    case 'requires_payment_method': {
      const e = pi.last_payment_error;
      return e
        ? {
            status: 'declined',
            code: e.decline_code ?? e.code ?? 'card_declined',
            message: e.message ?? 'The payment was declined.',
          }
        : { status: 'open' };
    }
    case 'canceled':
      return { status: 'open' };
    default:
      return { status: 'processing' };
  }
}

/** What a Checkout Session's state means for its checkout (hosted page). */
export function sessionOutcome(s: Stripe.Checkout.Session): PaymentOutcome {
  if (s.status === 'complete' && s.payment_status !== 'unpaid')
    return {
      status: 'succeeded',
      reference:
        typeof s.payment_intent === 'string' ? s.payment_intent : (s.payment_intent?.id ?? s.id),
      amount: s.amount_total ?? undefined,
      currency: s.currency ?? undefined,
    };
  return { status: 'open' };
}

/** Which checkout a Stripe event is about, and what it means for it (null: nothing to do). */
export function readEvent(event: Stripe.Event): PaymentEvent {
  const read = { id: event.id, type: event.type };
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const pi = event.data.object;
      return { ...read, checkoutId: pi.metadata?.checkout_id ?? null, outcome: intentOutcome(pi) };
    }
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const s = event.data.object;
      return {
        ...read,
        checkoutId: s.metadata?.checkout_id ?? s.client_reference_id ?? null,
        outcome: sessionOutcome(s),
      };
    }
    case 'charge.refunded': {
      // Whole or partial, made through the API or in the Dashboard: the refunds are read from
      // Stripe (the event's charge lists none), each counted once.
      const charge = event.data.object;
      const reference =
        typeof charge.payment_intent === 'string'
          ? charge.payment_intent
          : (charge.payment_intent?.id ?? null);
      return {
        ...read,
        checkoutId: charge.metadata?.checkout_id ?? null,
        outcome: null,
        ...(reference ? { refunded: { reference } } : {}),
      };
    }
    case 'account.updated':
      return {
        ...read,
        checkoutId: null,
        outcome: null,
        account: { ...accountState(event.data.object), at: event.created },
      };
    default:
      return { ...read, checkoutId: null, outcome: null };
  }
}
