// Over 300 lines on purpose: the element's public API lives here as JSDoc (it generates
// custom-elements.json: about 70 lines of tags), beside the properties and the lifecycle it documents.
import {
  adoptStyles,
  type CSSResultOrNative,
  html,
  LitElement,
  nothing,
  type PropertyDeclaration,
  type PropertyValues,
  render,
} from 'lit';
import { styles } from './buy-in-post.styles.ts';
import { BuyInPostCloseEvent, BuyInPostOpenEvent } from './events.ts';
import { type CoreMessages, coreI18n } from './i18n/core-messages.ts';
import { type I18n, onLangChange, resolveLocale, warmNumbers } from './i18n/locale.ts';
import type { CheckoutHost, CheckoutView } from './internal/checkout-port.ts';
import { ProductController } from './internal/product-controller.ts';
import { forget, putOff } from './internal/put-off.ts';
import { forgetReturn } from './internal/return.ts';
import type { Product } from './internal/types.ts';
import { whenViewport } from './internal/visibility.ts';

type CheckoutChunk = typeof import('./checkout/index.ts');
let checkoutChunk: CheckoutChunk | null = null;
/**
 * The checkout chunk, fetched on the first sign of interest (its entry: checkout/index.ts).
 * Once loaded it is handed over in a microtask: import() of a module already there still
 * answers in a task of its own, frames later — on the way from Buy to the dialog.
 */
function loadCheckout(): Promise<CheckoutChunk> {
  if (checkoutChunk) return Promise.resolve(checkoutChunk);
  return import('./checkout/index.ts').then((chunk) => {
    checkoutChunk = chunk;
    return chunk;
  });
}

/** A reactive property, and what it reads as until it is set (BuyInPost.getPropertyDescriptor). */
type Declared = PropertyDeclaration & { readonly default?: unknown };

/**
 * How long an element near the viewport waits for its price before it shows the loading
 * placeholder: a look-up answered sooner is the element's first render. Meanwhile the element is
 * as the page had it — its fallback link, in the page's box of the button's size.
 */
const PLACEHOLDER_AFTER_MS = 200;

/** The element's shadow content: its button, then the checkout's, if any. */
const view = (button: unknown, checkout?: unknown) => html`${button}${checkout ?? nothing}`;

/**
 * The Buy button of a product that was read — for the element's render and its early drawing
 * (BuyInPost.drawEarly), which must be the same templates.
 */
function readyButton(
  p: Product,
  i18n: I18n<CoreMessages>,
  label: string,
  open: boolean,
  click: () => unknown,
  intent?: () => void,
) {
  const { t, dir } = i18n;
  const prices = new Set(p.variants.map((v) => v.price.amount));
  const price = i18n.money(p.priceFrom);
  const text = !p.available
    ? p.unavailableReason
      ? t.unavailable
      : t.soldOut
    : label || (prices.size > 1 ? t.buyFrom(price) : t.buy(price));
  return html`<button
    part="button"
    type="button"
    dir=${dir}
    lang=${i18n.locale}
    aria-haspopup="dialog"
    aria-expanded=${open ? 'true' : 'false'}
    aria-label=${label ? `${label}, ${price}` : nothing}
    ?disabled=${!p.available}
    @pointerenter=${intent}
    @focus=${intent}
    @touchstart=${intent}
    @click=${click}
  >
    ${text}
  </button>`;
}

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
 * @fires {BuyInPostSignedInEvent} buy-in-post-signed-in - The reader signed in to their saved details (`method`: `code` or `host-token`).
 * @fires {BuyInPostDetailsDeletedEvent} buy-in-post-details-deleted - The reader deleted saved details (`what`: `address`, `payment-method` or `everything`).
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
 * @csspart refund - On the confirmation, what the seller refunded since the order.
 * @csspart field - A form field (label + input + message).
 * @csspart error - An error message with its way forward.
 * @csspart primary - The step's main action button.
 * @csspart wallet - The line offering sign-in, or the signed-in reader's "Saved details".
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
 * @cssstate far - Drawn, and since then far from the viewport: the browser may skip it off
 * screen (`content-visibility: auto`).
 */
export class BuyInPost extends LitElement {
  static override styles = styles;

