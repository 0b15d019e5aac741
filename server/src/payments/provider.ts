import type { CheckoutRow } from '../db/schema.ts';
import type { ConfirmCheckoutBody, PaymentHandoff } from '../protocol/checkouts.ts';

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
}

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

/**
 * The payment seam. The checkout service calls these at the right moments; a provider never
 * touches the database. Two ship: the built-in test provider and Stripe.
 */
export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  /**
   * Sets up or brings up to date the payment for a checkout's current total: called when a
   * checkout is created and after each change. Returns what to store (unchanged if nothing to do).
   */
  prepare(checkout: PaymentCheckout, ctx: PaymentContext): Promise<PreparedPayment>;
  /** What the element needs to collect payment. */
  handoff(checkout: PaymentCheckout): PaymentHandoff;
  /**
   * The buyer pays now. The checkout is already held (`processing`) when this is called; the
   * outcome may be final (test provider) or `processing` (Stripe: the page confirms with
   * Stripe.js and Stripe reports back).
   */
  confirm(
    checkout: PaymentCheckout,
    input: ConfirmCheckoutBody['payment'],
  ): Promise<PaymentOutcome>;
  /** Asks the provider how the payment stands (a webhook may be late, or lost). */
  status?(checkout: PaymentCheckout): Promise<PaymentOutcome>;
  /** Gives money back for a payment that cannot become an order. */
  refund?(reference: string, checkoutId: string): Promise<void>;
  /** The checkout was canceled or expired: nothing may be paid for it any more. */
  cancel(checkout: PaymentCheckout): Promise<void>;
}
