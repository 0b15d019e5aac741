// Over 300 lines on purpose: the one controller that feeds the state machine and performs its
// effects (protocol calls through purchase.ts, payment adapters, the wallet's session) for every step.
import type { ReactiveController } from 'lit';
import { BuyInPostOptionChangeEvent, BuyInPostSignedInEvent } from '../events.ts';
import type { I18n } from '../i18n/locale.ts';
import { checkoutI18n, type Messages } from '../i18n/messages.ts';
import type { CheckoutHost } from '../internal/checkout-port.ts';
import type { Money, Product } from '../internal/types.ts';
import { addressFrom, type ContactField } from './contact.ts';
import {
  type FlowEvent,
  type FlowState,
  initialState,
  type PaymentInput,
  type Step,
  savedCardOf,
  stepsFor,
  transition,
  variantFor,
} from './machine.ts';
import { adapterFor } from './payment/factory.ts';
import type { PaymentAdapter } from './payment/types.ts';
import { Purchase, type PurchaseUi } from './purchase.ts';
import { CheckoutSession } from './session.ts';
import type { PaymentView, WalletView } from './steps/context.ts';
import { BuyerAccount } from './wallet/account.ts';
import { CheckoutClient } from './wallet/client.ts';

/** What the flow asks of the dialog around it (view.ts). */
export interface FlowUi extends PurchaseUi {
  /** The reader is on another step: say which, and put the focus on its heading. */
  stepChanged(): void;
  /** Closes the dialog. */
  close(): void;
}

/**
 * The checkout's logic: the state machine (machine.ts) fed with what the reader does and what
 * the endpoint answers (purchase.ts), the state saved for a reload (session.ts), the payment
 * hand-off's adapter. One per element and product; it outlives the dialog, so closing and
 * reopening — or reloading the page — resumes where the reader was. What the reader sees is the
 * view's (view.ts), reached only through FlowUi. A reactive controller of the element, so it
 * hears of disconnection and stops waiting for answers nobody will see.
 */