  /** The reactive properties (declared below, each with its documentation), and their defaults. */
  static override properties: Record<string, Declared> = {
    product: { default: '' },
    endpoint: { default: '' },
    post: { default: '' },
    locale: { default: '' },
    label: { default: '' },
    paymentMode: { attribute: 'payment-mode', default: '' },
    buyerToken: { attribute: 'buyer-token', default: '' },
    getBuyerToken: { attribute: false, default: null },
    open: { type: Boolean, reflect: true, default: false },
  };

  /**
   * The reactive properties' defaults, read through Lit's accessors until a property is set: at
   * upgrade no element sets ten properties through their setters (a timeline upgrades a
   * thousand elements in one task).
   * @internal
   */
  protected static override getPropertyDescriptor(
    name: PropertyKey,
    key: string | symbol,
    options: Declared,
  ) {
    // biome-ignore lint/complexity/noThisInStatic: Lit's descriptor reads this class's prototype
    const d = super.getPropertyDescriptor(name, key, options)!;
    if (!('default' in options)) return d; // a subclass's own property reads as Lit has it
    const fallback = options.default;
    return {
      ...d,
      // Lit keeps the value under `key` (these properties have no accessor of their own).
      get(this: Record<string | symbol, unknown>) {
        return this[key] ?? fallback;
      },
    };
  }

  /** Registers the element (idempotent). */
  static define(tag = 'buy-in-post', registry: CustomElementRegistry = customElements) {
    if (!registry.get(tag)) registry.define(tag, class extends BuyInPost {});
  }

  /**
   * The product id on the commerce endpoint.
   * @default ''
   */
  product!: string;

  /**
   * The commerce endpoint's base URL. Defaults to `<meta name="buy-in-post-endpoint" content="…">`.
   * @default ''
   */
  endpoint!: string;

  /**
   * Which post sells it (a post URL or id), sent to the endpoint with the order.
   * @default ''
   */
  post!: string;

  /**
   * A BCP 47 language tag; defaults to the nearest `lang` attribute.
   * @default ''
   */
  locale!: string;

  /**
   * Overrides the button's text (the price is still announced).
   * @default ''
   */
  label!: string;

  /**
   * `hosted`: pay on the payment provider's own page and come back (for in-app browsers, and
   * pages whose Content-Security-Policy forbids payment iframes). By default the buyer pays in
   * the dialog; the endpoint may choose the hosted page regardless.
   * @default ''
   */
  paymentMode!: '' | 'elements' | 'hosted';

  /**
   * A buyer token (a short-lived JWT) the host page signed for its signed-in reader: the checkout
   * opens their saved details in one tap, no code (docs/wallet.md). Single use.
   * @default ''
   */
  buyerToken!: string;

  /**
   * Called when the checkout needs a fresh buyer token for the host's signed-in reader (a token
   * is single use and lives minutes); resolves null when nobody is signed in. Preferred to
   * `buyer-token` when both are set. (A reactive property only so that a value set before the
   * element is defined is kept.)
   * @default null
   */
  getBuyerToken!: (() => Promise<string | null>) | null;

  /**
   * Whether the checkout dialog is open.
   * @default false
   */
  open!: boolean;

  /** The product shown, and from where (internal/product-controller.ts). */
  private readonly products = new ProductController(this, {
    near: (answered) => this.allowRender(answered),
    rebound: () => this.dropView(),
    loaded: () => this.view?.productChanged(),
    returned: () => void this.show().then(forgetReturn),
  });
  /** The checkout, for the product and endpoint bound when it was made. */
  private view: CheckoutView | null = null;
  private viewLoading: Promise<CheckoutView | null> | null = null;
  private stopLang: (() => void) | null = null;
  private readonly internals: ElementInternals | null;
  /** Whether the element may render: it has neared the viewport, or must show itself. */
  private mayRender = false;
  private releaseFirstRender: (() => void) | null = null;

  constructor() {
    super();
    this.internals = typeof this.attachInternals === 'function' ? this.attachInternals() : null;
  }

  /** The language in force: `locale`, else the nearest `lang` (through shadow roots). */
  private get localeInForce(): string {
    return resolveLocale(this, this.locale);
  }

  private get i18n(): I18n<CoreMessages> {
    return coreI18n(this.localeInForce);
  }

