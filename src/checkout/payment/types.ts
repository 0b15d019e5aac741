import type { TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type {
  Checkout,
  Product,
  ShippingAddress,
  UpdateCheckoutBody,
} from '../../internal/types.ts';
import type { PaymentInput } from '../machine.ts';
import type { CheckoutClient } from '../wallet/client.ts';

/*
 * The payment seam: one adapter per hand-off `provider` the endpoint may choose. The flow only
 * talks to these interfaces: the test provider's form, Stripe (Elements in a light-DOM slot,
 * `confirmPayment`, then a read of the checkout), and a hosted page all plug in here. A leaf:
 * types, and the one id the payment step and the adapters agree on. The adapters import this
 * module and nothing of each other; factory.ts picks one.
 */

/** The id of the payment step's form, if the adapter renders one: the footer button submits it. */
export const PAYMENT_FORM_ID = 'payment-form';

/** What an adapter gets to render its part of the payment step. */
export interface PaymentContext {
  i18n: I18n<Messages>;
  /** The element (an adapter may need a light-DOM node in it: see light-dom-slot.ts). */
  element: HTMLElement;
  product: Product;
  checkout: Checkout;
  busy: boolean;
  /** What the reader gave earlier in this checkout (coming back from review to edit). */
  input: PaymentInput | null;
  /** The adapter collected what is needed: move on to review. */
  ready(input: PaymentInput): void;
  /** The address typed in the shipping step, if complete (a wallet's sheet may replace it). */
  typedAddress: ShippingAddress | null;
  /** Changes the checkout (a wallet's address); the flow follows the answer. */
  update(body: UpdateCheckoutBody): Promise<Checkout>;
  /** Pays at once, without the review step (a wallet's sheet was the reader's review). */
  payNow(input: PaymentInput): void;
  /** Renders the element again (the adapter's own state changed). */
  requestUpdate(): void;
  /** Resolves once the element has rendered what is pending. */
  rendered(): Promise<unknown>;
}

/** Everything needed to pay, once the reader confirmed on the review step. */
export interface ConfirmRequest {
  client: CheckoutClient;
  checkout: Checkout;
  clientToken: string;
  input: PaymentInput;
  /** One per attempt: a retry after a network failure reuses it, so nothing is paid twice. */
  idempotencyKey: string;
  signal: AbortSignal;
  /** Runs `work` with the dialog out of the top layer (for a provider's own modal: 3-D Secure). */
  outOfTopLayer<T>(work: () => Promise<T>): Promise<T>;
}

export interface PaymentAdapter {
  /** The payment step's content. A form inside it must have the id {@link PAYMENT_FORM_ID}. */
  render(ctx: PaymentContext): TemplateResult;
  /**
   * The label of the payment step's primary (submit) button, or null when the adapter offers
   * its own way forward (a link to a hosted page).
   */
  primaryLabel(ctx: PaymentContext): string | null;
  /** The review step's line about how the reader pays. */
  summary(input: PaymentInput, i18n: I18n<Messages>): TemplateResult | string;
  /**
   * Pays. Resolves with the checkout as the endpoint has it afterwards: `paid`, or
   * `processing` (the flow then waits for it). Rejects with a ProtocolError.
   */
  confirm(request: ConfirmRequest): Promise<Checkout>;
  /** Releases whatever the adapter holds (a mounted iframe, say). */
  dispose?(): void;
}
