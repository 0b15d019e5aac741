import type { nothing, TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { Product } from '../../internal/types.ts';
import type { Contact, ContactField } from '../contact.ts';
import type { FlowState, Step } from '../machine.ts';
import type { PaymentAdapter, PaymentContext } from '../payment/types.ts';

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
}

/** What a step renders: what scrolls, and the action bar kept in reach of the thumb. */
export interface StepView {
  body: TemplateResult;
  footer: TemplateResult | typeof nothing;
}
