import type { CheckoutRow } from '../db/schema.ts';
import type { ConfirmCheckoutBody, PaymentHandoff } from '../protocol/checkouts.ts';

/** What a provider knows of a checkout: the server-computed amount and nothing the client set. */
export type PaymentCheckout = Pick<
  CheckoutRow,
  'id' | 'total' | 'currency' | 'payment_ref' | 'seller_id' | 'product_id'
>;

export type PaymentOutcome =
  | { status: 'succeeded'; reference: string | null }
  | { status: 'declined'; code: string; message: string }
  | { status: 'processing' };

/**
 * The payment seam. The checkout service calls these at the right moments; a provider never
 * touches the database. The test provider ships now; Stripe plugs in here.
 */
export interface PaymentProvider {
  readonly name: string;
  /** A checkout was created: set up a payment for its total. */
  createPayment(checkout: PaymentCheckout): Promise<{ reference: string | null }>;
  /** What the element needs to collect payment. */
  handoff(checkout: PaymentCheckout): PaymentHandoff;
  /** The total changed (quantity, variant or shipping). */
  updateAmount(checkout: PaymentCheckout): Promise<void>;
  /** Confirm a payment with input the element sent (test card, saved method). */
  confirm(
    checkout: PaymentCheckout,
    input: ConfirmCheckoutBody['payment'],
  ): Promise<PaymentOutcome>;
  /** The checkout was canceled or expired. */
  cancel(checkout: PaymentCheckout): Promise<void>;
}
