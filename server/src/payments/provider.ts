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
  /**
   * Platform mode: the seller's connected account the payment goes to (a destination charge on
   * its behalf) and the platform's fee in basis points. Absent for a single-seller endpoint.
   */
  destination?: { account: string; feeBps: number } | null;
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
  /** A payment was refunded, wholly or in part (its reference): its refunds are to be read. */
  refunded?: { reference: string };
  /** A connected account changed (platform mode): its state as the event shows it. */
  account?: ConnectedAccount & { at: number };
}

/** A refund at the provider. */
export interface ProviderRefund {
  id: string;
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Provider's time (seconds): refunds of one payment are put in order by it, then by id. */
  created: number;
  /**
   * Made through the seller API (`refundPart`), with its reason: said by the refund itself, so
   * whichever of the API call and the provider's event records it first records it alike.
   */
  viaApi?: { reason: string | null };
}

/** What the platform's money did for one refund (platform mode): ids, or null for nothing to do. */
export interface Reversal {
  transferReversal: string | null;
  feeRefund: string | null;
}

/** A seller's connected account, as the provider last said (platform mode). */
export interface ConnectedAccount {
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  /** What the provider needs from the seller now (its field names). */
  currentlyDue: string[];
  /** Why charges are disabled, in the provider's words; null when they are not. */
  disabledReason: string | null;
}

/** Platform mode at the provider: connected accounts and their onboarding (Stripe Connect). */
export interface ConnectedAccounts {
  /** Makes the seller's account; once per seller, however often it is asked (`key`). */
  create(sellerId: string, key: string): Promise<ConnectedAccount>;
  retrieve(id: string): Promise<ConnectedAccount>;
  /** A fresh, short-lived onboarding link to the provider's hosted pages. */
  onboardingLink(
    id: string,
    urls: { returnUrl: string; refreshUrl: string },
  ): Promise<{ url: string; expiresAt: string }>;
  /** Verifies events of connected accounts (their own endpoint and secret); null: not configured. */
  readonly events: PaymentEvents | null;
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
  /**
   * True when {@link prepare} asks no one (no round trip, nothing made elsewhere): a new
   * checkout's payment is then prepared before its row is written, and stored with it in the
   * transaction that takes its units — one write instead of two. A provider that makes something
   * of its own (Stripe: a PaymentIntent or a Checkout Session) is asked only once the units are
   * held, so a buyer refused for stock leaves nothing behind at the provider.
   */
  readonly preparesLocally: boolean;
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
  /**
   * Gives back `amount` of an order's payment (the seller refunds). Once per `key`: a retry with
   * the same key answers the same refund.
   */
  refundPart(
    reference: string,
    amount: number,
    opts: { key: string; orderId: string; currency: string; reason?: string | null },
  ): Promise<ProviderRefund>;
  /**
   * Every refund of a payment, oldest first, for a provider that keeps them (refunds made
   * elsewhere, such as the provider's dashboard, are found here). Absent: only ours exist.
   */
  refundsOf?(reference: string): Promise<ProviderRefund[]>;
  /**
   * Platform mode: reverses the seller's transfer and refunds the platform's fee for one refund,
   * in proportion to the part of the payment it gives back. Safe to call again for the same refund.
   */
  reverseFor?(reference: string, refundId: string): Promise<Reversal>;
  /** Platform mode: the sellers' connected accounts; null for a single-seller endpoint. */
  readonly connect: ConnectedAccounts | null;
  /** The checkout was canceled or expired: nothing may be paid for it any more. */
  cancel(checkout: PaymentCheckout): Promise<void>;
  /**
   * A short-lived secret that shows the customer's saved payment methods in the page (a Stripe
   * Customer Session), issued for each answer that carries it and never stored. Providers whose
   * page has no saved methods leave it out.
   */
  customerSession?(customer: string): Promise<string>;
}