  override connectedCallback() {
    // Upgraded by a timeline's registration: connected in a task after it (internal/put-off.ts),
    // and meanwhile in the box the page's rule gives this state.
    if (putOff(this)) return this.setState('loading', true);
    super.connectedCallback();
    if (this.mayRender) this.followLang();
    // Not rendered yet (far from the viewport): the page's rule sizes the box by this state.
    else this.setState('loading', true);
  }

  override disconnectedCallback() {
    forget(this);
    // Off the page the dialog is gone (the checkout is kept, to resume if the element returns).
    this.open = false;
    super.disconnectedCallback();
    this.stopLang?.();
    this.stopLang = null;
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    // Pointed at another product or endpoint (a timeline recycling its cells): everything shown
    // so far, the checkout included, belonged to the old one.
    if ((changed.has('product') || changed.has('endpoint')) && this.products.stale)
      this.products.rebind();
    this.syncStates();
  }

  /**
   * No shadow root while far from the viewport: Lit makes it before the first render instead
   * (performUpdate), so a far element stays as the page had it before the script ran — its
   * fallback, sized by the page's rule (docs/embedding.md) — and costs the page no new style,
   * layout or paint. On a timeline, attaching a thousand styled shadow roots was most of the
   * upgrade's time and made the next frame lay out every post again.
   */
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    if (!this.mayRender) return undefined as unknown as HTMLElement;
    const drawn = this.shadowRoot; // drawn before the registration (drawEarly)
    const root = super.createRenderRoot();
    // Lit renders before the root's first node, as a new part; the drawing's part is the root's.
    if (drawn) this.renderOptions.renderBefore = undefined;
    return root;
  }

  /**
   * The first render waits until the element nears the viewport (or must show itself), and its
   * price comes (allowRender): on a timeline of a thousand posts, the far ones cost their upgrade
   * only, not a shadow tree, a style and an animation. `updateComplete` waits with it.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.mayRender)
      await new Promise<void>((resolve) => {
        this.releaseFirstRender = resolve;
      });
    super.scheduleUpdate();
  }

  /**
   * Near the viewport. The first render waits for the product's answer (`answered`), so that it
   * shows the price — not the placeholder, then the price in another render and frame — unless
   * the answer takes longer than {@link PLACEHOLDER_AFTER_MS}: the placeholder shows meanwhile.
   */
  private allowRender(answered?: Promise<void>) {
    warmNumbers();
    if (!answered || this.mayRender) return this.releaseRender();
    const release = () => {
      clearTimeout(timer);
      this.releaseRender();
    };
    const timer = setTimeout(release, PLACEHOLDER_AFTER_MS);
    void answered.then(release);
  }

  private releaseRender() {
    if (this.mayRender) return;
    this.mayRender = true;
    this.releaseFirstRender?.();
    this.releaseFirstRender = null;
    if (this.isConnected) this.followLang();
  }

  /** Renders again when a `lang` changes (an element not rendered yet reads it when it does). */
  private followLang() {
    // A `lang` attribute changed anywhere: render again in the language in force.
    this.stopLang ??= onLangChange(() => this.requestUpdate());
  }

  private syncStates() {
    const { state, value } = this.products;
    this.setState('loading', state === 'loading' || state === 'idle');
    this.setState('sold-out', state === 'ready' && !value?.available);
    this.setState('open', this.open);
  }

  /** Opens the checkout dialog. */
  async show(): Promise<void> {
    if (!this.products.value) return;
    const view = await this.ensureView();
    if (!view) return; // pointed elsewhere while the checkout loaded
    if (this.open) return view.show();
    this.open = true;
    await this.updateComplete;
    await view.show();
    this.dispatchEvent(new BuyInPostOpenEvent(this.product));
  }

  /** Closes the checkout dialog; an open checkout is kept for when the reader comes back. */
  hide(): void {
    this.view?.hide();
  }

  /** The checkout's dialog closed (Escape, Close, Done, `hide()`). */
  private checkoutClosed() {
    if (!this.open) return;
    this.open = false;
    this.dispatchEvent(new BuyInPostCloseEvent(this.product));
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('[part="button"]')?.focus(),
    );
  }

  private ensureView(): Promise<CheckoutView | null> {
    if (!this.viewLoading) {
      const loading = loadCheckout().then(({ createCheckout }) => {
        if (this.viewLoading !== loading || !this.products.value) return null;
        this.view = createCheckout(this.checkoutHost());
        return this.view;
      });
      this.viewLoading = loading;
    }
    return this.viewLoading;
  }

  /** Lets go of the checkout (it was for another product or endpoint). */
  private dropView() {
    if (!this.viewLoading) return;
    this.view?.dispose();
    this.view = null;
    this.viewLoading = null;
    this.open = false;
  }

  /** What the checkout may use of the element (see internal/checkout-port.ts). */
  private checkoutHost(): CheckoutHost {
    const el = this;
    return {
      element: el,
      get renderRoot() {
        return el.renderRoot as ShadowRoot;
      },
      get product() {
        return el.products.value!;
      },
      get client() {
        return el.products.client;
      },
      get locale() {
        return el.localeInForce;
      },
      get post() {
        return el.post;
      },
      get paymentMode() {
        return el.paymentMode;
      },
      get open() {
        return el.open;
      },
      get updateComplete() {
        return el.updateComplete;
      },
      addController: (c) => el.addController(c),
      removeController: (c) => el.removeController(c),
      requestUpdate: () => el.requestUpdate(),
      addStyles: (extra: CSSResultOrNative[]) =>
        adoptStyles(el.renderRoot as ShadowRoot, [
          ...(el.constructor as typeof LitElement).elementStyles,
          ...extra,
        ]),
      checkoutClosed: () => el.checkoutClosed(),
      reloadProduct: () => el.products.load({ fresh: true }),
    };
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

  /**
   * Once drawn, the host becomes `content-visibility: auto` when it is first far from the
   * viewport (styles: `:state(far)`), not on the way to its first price.
   */
  protected override firstUpdated() {
    whenViewport(this, false, () => this.setState('far', true));
  }

  protected override render() {
    return view(this.renderButton(), this.view?.render());
  }

  /**
   * Draws the Buy button of `el`, an element not yet upgraded, priced (internal/first-screen.ts):
   * in its shadow root, from the same templates as the element's own first render, which then
   * keeps what is drawn (Lit finds the drawing's part on the root). A press before the
   * registration opens the checkout once it is done.
   * @internal
   */
  static drawEarly(el: HTMLElement, product: Product) {
    BuyInPost.finalize();
    const root = el.attachShadow(BuyInPost.shadowRootOptions);
    adoptStyles(root, BuyInPost.elementStyles);
    // A locale or label the page set as a property before the upgrade, else the attribute.
    const own = el as Partial<BuyInPost>;
    const i18n = coreI18n(resolveLocale(el, own.locale ?? el.getAttribute('locale')));
    const press = () =>
      customElements
        .whenDefined(el.localName)
        .then(() => (el as BuyInPost).updateComplete)
        // (not upgraded if it left the page meanwhile)
        .then(() => (el as BuyInPost).show?.());
    render(
      view(readyButton(product, i18n, own.label ?? el.getAttribute('label') ?? '', false, press)),
      root,
      { host: el },
    );
  }

  private renderButton() {
    const i18n = this.i18n;
    const { t, dir } = i18n;
    const p = this.products.value;
    switch (this.products.state) {
      case 'idle':
      case 'loading':
        return html`<span part="skeleton" role="status" aria-label=${t.loading}></span>`;
      case 'missing':
      case 'unreachable': {
        // An endpoint of a protocol version this element does not speak: said plainly.
        const notice = this.products.notice;
        if (notice) return html`<span part="error" role="note" dir=${dir}>${notice}</span>`;
        // The light-DOM fallback (a plain link), else the endpoint's product page (`/p/{id}`,
        // readable and buyable without the element) — unless the endpoint said there is no such
        // product. In a span: the host is a flex box, and text beside a link must still flow.
        return html`<span><slot>${
          this.products.state === 'unreachable' && this.product
            ? html`<a href=${`${this.products.endpoint.replace(/\/+$/, '')}/p/${encodeURIComponent(this.product)}`}>${t.viewProduct}</a>`
            : nothing
        }</slot></span>`;
      }
    }
    if (!p) return nothing; // 'ready' always has a product
    // Methods, not a closure of each element's: Lit calls a listener with the host as `this`.
    return readyButton(p, i18n, this.label, this.open, this.show, this.intent);
  }

  /** First sign of interest: fetch the checkout chunk so the dialog opens at once. */
  private intent() {
    if (this.products.value?.available) void this.ensureView();
  }
}
