import type {
  Checkout,
  Product,
  ProtocolErrorCode,
  ShippingAddress,
  Variant,
} from '../internal/types.ts';

/**
 * The checkout flow as one state machine. `transition` is pure: no DOM, no network. The flow
 * controller performs the side effects (API calls) and feeds their results back as events.
 */
export type Step = 'product' | 'shipping' | 'payment' | 'review' | 'done';

export interface Selection {
  /** Option name → chosen value. */
  options: Record<string, string>;
  quantity: number;
}

export interface Contact {
  email: string;
  shareEmail: boolean;
  address: Partial<ShippingAddress>;
}

/** What the payment step collected, for the review step to confirm. */
export type PaymentInput =
  | { provider: 'test'; card: string }
  | { provider: 'redirect'; url: string };

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
  /** The endpoint's checkout once created; null before, and after it expired or was canceled. */
  checkout: Checkout | null;
  payment: PaymentInput | null;
  /** A request is in flight: actions are disabled, a double press does nothing. */
  busy: boolean;
  error: FlowError | null;
}

export type FlowEvent =
  | { type: 'select'; option: string; value: string }
  | { type: 'quantity'; quantity: number }
  | { type: 'contact'; contact: Partial<Contact> }
  | { type: 'submit' }
  | { type: 'checkout'; checkout: Checkout }
  | { type: 'payment'; payment: PaymentInput }
  | { type: 'paid'; checkout: Checkout }
  | { type: 'failed'; error: FlowError }
  | { type: 'back' }
  | { type: 'edit'; step: Step }
  | { type: 'restart' }
  | { type: 'resume'; checkout: Checkout };

/** The steps a product goes through: digital goods skip shipping. */
export function stepsFor(product: Pick<Product, 'kind'>): Step[] {
  return product.kind === 'digital'
    ? ['product', 'payment', 'review', 'done']
    : ['product', 'shipping', 'payment', 'review', 'done'];
}

/** The variant matching a selection, or null when the combination does not exist. */
export function variantFor(product: Product, options: Record<string, string>): Variant | null {
  return (
    product.variants.find((v) =>
      product.options.every((o) => v.options[o.name] === options[o.name]),
    ) ?? null
  );
}

/**
 * Why a value of the option at `index` cannot be chosen, judged against the options before it
 * (cascading: the first option is judged alone, the second with the first, …), or null.
 */
export function unavailability(
  product: Product,
  options: Record<string, string>,
  index: number,
  value: string,
): 'not-made' | 'sold-out' | null {
  const fixed = product.options.slice(0, index).map((o) => o.name);
  const name = product.options[index]!.name;
  const matching = product.variants.filter(
    (v) => v.options[name] === value && fixed.every((n) => v.options[n] === options[n]),
  );
  if (matching.length === 0) return 'not-made';
  return matching.some((v) => v.maxQuantity > 0) ? null : 'sold-out';
}

/**
 * Sets one option; when that leaves no purchasable variant, the later options move to the
 * first combination that can be bought, so every variant in stock stays one press away.
 */
export function selectOption(
  product: Product,
  options: Record<string, string>,
  name: string,
  value: string,
): Record<string, string> {
  const next = { ...options, [name]: value };
  const current = variantFor(product, next);
  if (current && current.maxQuantity > 0) return next;
  const index = product.options.findIndex((o) => o.name === name);
  const fixed = product.options.slice(0, index + 1).map((o) => o.name);
  const candidate = product.variants.find(
    (v) => v.maxQuantity > 0 && fixed.every((n) => v.options[n] === next[n]),
  );
  return candidate ? { ...candidate.options } : next;
}

/** A first selection: the first purchasable variant's options, quantity 1. */
export function initialState(product: Product): FlowState {
  const first = product.variants.find((v) => v.maxQuantity > 0) ?? product.variants[0];
  return {
    step: 'product',
    selection: { options: { ...(first?.options ?? {}) }, quantity: 1 },
    contact: { email: '', shareEmail: false, address: {} },
    checkout: null,
    payment: null,
    busy: false,
    error: null,
  };
}

function clampQuantity(q: number, variant: Variant | null): number {
  const max = Math.max(1, variant?.maxQuantity ?? 1);
  return Math.min(Math.max(1, Math.floor(q) || 1), max);
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

export function transition(state: FlowState, event: FlowEvent, product: Product): FlowState {
  if (state.step === 'done' && event.type !== 'restart') return state;
  switch (event.type) {
    case 'select': {
      if (state.busy || state.step !== 'product') return state;
      const options = selectOption(product, state.selection.options, event.option, event.value);
      const quantity = clampQuantity(state.selection.quantity, variantFor(product, options));
      return { ...state, selection: { options, quantity }, error: null };
    }
    case 'quantity': {
      if (state.busy || state.step !== 'product') return state;
      const quantity = clampQuantity(event.quantity, variantFor(product, state.selection.options));
      return { ...state, selection: { ...state.selection, quantity }, error: null };
    }
    case 'contact':
      return {
        ...state,
        contact: {
          ...state.contact,
          ...event.contact,
          address: { ...state.contact.address, ...event.contact.address },
        },
      };
    case 'submit':
      if (state.busy) return state;
      return { ...state, busy: true, error: null };
    case 'checkout':
      // A created or updated checkout moves the reader on from the step that asked for it.
      return {
        ...state,
        busy: false,
        error: null,
        checkout: event.checkout,
        step: next(product, state.step),
      };
    case 'payment':
      return { ...state, busy: false, error: null, payment: event.payment, step: 'review' };
    case 'paid':
      return { ...state, busy: false, error: null, checkout: event.checkout, step: 'done' };
    case 'failed': {
      const e = event.error;
      if (e.code === 'checkout_expired') {
        // The reservation is gone; keep every entry, start again from the product step.
        return { ...state, busy: false, error: e, checkout: null, payment: null, step: 'product' };
      }
      if (e.code === 'out_of_stock' || e.code === 'variant_unavailable') {
        return { ...state, busy: false, error: e, step: 'product' };
      }
      if (e.code === 'payment_declined')
        return { ...state, busy: false, error: e, payment: null, step: 'payment' };
      return { ...state, busy: false, error: e };
    }
    case 'back':
      if (state.busy) return state;
      return { ...state, error: null, step: previous(product, state.step) };
    case 'edit':
      if (state.busy || state.step !== 'review') return state;
      return { ...state, error: null, step: event.step };
    case 'restart':
      return { ...initialState(product), selection: state.selection, contact: state.contact };
    case 'resume':
      return {
        ...state,
        busy: false,
        checkout: event.checkout,
        step: stepForCheckout(product, event.checkout),
      };
  }
}
