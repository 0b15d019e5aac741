import type { CheckoutRow } from '../db/schema.ts';
import type { ConfirmCheckoutBody, PaymentHandoff, PaymentMode } from '../protocol/checkouts.ts';

/** What a provider knows of a checkout: the server-computed amount and nothing the client set. */
export type PaymentCheckout = Pick<
  CheckoutRow,
  | 'id'
  | 'seller_id'
  | 'product_id'
  | 'quantity'
  | 'subtotal'
  | 'shipping'
  | 'tax'
  | 'total'
  | 'currency'
  | 'email'
  | 'shipping_address'
  | 'payment_mode'
  | 'payment_ref'
  | 'payment_secret'
  | 'payment_amount'
  | 'return_url'
  | 'updated_at'
>;

/** What the checkout service passes along that is not in the row. */
export interface PaymentContext {
  /** The product's title (a hosted page shows it). */
  title: string;
  /** True when everything needed to pay is known (the address, for physical goods). */
  ready: boolean;
  /**
   * The signed-in buyer's customer at the provider (a Stripe Customer), for a checkout bound to
   * a buyer: the payment is made for it, so a card the buyer saves stays with them.
   */
  customer?: string | null;
}

/**
 * What the buyer pays with, as the provider gets it: the page's input, where a saved test card
 * comes with what paying with it does (its number was never kept; see wallet/payment-methods.ts).
 */
export type PaymentInput = ConfirmCheckoutBody['payment'] & {
  /** The saved test card's outcome: null pays, otherwise the decline code. */
  savedOutcome?: string | null;
};

/** The payment as stored on the checkout after {@link PaymentProvider.prepare}. */
export interface PreparedPayment {
  reference: string | null;
  secret: string | null;
  amount: number | null;
}

export type PaymentOutcome =
  /** Paid: `amount`/`currency` are what the provider took, when it says. */
  | { status: 'succeeded'; reference: string | null; amount?: number; currency?: string }
  | { status: 'declined'; code: string; message: string }
  /** Being paid (authentication, bank transfer, a confirmation in flight). */
  | { status: 'processing' }
  /** Not being paid: nothing was attempted, or an attempt was abandoned. */
  | { status: 'open' };

/** An event a provider posted about a payment (a webhook), read and verified. */
export interface PaymentEvent {
  /** The provider's id for it: an event is applied once, however often it arrives. */
  id: string;
  type: string;
  /** The checkout it is about, when it is about one of ours. */
  checkoutId: string | null;
  /** What it means for that checkout; null when there is nothing to do. */
  outcome: PaymentOutcome | null;
}

/** A provider that posts events about payments (webhooks). */
export interface PaymentEvents {
  /** Checks the signature over the exact bytes received and reads the event; throws if it does not match. */
  verify(rawBody: string, signature: string): Promise<PaymentEvent>;
}

/**
 * The payment seam. The checkout service calls these at the right moments; a provider never
 * touches the database, and the services never ask which provider it is: what differs between
 * providers is said here, as capabilities. Two ship: the built-in test provider and Stripe.
 */
export interface PaymentProvider {
  /** Stored on each checkout (and order) it takes; shown by the health check. */
  readonly name: 'test' | 'stripe';
  /**
   * True when, after {@link confirm}, the page itself completes the payment with the provider
   * (Stripe.js): a confirmation while the checkout is already held is then the page asking again
   * before another attempt, and is answered with the checkout as it is.
   */
  readonly confirmsInPage: boolean;
  /** Events the provider posts about payments, when it sends them and they are configured. */
  readonly events: PaymentEvents | null;
  /** How a new checkout is paid: the page asks, the provider (and its configuration) decides. */
  paymentMode(requested: PaymentMode | undefined): PaymentMode;
  /**
   * Sets up or brings up to date the payment for a checkout's current total: called when a
   * checkout is created and after each change. Returns what to store (unchanged if nothing to do).
   */
  prepare(checkout: PaymentCheckout, ctx: PaymentContext): Promise<PreparedPayment>;
  /**
   * What the element needs to collect payment. Its `provider` tag is also what the page must
   * name when it confirms.
   */
  handoff(checkout: PaymentCheckout): PaymentHandoff;
  /**
   * The buyer pays now. The checkout is already held (`processing`) when this is called; the
   * outcome may be final (test provider) or `processing` (Stripe: the page confirms with
   * Stripe.js and Stripe reports back).
   */
  confirm(checkout: PaymentCheckout, input: PaymentInput): Promise<PaymentOutcome>;
  /**
   * Asks the provider how the payment stands (a webhook may be late, or lost, or the process
   * that held the checkout died). Required: it is how a checkout held for payment gets out of
   * `processing` — a provider that keeps no payments of its own answers `open`.
   */
  status(checkout: PaymentCheckout): Promise<PaymentOutcome>;
  /** Gives money back for a payment that cannot become an order. */
  refund?(reference: string, checkoutId: string): Promise<void>;
  /** The checkout was canceled or expired: nothing may be paid for it any more. */
  cancel(checkout: PaymentCheckout): Promise<void>;
  /**
   * A short-lived secret that shows the customer's saved payment methods in the page (a Stripe
   * Customer Session), issued for each answer that carries it and never stored. Providers whose
   * page has no saved methods leave it out.
   */
  customerSession?(customer: string): Promise<string>;
}
