// Over 300 lines on purpose: one pure transition function for every step of the checkout (wallet
// choices included), whose cases read as one table; splitting the switch would scatter the rules.
import type { Checkout, Product, ProtocolErrorCode } from '../internal/types.ts';
import { type Contact, checkContact, type FieldProblems, recheck } from './contact.ts';
import { clampQuantity, selectOption, variantFor } from './selection.ts';
import { buyerOf, type SavedCard, savedAddressFor, savedCard } from './wallet/model.ts';

export type { Contact } from './contact.ts';

export {
  clampQuantity,
  optionValue,
  selectOption,
  unavailability,
  variantFor,
} from './selection.ts';

/**
 * The checkout flow as one state machine. `transition` is pure: no DOM, no network, no clock,
 * no randomness (Idempotency-Keys are minted by the caller and handed in with `submit`). The
 * flow controller performs the side effects (API calls) and feeds their results back as events.
 */
export type Step = 'product' | 'shipping' | 'payment' | 'review' | 'done';

export interface Selection {
  /** Option name → chosen value. */
  options: Record<string, string>;
  quantity: number;
}

/** What the payment step collected, for the review step to confirm. */
export type PaymentInput =
  /** A test card number; `save`: the reader ticked "Save this card" (signed in only). */
  | { provider: 'test'; card: string; save?: boolean }
  /** A card saved in the reader's wallet (the test provider's, or a Stripe customer's). */
  | { provider: 'test' | 'stripe'; saved: SavedCard }
  /** Stripe's form holds the card (in its iframe); `wallet` when paid with Apple Pay and such. */
  | { provider: 'stripe'; wallet?: string }
  | { provider: 'redirect'; url: string };

/** The saved card a payment uses, if it uses one. */
export function savedCardOf(payment: PaymentInput | null): SavedCard | null {
  return payment && 'saved' in payment ? payment.saved : null;
}

export interface FlowError {
  code: ProtocolErrorCode;
  message: string;
  /** For out_of_stock: how many are left of the chosen variant. */
  available?: number;
  /** Per-field messages from the endpoint, keyed by field path. */
  fields?: Record<string, string>;
}

export interface FlowState {
  step: Step;
  selection: Selection;
  contact: Contact;
  /** This browser's checks of the contact form, once the reader submitted it (contact.ts). */
  contactProblems: FieldProblems;
  /**
   * A signed-in reader ships to this saved address (its id in the wallet) instead of the form;
   * null: the form's address.
   */
  savedAddressId: string | null;
  /** The endpoint's checkout once created; null before, and after it expired or was canceled. */
  checkout: Checkout | null;
  payment: PaymentInput | null;
  /** A request is in flight: actions are disabled, a double press does nothing. */
  busy: boolean;
  error: FlowError | null;
  /**
   * The Idempotency-Key of the operation being attempted (creating the checkout, or paying).
   * A double press or a retry after a network failure reuses it, so the endpoint answers once;
   * an answer, or a change of mind (another option, another card), ends the attempt.
   */
  attemptKey: string | null;
}

export type FlowEvent =
  | { type: 'select'; option: string; value: string }
  /** One press on an alternative offered after out_of_stock: that variant's options at once. */
  | { type: 'variant'; variantId: string }
  | { type: 'quantity'; quantity: number }
  | { type: 'contact'; contact: Partial<Contact> }
  /** A saved address chosen in the shipping step (null: a new address, typed in the form). */
  | { type: 'savedAddress'; id: string | null }
  /**
   * Saved details went away (removed in the Saved details panel, or the session ended: `ids`
   * absent): choices that used them are undone.
   */
  | { type: 'savedGone'; ids?: readonly string[] }
  /** The reader submitted the contact form: check it here before anything is sent. */
  | { type: 'validate' }
  /** `key` is a fresh candidate; an attempt already under way keeps its own. */
  | { type: 'submit'; key?: string }
  | { type: 'checkout'; checkout: Checkout }
  /** The checkout changed where the reader is (a wallet's address): same step, new totals. */
  | { type: 'refresh'; checkout: Checkout }
  /** The reader's own change on this step was answered (the review's "Share my email"). */
  | { type: 'changed'; checkout: Checkout }
  | { type: 'payment'; payment: PaymentInput }
  | { type: 'paid'; checkout: Checkout }
  | { type: 'failed'; error: FlowError }
  /** The product was read again (stock changed): keep the choice, bound the quantity. */
  | { type: 'availability' }
  | { type: 'back' }
  | { type: 'edit'; step: Step }
  | { type: 'restart' }
  | { type: 'resume'; checkout: Checkout };

/**
 * Failures where the endpoint did not answer the request (or did not store its answer): the
 * retry must reuse the key so that a request that did go through is not made twice. Every
 * other answer is stored against its key, so the next attempt needs a new one.
 */
const RETRY_SAME_KEY: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'network',
  'aborted',
  'internal_error',
  'payment_failed',
  'idempotency_in_progress',
  'rate_limited',
]);

