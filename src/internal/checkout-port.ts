import type { CSSResultOrNative, nothing, ReactiveControllerHost, TemplateResult } from 'lit';
import type { ProtocolClient } from './client.ts';
import type { Product } from './types.ts';

/*
 * The seam between the core chunk (the element: Buy button, product loading) and the checkout
 * chunk it loads on the reader's first sign of interest — everything either side knows of the
 * other. Types only: both sides import this leaf and neither imports the other; the core reaches
 * the chunk through one dynamic `import('./checkout/index.ts')`.
 *
 * One owner per fact: the element owns `open`, fires `buy-in-post-open` and `buy-in-post-close`
 * and gives the focus back to its Buy button; the checkout owns the dialog and what is in it,
 * and tells the element the dialog closed through one call, `checkoutClosed()`. A checkout view
 * serves one product on one endpoint: the element disposes of it when either changes.
 */

export type PaymentMode = '' | 'elements' | 'hosted';

/** How the host page signs its reader in to their saved details (the element's properties). */
export interface HostBuyerIdentity {
  /** A buyer token the host signed for its signed-in reader (`buyer-token`), or ''. */
  readonly buyerToken: string;
  /** The host page's way to sign a fresh buyer token (`getBuyerToken`), if it set one. */
  readonly getBuyerToken: (() => Promise<string | null>) | null;
}

/**
 * What the checkout may use of the element: a facade the element makes for it, so that none of
 * this becomes the element's public API.
 */
export interface CheckoutHost extends ReactiveControllerHost {
  /**
   * The element: events are dispatched on it; a payment form's light-DOM node goes in it; the
   * host page's sign-in for its reader is read from it.
   */
  readonly element: HTMLElement & HostBuyerIdentity;
  /** The element's shadow root, where the dialog renders. */
  readonly renderRoot: ShadowRoot;
  /** The product, as last read from the endpoint (it changes when the stock does). */
  readonly product: Product;
  readonly client: ProtocolClient;
  /** The language in force (a BCP 47 tag): the element's `locale`, else the nearest `lang`. */
  readonly locale: string;
  /** Which post sells it (sent with the checkout). */
  readonly post: string;
  readonly paymentMode: PaymentMode;
  /** Whether the element shows the checkout (the element's own `open`, read-only here). */
  readonly open: boolean;
  /** Adds the checkout's styles to the element's (they arrive with the chunk). */
  addStyles(styles: CSSResultOrNative[]): void;
  /** The dialog closed, however the reader closed it: the element takes it from here. */
  checkoutClosed(): void;
  /** Reads the product again (stock changed); the view then hears `productChanged()`. */
  reloadProduct(): Promise<void>;
}

/** The checkout, as the element drives it. */
export interface CheckoutView {
  /**
   * The element has set `open` and rendered: show the dialog (modal), resume a saved checkout,
   * put the focus on the step. When already shown, only the focus moves.
   */
  show(): Promise<void>;
  /** Closes the dialog; `host.checkoutClosed()` follows. An open checkout is kept. */
  hide(): void;
  /** The dialog while the element is open, else nothing. */
  render(): TemplateResult | typeof nothing;
  /** The same product was read again (`host.product` is the new copy). */
  productChanged(): void;
  /** The element shows another product or endpoint now: stop and let go of everything. */
  dispose(): void;
}

/** The checkout chunk's entry point (checkout/index.ts). */
export type CreateCheckout = (host: CheckoutHost) => CheckoutView;
