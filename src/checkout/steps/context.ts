import type { nothing, TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { Money, Product } from '../../internal/types.ts';
import type { Contact, ContactField } from '../contact.ts';
import type { FlowState, Step } from '../machine.ts';
import type { PaymentAdapter, PaymentContext } from '../payment/types.ts';
import type { Wallet } from '../wallet/model.ts';

/*
 * The seam between the flow and its steps, types only. A step is a function of a StepContext —
 * the state, the product, the strings, what the reader can do — and never sees the CheckoutFlow
 * (its session, its dialog, its adapters): the flow makes a context for each render.
 */

/** What the reader can do from a step. Stable functions: templates bind them once. */
export interface StepActions {
  /**
   * The step's primary action. Also "Try again": a create or a payment reuses its
   * Idempotency-Key (see machine.ts), so trying again is continuing.
   */
  continue(): void;
  back(): void;
  close(): void;
  /** After expiry: a new checkout with everything the reader entered. */
  startAgain(): void;
  select(option: string, value: string): void;
  chooseVariant(variantId: string): void;
  setQuantity(quantity: number): void;
  setContact(contact: Partial<Contact>): void;
  /**
   * Submits the contact form: this browser's checks, then the endpoint. Returns the first field
   * found wanting (the form moves the focus there), or null.
   */
  submitContact(): ContactField | null;
  edit(step: Step): void;
  /** Opens the sign-in panel (an emailed code). */
  openSignIn(): void;
  /** Opens the "Saved details" panel. */
  openSavedDetails(): void;
  /** Ships to a saved address (its id), or to the address in the form (null). */
  chooseSavedAddress(id: string | null): void;
  /** Ticks or unticks "Share my email" on the checkout as it stands (the review step). */
  shareEmail(share: boolean): void;
}

/** The reader's saved details with this endpoint, as the steps may show them. */
export interface WalletView {
  readonly signedIn: boolean;
  /** The masked wallet, once read; null for a guest. */
  readonly wallet: Wallet | null;
}

/** The payment hand-off's adapter, and what it gets to render. */
export interface PaymentView {
  adapter: PaymentAdapter;
  context: PaymentContext;
}

export interface StepContext {
  readonly state: FlowState;
  readonly product: Product;
  readonly i18n: I18n<Messages>;
  /** The steps this product goes through (digital goods skip shipping). */
  readonly steps: readonly Step[];
  readonly actions: StepActions;
  /** The checkout's payment adapter: null before a checkout, or for a provider we cannot show. */
  payment(): PaymentView | null;
  /** Resolves once the element has rendered what is pending (to move the focus into it). */
  rendered(): Promise<unknown>;
  readonly wallet: WalletView;
  /**
   * A signed-in reader with a saved card buying a digital product: the amount the product step's
   * button offers to pay at once (Buy, then Pay). Null: the usual Continue.
   */
  readonly quickPay: Money | null;
}

/** What a step renders: what scrolls, and the action bar kept in reach of the thumb. */
export interface StepView {
  body: TemplateResult;
  footer: TemplateResult | typeof nothing;
}