/** Errors whose way forward is "try again" (same request, entries kept). */
export function isRetryable(code: ProtocolErrorCode): boolean {
  return RETRY_SAME_KEY.has(code) && code !== 'aborted';
}

/** The steps a product goes through: digital goods skip shipping. */
export function stepsFor(product: Pick<Product, 'kind'>): Step[] {
  return product.kind === 'digital'
    ? ['product', 'payment', 'review', 'done']
    : ['product', 'shipping', 'payment', 'review', 'done'];
}

/** A first selection: the first purchasable variant's options, quantity 1. */
export function initialState(product: Product): FlowState {
  const first = product.variants.find((v) => v.maxQuantity > 0) ?? product.variants[0];
  return {
    step: 'product',
    selection: { options: { ...(first?.options ?? {}) }, quantity: 1 },
    contact: { email: '', shareEmail: false, address: {} },
    contactProblems: {},
    savedAddressId: null,
    checkout: null,
    payment: null,
    busy: false,
    error: null,
    attemptKey: null,
  };
}

function next(product: Product, step: Step): Step {
  const steps = stepsFor(product);
  return steps[Math.min(steps.indexOf(step) + 1, steps.length - 1)]!;
}

function previous(product: Product, step: Step): Step {
  const steps = stepsFor(product);
  return steps[Math.max(steps.indexOf(step) - 1, 0)]!;
}

/** The step a checkout read from the endpoint belongs to (resuming after a reload or return). */
export function stepForCheckout(product: Product, c: Checkout): Step {
  if (c.status === 'paid') return 'done';
  if (c.status !== 'open' && c.status !== 'processing') return 'product';
  if (product.kind === 'physical' && !c.shippingAddress) return 'shipping';
  return 'payment';
}

/** Where a failure sends the reader: to the step where it can be put right. */
function stepForError(state: FlowState, e: FlowError, product: Product): Step {
  const canShip = product.kind === 'physical' && state.checkout !== null;
  switch (e.code) {
    case 'checkout_expired':
    case 'out_of_stock':
    case 'variant_unavailable':
      return 'product';
    case 'payment_declined':
      return 'payment';
    case 'does_not_ship':
      return canShip ? 'shipping' : state.step;
    case 'validation_failed': {
      const contactField = Object.keys(e.fields ?? {}).some(
        (f) => f === 'email' || f.startsWith('shippingAddress'),
      );
      return contactField && canShip ? 'shipping' : state.step;
    }
    default:
      return state.step;
  }
}

/** The contact as the endpoint has it on `c` (the tab keeps no personal data, the endpoint has it). */
function contactFrom(contact: Contact, c: Checkout): Contact {
  return {
    email: c.email ?? contact.email,
    shareEmail: c.email ? c.shareEmail : contact.shareEmail,
    address: c.shippingAddress ? { ...c.shippingAddress } : contact.address,
  };
}

/** The wallet's card as this checkout's provider pays with it (a hosted page has its own). */
function savedPayment(c: Checkout, card: SavedCard): PaymentInput | null {
  const provider = c.payment.provider;
  return provider === 'test' || provider === 'stripe' ? { provider, saved: card } : null;
}

/**
 * A returning buyer: the endpoint started the checkout with their saved address (and email), so
 * it is ready to pay. With a saved card the reader goes straight to review (Buy, Continue, Pay);
 * without one, physical goods skip the address they need not type. Null: the usual next step.
 */
function express(state: FlowState, c: Checkout, product: Product): FlowState | null {
  const buyer = buyerOf(c);
  if (!buyer || !c.readyToPay || c.status !== 'open') return null;
  const known = {
    ...state,
    contact: contactFrom(state.contact, c),
    savedAddressId:
      buyer.savedAddressId ?? savedAddressFor(buyer.addresses, c.shippingAddress)?.id ?? null,
  };
  const card = buyer.paymentMethods[0];
  const payment = card ? savedPayment(c, savedCard(card)) : null;
  if (payment) return { ...known, payment, step: 'review' };
  return product.kind === 'physical' ? { ...known, step: 'payment' } : null;
}

function failed(state: FlowState, e: FlowError, product: Product): FlowState {
  const attemptKey = RETRY_SAME_KEY.has(e.code) ? state.attemptKey : null;
  // Aborted (the dialog closed mid-request) is not the reader's problem: just stop waiting.
  if (e.code === 'aborted') return { ...state, busy: false, attemptKey };
  const base = {
    ...state,
    busy: false,
    error: e,
    attemptKey,
    step: stepForError(state, e, product),
  };
  // The reservation is gone; keep every entry, start again from the product step.
  if (e.code === 'checkout_expired') return { ...base, checkout: null, payment: null };
  if (e.code === 'payment_declined') return { ...base, payment: null };
  return base;
}