export class CheckoutFlow implements ReactiveController {
  state: FlowState;
  /**
   * The product this checkout sells, as last read. Its own copy: once disposed of (the element
   * moved on to another product), an answer still on its way must not be taken for the new one.
   */
  private current: Product;
  private readonly session: CheckoutSession;
  private readonly purchase: Purchase;
  private adapter: PaymentAdapter | null = null;
  private adapterKey: string | null = null;
  /** The reader's saved details with this endpoint (shared by every element on the page). */
  readonly account: BuyerAccount;
  private unsubscribe: (() => void) | null = null;
  /** The host page's sign-in under way (a checkout waits for it, to start with the wallet). */
  private hostSignIn: Promise<unknown> = Promise.resolve();
  /** The wallet being read for a session this page already held. */
  private walletLoad: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: CheckoutHost,
    private readonly ui: FlowUi,
  ) {
    this.account = BuyerAccount.for(host.client.base);
    host.addController(this);
    this.current = host.product;
    const client = new CheckoutClient(host.client.base, this.account);
    this.session = new CheckoutSession(client, this.product.id);
    this.purchase = new Purchase(this, this.session, host, ui);
    this.state = initialState(this.product);
    // A checkout this tab left open: read back from the endpoint when the dialog next opens.
    this.purchase.pendingResume = this.session.restore();
  }

  get product(): Product {
    return this.current;
  }

  /** The product was read again (stock changed): keep the choice, bound the quantity. */
  productChanged() {
    this.current = this.host.product;
    this.dispatch({ type: 'availability' });
  }

  get i18n(): I18n<Messages> {
    return checkoutI18n(this.host.locale);
  }

  get steps(): Step[] {
    return stepsFor(this.product);
  }

  // ---- the dialog's life -------------------------------------------------------------------

  /**
   * The dialog opened: a new window of requests, the host page's signed-in reader signed in (one
   * tap: the Buy press), and a saved checkout read back.
   */
  async opened() {
    this.session.renew();
    this.hostSignIn = this.signInWithHost();
    // a session from earlier (another element, a reload): its wallet, read before a checkout
    // starts (which of this seller's consents it holds decides the share-email tick)
    if (this.account.signedIn && !this.account.wallet)
      this.walletLoad = this.account.load().catch(() => null);
    const id = this.purchase.pendingResume;
    if (id) await this.purchase.resume(id);
  }

  private async signInWithHost() {
    if (!(await this.account.signInWithHost(this.host.element))) return;
    this.ui.announce(this.i18n.t.signedIn);
    await this.host.updateComplete;
    this.host.element.dispatchEvent(new BuyInPostSignedInEvent('host-token'));
  }

  /** Resolves once a sign-in the host page started, or a read of the wallet, has ended. */
  walletReady(): Promise<unknown> {
    return Promise.all([this.hostSignIn, this.walletLoad]);
  }

  get signedIn(): boolean {
    return this.account.signedIn;
  }

  /** What the steps may show of the saved details. */
  get wallet(): WalletView {
    return { signedIn: this.account.signedIn, wallet: this.account.wallet };
  }

  /** Whether the reader already lets this product's seller see their email. */
  get emailShared(): boolean {
    const seller = this.product.seller.id;
    return !!this.account.wallet?.consents?.some((c) => c.sellerId === seller);
  }

  /**
   * Buy, then Pay: a signed-in reader with a saved card buying a digital product (nothing to
   * ship, nothing to type) is offered to pay on the first step. The amount is the variant's price
   * times the quantity; the endpoint prices the checkout, and when its total differs (a tax) the
   * reader stops at review to see it. Null: the usual Continue.
   */
  quickPay(): Money | null {
    const { state, product } = this;
    const variant = variantFor(product, state.selection.options);
    const cards = this.account.wallet?.paymentMethods.length ?? 0;
    if (product.kind !== 'digital' || !variant || variant.maxQuantity < 1) return null;
    if (!this.account.signedIn || cards === 0 || this.host.paymentMode === 'hosted') return null;
    if (state.step !== 'product') return null;
    const { amount, currency } = variant.price;
    return { amount: amount * state.selection.quantity, currency };
  }

  /** After a purchase, a removal or a sign-in elsewhere: read the wallet again. */
  walletChanged() {
    if (this.account.signedIn) void this.account.load().catch(() => {});
  }

  /** Saved details went away (all of them when `ids` is absent): undo choices that used them. */
  savedGone(ids?: readonly string[]) {
    this.dispatch(ids ? { type: 'savedGone', ids } : { type: 'savedGone' });
  }

  hostConnected() {
    this.unsubscribe ??= this.account.subscribe(() => {
      // signed out elsewhere on the page (another element's "Forget me"), or erased
      if (!this.account.signedIn) this.savedGone();
      this.host.requestUpdate();
    });
  }

  /** The dialog closed: stop waiting; after an order, the next Buy starts a new purchase. */
  closed() {
    this.session.abort();
    if (this.state.step === 'done') this.dispatch({ type: 'restart' });
  }

  /**
   * Stops waiting for answers, and takes Stripe's form away: it lives in the light DOM (perhaps
   * on an outer host), and is mounted again if the reader reaches payment again.
   */
  stop() {
    this.session.abort();
    this.adapter?.dispose?.();
    this.adapter = null;
    this.adapterKey = null;
  }

  /** Removed from the page; the checkout stays saved. */
  hostDisconnected() {
    this.stop();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  // ---- what the reader does ----------------------------------------------------------------

  dispatch(event: FlowEvent) {
    const before = this.state;
    this.state = transition(this.state, event, this.product);
    if (this.state === before) return;
    const { checkout } = this.state;
    if (before.step !== this.state.step) this.ui.stepChanged();
    else if (checkout && before.checkout?.totals.total.amount !== checkout.totals.total.amount)
      this.ui.announce(this.i18n.t.totalIs(this.i18n.money(checkout.totals.total)));
    this.host.requestUpdate();
  }

  /** The step's primary action. A press while a request is in flight does nothing. */
  async continue() {
    if (this.state.busy) return;
    switch (this.state.step) {
      case 'product': {
        const quote = this.quickPay();
        await this.purchase.submitProduct();
        // (read afresh: the create moved the state on)
        const { step, payment, checkout } = this.state as FlowState;
        const total = checkout?.totals.total;
        // Pay at once only for exactly what the button said.
        if (quote && step === 'review' && savedCardOf(payment) && total?.amount === quote.amount)
          if (total.currency === quote.currency) return this.purchase.pay();
        return;
      }
      case 'shipping':
        return this.purchase.submitShipping();
      case 'review':
        return this.purchase.pay();
      case 'done':
        return this.ui.close();
    }
  }

  /** Option and quantity changes: the reader's own, so the host hears of them once rendered. */
  choose(event: FlowEvent) {
    const before = JSON.stringify(this.state.selection);
    this.dispatch(event);
    const after = this.state.selection;
    if (JSON.stringify(after) === before) return;
    const variant = variantFor(this.product, after.options);
    const change = new BuyInPostOptionChangeEvent(
      this.product.id,
      variant?.id ?? null,
      { ...after.options },
      after.quantity,
    );
    void this.host.updateComplete.then(() => this.host.element.dispatchEvent(change));
  }

  /**
   * The contact form: this browser's checks (kept in the state, so they survive renders), then
   * the endpoint. Returns the first field found wanting.
   */
  submitContact(): ContactField | null {
    if (this.state.busy) return null;
    this.dispatch({ type: 'validate' });
    const first = Object.keys(this.state.contactProblems)[0] as ContactField | undefined;
    if (first) return first;
    void this.continue();
    return null;
  }

  /** Ships to a saved address, or (null) to the one in the form. */
  chooseSavedAddress(id: string | null) {
    this.dispatch({ type: 'savedAddress', id });
  }

  /** "Share my email" changed on the review step: the checkout as it stands says so. */
  async shareEmail(share: boolean) {
    const c = this.state.checkout;
    if (!c || this.state.busy || c.shareEmail === share) return;
    this.dispatch({ type: 'contact', contact: { shareEmail: share } });
    this.dispatch({ type: 'submit' });
    try {
      const next = await this.session.update(c.id, { shareEmail: share });
      this.dispatch({ type: 'changed', checkout: next });
    } catch (err) {
      await this.purchase.failed(err);
    }
  }

  /** After expiry: a new checkout with everything the reader entered. */
  startAgain() {
    this.session.forget();
    this.dispatch({ type: 'restart' });
    void this.continue();
  }

  /**
   * The adapter for the checkout's payment hand-off — the same one while the checkout and its
   * provider stay — and what it gets to render. Null without a checkout, or for a provider this
   * build cannot show.
   */
  payment(): PaymentView | null {
    const c = this.state.checkout;
    const key = c ? `${c.id}:${c.payment.provider}` : null;
    if (key !== this.adapterKey) {
      this.adapter?.dispose?.();
      this.adapter = c ? adapterFor(c.payment) : null;
      this.adapterKey = key;
    }
    if (!c || !this.adapter) return null;
    return {
      adapter: this.adapter,
      context: {
        i18n: this.i18n,
        element: this.host.element,
        product: this.product,
        checkout: c,
        busy: this.state.busy,
        input: this.state.payment,
        typedAddress: addressFrom(this.state.contact),
        ready: (payment: PaymentInput) => this.dispatch({ type: 'payment', payment }),
        update: async (body) => {
          const next = await this.session.update(c.id, body);
          this.dispatch({ type: 'refresh', checkout: next });
          return next;
        },
        payNow: (payment: PaymentInput) => {
          this.dispatch({ type: 'payment', payment });
          void this.purchase.pay();
        },
        requestUpdate: () => this.host.requestUpdate(),
        rendered: () => this.host.updateComplete,
      },
    };
  }
}
