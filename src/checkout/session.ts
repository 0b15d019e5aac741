import type { PaymentMode } from '../internal/checkout-port.ts';
import { pageUrl } from '../internal/return.ts';
import { readSaved, type SavedCheckout } from '../internal/saved-checkout.ts';
import type {
  Checkout,
  CreateCheckoutBody,
  Product,
  UpdateCheckoutBody,
} from '../internal/types.ts';
import { addressFrom } from './contact.ts';
import type { FlowState, PaymentInput } from './machine.ts';
import type { PaymentAdapter } from './payment/types.ts';
import { clearSaved, writeSaved } from './saved.ts';
import type { CheckoutClient } from './wallet/client.ts';

/**
 * Waiting for a `processing` payment (Stripe's webhook, a bank): reads back off from half a
 * second to five, for a minute at most; after six seconds the reader is told it takes long.
 */
const PROCESSING_WAIT_MS = 60_000;
const PROCESSING_SLOW_MS = 6_000;

/**
 * The body that creates a checkout. After an expiry the new checkout starts with what the
 * reader already entered (an address only where the seller still ships).
 */
export function createBody(
  product: Product,
  variantId: string,
  state: Pick<FlowState, 'selection' | 'contact'>,
  postRef: string,
  paymentMode: PaymentMode = '',
): CreateCheckoutBody {
  const email = state.contact.email.trim();
  const address = product.kind === 'physical' ? addressFrom(state.contact) : null;
  const ships = address && product.shipsTo.includes(address.country);
  return {
    productId: product.id,
    variantId,
    quantity: state.selection.quantity,
    ...(postRef ? { postRef } : {}),
    ...(email ? { email, shareEmail: state.contact.shareEmail } : {}),
    ...(ships ? { shippingAddress: address } : {}),
    ...(paymentMode ? { paymentMode } : {}),
    // where a hosted payment page (or a bank's) sends the reader back
    returnUrl: pageUrl(),
  };
}

/**
 * The conversation with the endpoint about one product's checkout: the checkout it holds (id and
 * client token), the AbortController of what is in flight, and the copy of the id and token in
 * sessionStorage that lets a reload resume — only those two: everything else is read back from
 * the endpoint. Knows nothing of the dialog.
 */
export class CheckoutSession {
  private held: SavedCheckout | null = null;
  private controller = new AbortController();

  constructor(
    private readonly client: CheckoutClient,
    private readonly productId: string,
  ) {}

  /** The checkout an earlier visit left in this tab, if any: its id, to read it back. */
  restore(): string | null {
    this.held = readSaved(this.client.base, this.productId);
    return this.held?.checkoutId ?? null;
  }

  private get token(): string | null {
    return this.held?.clientToken ?? null;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True while we hold the token of a checkout (it is ours to read, change and pay). */
  get holdsCheckout(): boolean {
    return this.token !== null;
  }

  /** A new window of requests (the dialog opened again). */
  renew() {
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  /** Stops waiting for what is in flight (the dialog closed, the element left the page). */
  abort() {
    this.controller.abort();
  }

  /** The checkout is gone (expired, canceled): its token opens nothing any more. */
  forget() {
    this.clear();
  }

  /**
   * Lets go of the checkout held, releasing its stock at once (a reader who signed in starts a
   * checkout of their own: only a new checkout is bound to the buyer). Best effort: an
   * unreleased reservation lapses by itself.
   */
  async release() {
    const held = this.held;
    this.clear();
    if (held) await this.client.cancelCheckout(held.checkoutId, held.clientToken).catch(() => {});
  }

  /** After the order: the next Buy starts afresh. */
  clear() {
    this.held = null;
    clearSaved(this.client.base, this.productId);
  }

  async create(body: CreateCheckoutBody, idempotencyKey: string): Promise<Checkout> {
    const created = await this.client.createCheckout(body, idempotencyKey, this.signal);
    if (created.clientToken) {
      this.held = { checkoutId: created.id, clientToken: created.clientToken };
      writeSaved(this.client.base, this.productId, this.held);
    }
    return created;
  }

  update(id: string, body: UpdateCheckoutBody): Promise<Checkout> {
    return this.client.updateCheckout(id, this.token!, body, this.signal);
  }

  read(id: string): Promise<Checkout> {
    return this.client.getCheckout(id, this.token!, this.signal);
  }

  /** Pays through the adapter the endpoint's hand-off chose. */
  confirm(
    adapter: PaymentAdapter,
    checkout: Checkout,
    input: PaymentInput,
    key: string,
    outOfTopLayer: <T>(work: () => Promise<T>) => Promise<T>,
  ) {
    return adapter.confirm({
      client: this.client,
      checkout,
      clientToken: this.token!,
      input,
      idempotencyKey: key,
      signal: this.signal,
      outOfTopLayer,
    });
  }

  /** Reads a `processing` checkout again, backing off, until it settles (or we stop waiting). */
  async settled(checkout: Checkout, onSlow: () => void = () => {}): Promise<Checkout> {
    let c = checkout;
    let waited = 0;
    for (let delay = 500; c.status === 'processing' && waited < PROCESSING_WAIT_MS; ) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (waited < PROCESSING_SLOW_MS && waited + delay >= PROCESSING_SLOW_MS) onSlow();
      waited += delay;
      delay = Math.min(delay * 2, 5_000);
      c = await this.read(c.id);
    }
    return c;
  }
}
