import {
  html,
  LitElement,
  nothing,
  type PropertyValues,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import { property, state } from 'lit/decorators.js';
import { styles } from './buy-in-post.styles.ts';
import { BuyInPostOpenEvent } from './events.ts';
import { type I18n, i18nFor, onLangChange, resolveLocale } from './i18n/locale.ts';
import type { ProtocolClient } from './internal/client.ts';
import { ProductLoader } from './internal/product-loader.ts';
import { forgetReturn, isReturnFor } from './internal/return.ts';
import type { Product } from './internal/types.ts';
import { whenNearViewport } from './internal/visibility.ts';

/** The lazily loaded checkout (see `checkout/flow.ts`); the core chunk knows only this shape. */
export interface CheckoutView {
  show(): Promise<void>;
  hide(): void;
  render(): TemplateResult | typeof nothing;
  productChanged(product: Product): void;
}

/** What the checkout chunk may use of the element. */
export interface CheckoutHost extends HTMLElement, ReactiveControllerHost {
  readonly productData: Product | null;
  readonly client: ProtocolClient;
  readonly i18n: I18n;
  readonly post: string;
  readonly paymentMode: '' | 'elements' | 'hosted';
  open: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** Closes the dialog and gives focus back to the Buy button. */
  hide(): void;
  /** Re-fetches the product (stock changed). */
  reloadProduct(): Promise<void>;
}

type LoadState = 'idle' | 'loading' | 'ready' | 'missing' | 'unreachable';

const loadCheckout = () => import('./checkout/flow.ts');

/**
 * A Buy button beside a post. Pressing it opens, inside shadow DOM, the product's details,
 * then shipping and payment, then a confirmation — the order goes to the seller.
 *
 * @tagname buy-in-post
 * @summary Turns any post into a shop: Buy button, options, checkout, confirmation.
 *
 * @slot - Fallback shown without JavaScript and when the endpoint cannot be reached: put a
 *   plain link to the product page here.
 *
 * @fires {BuyInPostOpenEvent} buy-in-post-open - The reader pressed Buy and the dialog opened.
 * @fires {BuyInPostOptionChangeEvent} buy-in-post-option-change - The reader chose another option or quantity.
 * @fires {BuyInPostCheckoutStartEvent} buy-in-post-checkout-start - A checkout was created (stock reserved).
 * @fires {BuyInPostPurchaseEvent} buy-in-post-purchase - The order is paid and sent to the seller.
 * @fires {BuyInPostErrorEvent} buy-in-post-error - Something failed; `code` says what.
 * @fires {BuyInPostCloseEvent} buy-in-post-close - The dialog closed.
 *
 * @csspart button - The Buy button.
 * @csspart skeleton - The placeholder shown while the price loads.
 * @csspart dialog - The checkout dialog (a bottom sheet on narrow screens).
 * @csspart header - The dialog's header (step title, close button).
 * @csspart body - The dialog's scrolling content.
 * @csspart footer - The dialog's action bar (totals, continue).
 * @csspart close - The dialog's close button.
 * @csspart image - Product images.
 * @csspart option - An option's radio group.
 * @csspart swatch - A colour swatch.
 * @csspart quantity - The quantity stepper.
 * @csspart totals - The totals table.
 * @csspart field - A form field (label + input + message).
 * @csspart error - An error message with its way forward.
 * @csspart primary - The step's main action button.
 *
 * @cssproperty --buy-in-post-accent - Accent colour (button, focus rings). Default #1d4ed8.
 * @cssproperty --buy-in-post-on-accent - Text on the accent colour. Default white.
 * @cssproperty --buy-in-post-radius - Corner radius of the button. Default 999px.
 * @cssproperty --buy-in-post-font - Font family. Default: the host page's.
 * @cssproperty --buy-in-post-spacing - Base spacing. Default 0.5rem.
 * @cssproperty --buy-in-post-surface - Dialog background. Default the system Canvas colour.
 * @cssproperty --buy-in-post-text - Text colour. Default the system CanvasText colour.
 *
 * @cssstate loading - The product is loading.
 * @cssstate sold-out - Nothing can be bought.
 * @cssstate open - The checkout dialog is open.
 */
export class BuyInPost extends LitElement implements CheckoutHost {
  static override styles = styles;

  /** Registers the element (idempotent). */
  static define(tag = 'buy-in-post', registry: CustomElementRegistry = customElements) {
    if (!registry.get(tag)) registry.define(tag, class extends BuyInPost {});
  }

  /** The product id on the commerce endpoint. */
  @property() product = '';

  /** The commerce endpoint's base URL. Defaults to `<meta name="buy-in-post-endpoint" content="…">`. */
  @property() endpoint = '';

  /** Which post sells it (a post URL or id), sent to the endpoint with the order. */
  @property() post = '';

  /** A BCP 47 language tag; defaults to the nearest `lang` attribute. */
  @property() locale = '';

  /** Overrides the button's text (the price is still announced). */
  @property() label = '';

  /**
   * `hosted`: pay on the payment provider's own page and come back (for in-app browsers, and
   * pages whose Content-Security-Policy forbids payment iframes). By default the buyer pays in
   * the dialog; the endpoint may choose the hosted page regardless.
   */
  @property({ attribute: 'payment-mode' }) paymentMode: '' | 'elements' | 'hosted' = '';

  /** Whether the checkout dialog is open. */
  @property({ type: Boolean, reflect: true }) open = false;

  @state() private loadState: LoadState = 'idle';
  @state() private productValue: Product | null = null;
  @state() private langTick = 0;

  private view: CheckoutView | null = null;
  private viewLoading: Promise<CheckoutView> | null = null;
  private stopWatching: (() => void) | null = null;
  private stopLang: (() => void) | null = null;
  private readonly internals: ElementInternals | null;

  constructor() {
    super();
    this.internals = typeof this.attachInternals === 'function' ? this.attachInternals() : null;
  }

  get productData(): Product | null {
    return this.productValue;
  }

  get resolvedEndpoint(): string {
    return (
      this.endpoint ||
      document.querySelector<HTMLMetaElement>('meta[name="buy-in-post-endpoint"]')?.content ||
      ''
    );
  }

  get client(): ProtocolClient {
    return ProductLoader.for(this.resolvedEndpoint).client;
  }

  get i18n(): I18n {
    void this.langTick;
    return i18nFor(resolveLocale(this, this.locale));
  }

  override connectedCallback() {
    super.connectedCallback();
    this.stopLang = onLangChange(() => this.langTick++);
    this.watch();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.stopWatching?.();
    this.stopWatching = null;
    this.stopLang?.();
    this.stopLang = null;
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    if (
      (changed.has('product') || changed.has('endpoint')) &&
      this.isConnected &&
      changed.get('product') !== undefined
    ) {
      this.productValue = null;
      this.loadState = 'idle';
      this.watch();
    }
    this.setState('loading', this.loadState === 'loading' || this.loadState === 'idle');
    this.setState('sold-out', this.loadState === 'ready' && !this.productValue?.available);
    this.setState('open', this.open);
  }

  /** Opens the checkout dialog. */
  async show(): Promise<void> {
    if (!this.productValue) return;
    const view = await this.ensureView();
    await view.show();
    const opened = new BuyInPostOpenEvent(this.product);
    this.dispatchEvent(opened);
  }

  /** Closes the checkout dialog; an open checkout is kept for when the reader comes back. */
  hide(): void {
    this.view?.hide();
  }

  async reloadProduct(): Promise<void> {
    await this.load({ fresh: true });
  }

  /** Loads the product once the element comes near the viewport. */
  private watch() {
    this.stopWatching?.();
    if (!this.product) return;
    if (this.resolvedEndpoint && isReturnFor(this.client.base, this.product)) {
      // back from a payment page: show how it went, wherever the element is on the page
      void this.load().then(() => this.show().then(forgetReturn));
      return;
    }
    this.stopWatching = whenNearViewport(this, () => {
      this.stopWatching = null;
      void this.load();
    });
  }

  private async load({ fresh = false } = {}) {
    if (!this.resolvedEndpoint || !this.product) {
      this.loadState = 'unreachable';
      return;
    }
    const id = this.product;
    if (!this.productValue) this.loadState = 'loading';
    try {
      const product = await ProductLoader.for(this.resolvedEndpoint).load(id, { fresh });
      if (id !== this.product) return;
      this.productValue = product;
      this.loadState = product ? 'ready' : 'missing';
      if (product) this.view?.productChanged(product);
    } catch {
      if (id === this.product && !this.productValue) this.loadState = 'unreachable';
    }
  }

  private ensureView(): Promise<CheckoutView> {
    if (!this.viewLoading) {
      this.viewLoading = loadCheckout().then(({ CheckoutFlow }) => {
        const view: CheckoutView = new CheckoutFlow(this);
        this.view = view;
        return view;
      });
    }
    return this.viewLoading;
  }

  private setState(name: string, on: boolean) {
    const states = this.internals?.states;
    if (!states) return;
    try {
      if (on) states.add(name);
      else states.delete(name);
    } catch {
      // older engines only accept the legacy `--name` form; styling hooks are a nicety
    }
  }

  protected override render() {
    return html`${this.renderButton()}${this.view?.render() ?? nothing}`;
  }

  private renderButton() {
    const { t, dir } = this.i18n;
    switch (this.loadState) {
      case 'idle':
      case 'loading':
        return html`<span part="skeleton" role="status" aria-label=${t.loading}></span>`;
      case 'missing':
      case 'unreachable':
        // The light-DOM fallback (a plain link), or the product page if we know it.
        return html`<slot>${this.productValue?.url ? html`<a href=${this.productValue.url}>${t.viewProduct}</a>` : nothing}</slot>`;
    }
    const p = this.productValue!;
    const prices = new Set(p.variants.map((v) => v.price.amount));
    const price = this.i18n.money(p.priceFrom);
    const text = !p.available
      ? t.soldOut
      : this.label || (prices.size > 1 ? t.buyFrom(price) : t.buy(price));
    return html`<button
      part="button"
      type="button"
      dir=${dir}
      lang=${this.i18n.locale}
      aria-haspopup="dialog"
      aria-expanded=${this.open ? 'true' : 'false'}
      aria-label=${this.label ? `${this.label}, ${price}` : nothing}
      ?disabled=${!p.available}
      @pointerenter=${this.handleIntent}
      @focus=${this.handleIntent}
      @touchstart=${this.handleIntent}
      @click=${this.handleClick}
    >
      ${text}
    </button>`;
  }

  /** First sign of interest: fetch the checkout chunk so the dialog opens at once. */
  private handleIntent = () => {
    if (this.productValue?.available) void this.ensureView();
  };

  private handleClick = () => {
    void this.show();
  };
}