export function transition(state: FlowState, event: FlowEvent, product: Product): FlowState {
  if (state.step === 'done' && event.type !== 'restart') return state;
  switch (event.type) {
    case 'select': {
      if (state.busy || state.step !== 'product') return state;
      const options = selectOption(product, state.selection.options, event.option, event.value);
      const quantity = clampQuantity(state.selection.quantity, variantFor(product, options));
      return { ...state, selection: { options, quantity }, error: null, attemptKey: null };
    }
    case 'variant': {
      const variant = product.variants.find((v) => v.id === event.variantId);
      if (state.busy || state.step !== 'product' || !variant || variant.maxQuantity < 1)
        return state;
      const quantity = clampQuantity(state.selection.quantity, variant);
      const selection = { options: { ...variant.options }, quantity };
      return { ...state, selection, error: null, attemptKey: null };
    }
    case 'quantity': {
      if (state.busy || state.step !== 'product') return state;
      const quantity = clampQuantity(event.quantity, variantFor(product, state.selection.options));
      return {
        ...state,
        selection: { ...state.selection, quantity },
        error: null,
        attemptKey: null,
      };
    }
    case 'availability': {
      const quantity = clampQuantity(
        state.selection.quantity,
        variantFor(product, state.selection.options),
      );
      if (quantity === state.selection.quantity) return state;
      return { ...state, selection: { ...state.selection, quantity } };
    }
    case 'contact': {
      if (state.busy) return state;
      const contact = {
        ...state.contact,
        ...event.contact,
        address: { ...state.contact.address, ...event.contact.address },
      };
      const contactProblems = recheck(state.contactProblems, contact, {
        emailRequired: !buyerOf(state.checkout),
      });
      return { ...state, attemptKey: null, contact, contactProblems };
    }
    case 'validate': {
      if (state.busy) return state;
      const all = checkContact(state.contact, { emailRequired: !buyerOf(state.checkout) });
      // a saved address needs no typing: only the email is the reader's to give
      const contactProblems = state.savedAddressId ? (all.email ? { email: all.email } : {}) : all;
      return { ...state, contactProblems };
    }
    case 'submit':
      if (state.busy) return state;
      return {
        ...state,
        busy: true,
        error: null,
        attemptKey: state.attemptKey ?? event.key ?? null,
      };
    case 'checkout': {
      // A created or updated checkout moves the reader on from the step that asked for it.
      // An email the endpoint filled in (the signed-in reader's wallet) shows in the form.
      const c = event.checkout;
      const email = state.contact.email || c.email || '';
      const answered = {
        ...state,
        busy: false,
        error: null,
        attemptKey: null,
        checkout: c,
        contact: email === state.contact.email ? state.contact : { ...state.contact, email },
      };
      const fast = state.step === 'product' ? express(answered, c, product) : null;
      return fast ?? { ...answered, step: next(product, state.step) };
    }
    case 'savedAddress':
      if (state.busy) return state;
      return { ...state, savedAddressId: event.id, attemptKey: null, contactProblems: {} };
    case 'savedGone': {
      const gone = (id: string | null | undefined) =>
        !!id && (!event.ids || event.ids.includes(id));
      const card = savedCardOf(state.payment);
      const dropCard = gone(card?.id);
      const dropAddress = gone(state.savedAddressId);
      if (!dropCard && !dropAddress) return state;
      return {
        ...state,
        savedAddressId: dropAddress ? null : state.savedAddressId,
        payment: dropCard ? null : state.payment,
        // the review cannot pay with a card that is gone: choose another
        step: dropCard && state.step === 'review' ? 'payment' : state.step,
      };
    }
    case 'refresh':
      if (event.checkout.id !== state.checkout?.id) return state;
      return { ...state, checkout: event.checkout };
    case 'changed':
      if (event.checkout.id !== state.checkout?.id) return state;
      return { ...state, busy: false, error: null, attemptKey: null, checkout: event.checkout };
    case 'payment':
      if (state.busy) return state;
      return { ...state, error: null, attemptKey: null, payment: event.payment, step: 'review' };
    case 'paid':
      return {
        ...state,
        busy: false,
        error: null,
        attemptKey: null,
        checkout: event.checkout,
        step: 'done',
      };
    case 'failed':
      return failed(state, event.error, product);
    case 'back':
      if (state.busy) return state;
      return { ...state, error: null, attemptKey: null, step: previous(product, state.step) };
    case 'edit':
      if (state.busy || state.step !== 'review' || !stepsFor(product).includes(event.step))
        return state;
      return { ...state, error: null, attemptKey: null, step: event.step };
    case 'restart':
      return { ...initialState(product), selection: state.selection, contact: state.contact };
    case 'resume': {
      const c = event.checkout;
      const variant = product.variants.find((v) => v.id === c.variantId);
      // The endpoint's checkout is the truth: show what is reserved, not what was last clicked.
      const selection = variant
        ? { options: { ...variant.options }, quantity: c.quantity }
        : state.selection;
      // …and what the reader sent: the tab keeps no personal data, the endpoint has it.
      const contact = contactFrom(state.contact, c);
      return {
        ...state,
        busy: false,
        error: null,
        attemptKey: null,
        selection,
        contact,
        checkout: c,
        step: stepForCheckout(product, c),
      };
    }
  }
}
