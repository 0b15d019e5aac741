// <bip-dashboard>: the shell — who is signed in, which page the path names, the navigation,
// the language switch, and focus moved to each new page's heading (announced by screen readers).
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { api } from './api.ts';
import { LOCALES, type Locale, LocaleController, locale, setLocale, t } from './i18n.ts';
import { BASE, href, navigate, parseRoute, type Route } from './router.ts';
import { readSession, type Session, signOut } from './session.ts';

export class Dashboard extends LitElement {
  @state() private route: Route = parseRoute(location.pathname);
  /** undefined: not known yet; null: nobody signed in. */
  @state() private session: Session | null | undefined = undefined;
  /**
   * Whether the endpoint runs platform payouts for this seller (GET /v1/seller/payouts answers);
   * undefined until it has said.
   */
  @state() private payouts: boolean | undefined = undefined;
  @state() private failure = '';

  /** Re-renders the shell (navigation, language switch) in the chosen language. */
  protected readonly i18n = new LocaleController(this);
  private focusAfterRender = false;

  protected override createRenderRoot() {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.handleLocation);
    window.addEventListener('bip-navigate', this.handleLocation);
    // Same-origin links under /seller/ change page without a reload.
    this.addEventListener('click', this.handleClick);
    api.onUnauthorized = () => {
      this.session = null;
      this.go(href({ page: 'sign-in' }), true);
    };
    this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.handleLocation);
    window.removeEventListener('bip-navigate', this.handleLocation);
    this.removeEventListener('click', this.handleClick);
  }

  private async start() {
    try {
      this.failure = '';
      this.session = await readSession();
    } catch {
      this.failure = t('app.networkError');
      return;
    }
    if (!this.session) this.go(href({ page: 'sign-in' }), true);
    else {
      if (this.route.page === 'sign-in') this.go(href({ page: 'products' }), true);
      this.checkPayouts();
    }
  }

  /** The Payouts page exists only where the endpoint answers for it (platform mode). */
  private async checkPayouts() {
    try {
      await api.get('/seller/payouts');
      this.payouts = true;
    } catch {
      this.payouts = false;
    }
  }

  private go(path: string, replace = false) {
    navigate(path, { replace });
  }

  private readonly handleLocation = () => {
    this.route = parseRoute(location.pathname);
    this.focusAfterRender = true;
  };

  private readonly handleClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return;
    const a = (e.target as Element).closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (!a.pathname.startsWith(BASE)) return;
    // A link within this page (the skip link) is the browser's to follow.
    if (a.hash && a.pathname === location.pathname && a.search === location.search) return;
    e.preventDefault();
    if (a.pathname !== location.pathname || a.search !== location.search)
      this.go(a.pathname + a.search);
  };

  private readonly handleSignedIn = (e: CustomEvent<Session>) => {
    this.session = e.detail;
    this.go(href({ page: 'products' }), true);
    this.checkPayouts();
  };

  private readonly handleSessionChanged = (e: CustomEvent<Session>) => {
    this.session = e.detail;
  };

  private async handleSignOut() {
    try {
      await signOut();
    } finally {
      this.session = null;
      this.payouts = undefined;
      this.go(href({ page: 'sign-in' }), true);
    }
  }

  private handleLocale(e: Event) {
    setLocale((e.target as HTMLSelectElement).value as Locale);
  }

  protected override async updated() {
    if (!this.focusAfterRender) return;
    this.focusAfterRender = false;
    const page = this.querySelector('main > *') as LitElement | null;
    await page?.updateComplete;
    const h1 = this.querySelector<HTMLElement>('main h1');
    h1?.focus();
  }

  protected override render() {
    if (this.failure)
      return html`<main id="main" class="narrow">
        <h1 tabindex="-1">${t('app.title')}</h1>
        <p class="form-error" role="alert">${this.failure}</p>
        <button type="button" @click=${() => this.start()}>${t('app.retry')}</button>
      </main>`;
    if (this.session === undefined)
      return html`<main id="main"><p role="status">${t('app.loading')}</p></main>`;
    return html`<a class="skip" href="#main">${t('app.skip')}</a>
      ${this.renderHeader()}
      <main id="main" tabindex="-1" @bip-signed-in=${this.handleSignedIn} @bip-session=${this.handleSessionChanged}>
        ${this.renderPage()}
      </main>`;
  }

  private renderHeader(): TemplateResult {
    const signedIn = Boolean(this.session);
    const here = this.route.page;
    const link = (route: Route, label: string, current: boolean) =>
      html`<li><a href=${href(route)} aria-current=${current ? 'page' : 'false'}>${label}</a></li>`;
    return html`<header class="top">
      <p class="brand">${signedIn ? this.session!.seller.name : t('app.title')}</p>
      ${
        signedIn
          ? html`<nav aria-label=${t('app.nav')}>
            <ul>
              ${link({ page: 'products' }, t('nav.products'), ['products', 'product', 'share'].includes(here))}
              ${link({ page: 'orders' }, t('nav.orders'), ['orders', 'order'].includes(here))}
              ${link({ page: 'settings' }, t('nav.settings'), here === 'settings')}
              ${this.payouts ? link({ page: 'payouts' }, t('nav.payouts'), here === 'payouts') : nothing}
            </ul>
          </nav>`
          : nothing
      }
      <div class="tools">
        <label class="inline"
          >${t('app.language')}
          <select @change=${this.handleLocale}>
            ${LOCALES.map(
              (l) =>
                html`<option value=${l} ?selected=${l === locale()} lang=${l}>
                  ${l === 'en' ? 'English' : 'العربية'}
                </option>`,
            )}
          </select></label
        >
        ${
          signedIn
            ? html`<button type="button" class="secondary" @click=${this.handleSignOut}>
              ${t('app.signOut')}
            </button>`
            : nothing
        }
      </div>
    </header>`;
  }

  private renderPage(): TemplateResult {
    const s = this.session;
    const r = this.route;
    if (!s) return html`<bip-sign-in></bip-sign-in>`;
    switch (r.page) {
      case 'sign-in':
      case 'products':
        return html`<bip-products .session=${s}></bip-products>`;
      case 'product':
        return html`<bip-product-edit .session=${s} .productId=${r.id}></bip-product-edit>`;
      case 'share':
        return html`<bip-share .session=${s} .productId=${r.id}></bip-share>`;
      case 'orders':
        return html`<bip-orders .session=${s}></bip-orders>`;
      case 'order':
        return html`<bip-order-detail .session=${s} .orderId=${r.id}></bip-order-detail>`;
      case 'settings':
        return html`<bip-settings .session=${s}></bip-settings>`;
      case 'payouts':
        if (this.payouts === undefined) return html`<p role="status">${t('app.loading')}</p>`;
        return this.payouts
          ? html`<bip-payouts .session=${s}></bip-payouts>`
          : html`<bip-not-found></bip-not-found>`;
      default:
        return html`<bip-not-found></bip-not-found>`;
    }
  }
}
