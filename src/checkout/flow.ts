import { adoptStyles, type LitElement, nothing, type ReactiveController } from 'lit';
import type { CheckoutHost, CheckoutView } from '../buy-in-post.ts';
import {
  BuyInPostCheckoutStartEvent,
  BuyInPostErrorEvent,
  BuyInPostOptionChangeEvent,
  BuyInPostPurchaseEvent,
} from '../events.ts';
import { registerCatalogues } from '../i18n/locale.ts';
import { ar, en } from '../i18n/messages.ts';
import { newIdempotencyKey } from '../internal/client.ts';
import type { Checkout, Product } from '../internal/types.ts';
import { checkoutStyles } from './checkout.styles.ts';
import { CheckoutDialog, renderDialog, stepProgress, stepTitle } from './dialog.ts';
import { asProtocolError, describeError } from './errors.ts';
import {
  type Contact,
  type FlowError,
  type FlowEvent,
  type FlowState,
  initialState,
  type PaymentInput,
  type Step,
  stepsFor,
  transition,
  variantFor,
} from './machine.ts';
import { adapterFor, type PaymentAdapter, type PaymentContext } from './payment/adapter.ts';
import { addressFrom, CheckoutSession, createBody } from './session.ts';

registerCatalogues({ en, ar });

/** "Stop waiting": clears `busy` without an error for the reader (see machine.ts). */
const ABORTED: FlowError = { code: 'aborted', message: '' };

/**
 * The checkout, loaded on the first sign of interest. Feeds the state machine, performs its
 * side effects (through the session: protocol calls, storage; and events, focus, announcements)
 * and renders the dialog (dialog.ts, steps/). One per element; it outlives the dialog, so
 * closing and reopening — or reloading the page — resumes where the reader was. A reactive
 * controller of the element, so it hears of disconnection and aborts what is in flight.
 */
export class CheckoutFlow implements CheckoutView, ReactiveController {
  state: FlowState;
  readonly dialog: CheckoutDialog;
  private readonly session: CheckoutSession;
  private adapter: PaymentAdapter | null = null;
  private adapterKey: string | null = null;
  /** A checkout saved by an earlier visit, read again when the dialog next opens. */
  private pendingResume: string | null = null;

  constructor(readonly host: CheckoutHost) {
    // The dialog's styles arrive with this chunk: add them to the element's own.
    const base = (host.constructor as typeof LitElement).elementStyles;
    adoptStyles(host.renderRoot as ShadowRoot, [...base, ...checkoutStyles]);
    host.addController(this);
    this.dialog = new CheckoutDialog(host, () => {
      this.session.abort();
      // After an order, the next Buy starts a new purchase with the same choices.
      if (this.state.step === 'done') this.dispatch({ type: 'restart' });
    });
    this.session = new CheckoutSession(host.client, this.product.id);
    this.state = initialState(this.product);
    const saved = this.session.restore();
    if (saved) {
      if (saved.checkoutId && saved.clientToken) this.pendingResume = saved.checkoutId;
      this.state = { ...this.state, selection: saved.selection, contact: saved.contact };
      // The saved choice may since have sold out, or the stock shrunk below its quantity.
      this.state = transition(this.state, { type: 'availability' }, this.product);
    }
  }

  get product(): Product {
    return this.host.productData!;
  }

  get steps(): Step[] {
    return stepsFor(this.product);
  }

  // ---- CheckoutView, ReactiveController --------------------------------------------------

  async show() {
    if (this.host.open) return this.dialog.focusHeading();
    this.session.renew();
    await this.dialog.open();
    if (this.pendingResume) await this.resume(this.pendingResume);
    this.dialog.announce(this.stepAnnouncement());
    await this.dialog.focusHeading();
  }

  hide() {
    this.dialog.close();
  }

  render() {
    return this.host.open ? renderDialog(this) : nothing;
  }

  /** The product was read again (host.productData is already the new one). */
  productChanged(_product: Product) {
    // Keep the choice, bound the quantity by what can be bought now; the picker re-renders.
    this.dispatch({ type: 'availability' });
    this.host.requestUpdate();
  }

  hostDisconnected() {
    // Removed from the page: stop waiting for answers nobody will see. The checkout stays saved.
    this.session.abort();
    this.host.open = false;
    // Stripe's form lives in the light DOM (perhaps on an outer host): take it away too; it is
    // mounted again if the element comes back and the reader reaches payment.
    this.adapter?.dispose?.();
    this.adapter = null;
    this.adapterKey = null;
  }

  // ---- what the reader does (called by the steps) ----------------------------------------

  dispatch(event: FlowEvent) {
    const before = this.state;
    this.state = transition(this.state, event, this.product);
    if (this.state === before) return;
    const { checkout } = this.state;
    if (before.step !== this.state.step) {
      this.dialog.announce(this.stepAnnouncement());
      void this.dialog.focusHeading();
    } else if (checkout && before.checkout?.totals.total.amount !== checkout.totals.total.amount) {
      this.dialog.announce(this.host.i18n.t.totalIs(this.host.i18n.money(checkout.totals.total)));
    }
    // Saved while there is a checkout to come back to; after the order, nothing is kept.
    if (this.state.step !== 'done' && this.session.holdsCheckout) this.session.save(this.state);
    this.host.requestUpdate();
  }

  select(option: string, value: string) {
    this.choose({ type: 'select', option, value });
  }

  chooseVariant(variantId: string) {
    this.choose({ type: 'variant', variantId });
  }

  setQuantity(quantity: number) {
    this.choose({ type: 'quantity', quantity });
  }

  setContact(contact: Partial<Contact>) {
    this.dispatch({ type: 'contact', contact });
  }

  edit(step: Step) {
    this.dispatch({ type: 'edit', step });
  }

  /** The step's primary action. A press while a request is in flight does nothing. */
  async continue() {
    if (this.state.busy) return;
    switch (this.state.step) {
      case 'product':
        return this.submitProduct();
      case 'shipping':
        return this.submitShipping();
      case 'review':
        return this.pay();
      case 'done':
        return this.host.hide();
    }
  }

  /** The adapter for the current checkout's payment hand-off (null: one we cannot show). */
  paymentAdapter(): PaymentAdapter | null {
    const c = this.state.checkout;
    const key = c ? `${c.id}:${c.payment.provider}` : null;
    if (key !== this.adapterKey) {
      this.adapter?.dispose?.();
      this.adapter = c ? adapterFor(c.payment) : null;
      this.adapterKey = key;
    }
    return this.adapter;
  }

  paymentContext(): PaymentContext {
    return {
      i18n: this.host.i18n,
      host: this.host,
      product: this.product,
      checkout: this.state.checkout!,
      busy: this.state.busy,
      input: this.state.payment,
      typedAddress: addressFrom(this.state.contact),
      ready: (payment: PaymentInput) => this.dispatch({ type: 'payment', payment }),
      update: async (body) => {
        const c = this.state.checkout!;
        const next = await this.session.update(c.id, body);
        this.dispatch({ type: 'refresh', checkout: next });
        return next;
      },
      payNow: (payment: PaymentInput) => {
        this.dispatch({ type: 'payment', payment });
        void this.pay();
      },
      requestUpdate: () => this.host.requestUpdate(),
    };
  }

  // Handlers bound once, so templates do not make a new function each render.
  handleContinue = () => void this.continue();
  handleBack = () => this.dispatch({ type: 'back' });
  handleClose = () => this.host.hide();
  /** Retries what failed; a create or a payment reuses its Idempotency-Key (see machine.ts). */
  handleRetry = () => void this.continue();
  /** After expiry: a new checkout with everything the reader entered. */
  handleStartAgain = () => {
    this.session.forget();
    this.dispatch({ type: 'restart' });
    void this.continue();
  };

  // ---- side effects ------------------------------------------------------------------------

  private async submitProduct() {
    const variant = variantFor(this.product, this.state.selection.options);
    if (!variant || variant.maxQuantity < 1) return;
    const { quantity } = this.state.selection;
    const current = this.state.checkout;
    this.dispatch({ type: 'submit', key: newIdempotencyKey() });
    try {
      if (current && this.session.holdsCheckout) {
        const same = current.variantId === variant.id && current.quantity === quantity;
        const next = same
          ? current
          : await this.session.update(current.id, { variantId: variant.id, quantity });
        return this.dispatch({ type: 'checkout', checkout: next });
      }
      this.pendingResume = null; // a new checkout replaces the one we could not read back
      const body = createBody(
        this.product,
        variant.id,
        this.state,
        this.host.post,
        this.host.paymentMode,
      );
      const created = await this.session.create(body, this.state.attemptKey!);
      this.dispatch({ type: 'checkout', checkout: created });
      this.host.dispatchEvent(
        new BuyInPostCheckoutStartEvent(
          this.product.id,
          created.variantId,
          created.quantity,
          created.id,
        ),
      );
    } catch (err) {
      await this.fail(err);
    }
  }

  private async submitShipping() {
    const checkout = this.state.checkout;
    const address = addressFrom(this.state.contact);
    if (!checkout || !address) return;
    const { email, shareEmail } = this.state.contact;
    this.dispatch({ type: 'submit' });
    try {
      const body = { email: email.trim() || null, shareEmail, shippingAddress: address };
      this.dispatch({ type: 'checkout', checkout: await this.session.update(checkout.id, body) });
    } catch (err) {
      await this.fail(err);
    }
  }

  private async pay() {
    const { checkout, payment } = this.state;
    const adapter = this.paymentAdapter();
    if (!checkout || !payment || !adapter) return;
    this.dispatch({ type: 'submit', key: newIdempotencyKey() });
    this.dialog.announce(this.host.i18n.t.confirmingPayment);
    try {
      const key = this.state.attemptKey!;
      const outOfTopLayer = <T>(work: () => Promise<T>) => this.dialog.outOfTopLayer(work);
      const paid = await this.session.confirm(adapter, checkout, payment, key, outOfTopLayer);
      await this.settle(paid);
    } catch (err) {
      await this.fail(err);
    }
  }

  /** Follows a checkout the endpoint returned: paid → done; processing → wait; gone → say so. */
  private async settle(checkout: Checkout) {
    const { t } = this.host.i18n;
    const c = await this.session.settled(checkout, () => this.dialog.announce(t.paymentSlow));
    if (c.status === 'paid') return this.finish(c);
    if (c.status === 'open') return this.dispatch({ type: 'resume', checkout: c });
    if (c.status === 'processing') {
      // Not an answer yet: "try again" confirms with the same key, which reads it again.
      return this.report({ code: 'payment_failed', message: t.errors.still_processing });
    }
    this.session.forget(); // expired, canceled or failed: the reservation is gone
    this.report({ code: 'checkout_expired', message: t.errors.checkout_expired });
  }

  private finish(paid: Checkout) {
    this.dispatch({ type: 'paid', checkout: paid });
    this.session.clear();
    this.host.dispatchEvent(
      new BuyInPostPurchaseEvent(
        paid.order?.number ?? '',
        paid.totals.total,
        this.product.id,
        paid.variantId,
        paid.quantity,
      ),
    );
    void this.host.reloadProduct();
  }

  private async fail(err: unknown): Promise<void> {
    const e = asProtocolError(err);
    if (e.code === 'aborted') return this.dispatch({ type: 'failed', error: ABORTED });
    // "Not open": someone (another tab, a webhook) moved the checkout on. Read it and follow
    // it — an order to show, or a reservation that is gone.
    const current = this.state.checkout;
    if (e.code === 'checkout_not_open' && current && this.session.holdsCheckout) {
      const c = await this.session.read(current.id).catch(() => null);
      if (c && c.status !== 'open') return this.settle(c).catch((again) => this.fail(again));
    }
    const error = describeError(e, this.host.i18n, current !== null);
    if (error.code === 'checkout_expired') this.session.forget();
    // Offer what can be bought as it is now, not as the page last saw it.
    if (error.code === 'out_of_stock' || error.code === 'variant_unavailable')
      await this.host.reloadProduct();
    this.report(error);
  }

  /** Every failure the reader sees: shown (role=alert) by the step, and told to the host. */
  private report(error: FlowError) {
    this.dispatch({ type: 'failed', error });
    this.host.dispatchEvent(new BuyInPostErrorEvent(error.code, error.message));
  }

  private async resume(id: string) {
    this.pendingResume = null;
    this.dispatch({ type: 'submit' });
    try {
      const c = await this.session.read(id);
      if (c.status === 'paid') return this.finish(c); // back from a hosted payment page
      if (c.status === 'open' || c.status === 'processing') {
        this.dispatch({ type: 'resume', checkout: c });
        this.dialog.announce(this.host.i18n.t.resumeNotice);
        if (c.status === 'processing') void this.settle(c).catch((err) => this.fail(err));
        return;
      }
      this.session.forget(); // expired or canceled: start afresh, with the saved entries
    } catch (err) {
      // Unreachable for now: keep the token and try again on the next open.
      if (asProtocolError(err).status === 0) this.pendingResume = id;
      else this.session.forget();
    }
    this.dispatch({ type: 'failed', error: ABORTED });
    this.session.save(this.state);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Option and quantity changes: the reader's own, so the host hears of them once rendered. */
  private choose(event: FlowEvent) {
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
    void this.host.updateComplete.then(() => this.host.dispatchEvent(change));
  }

  private stepAnnouncement(): string {
    const title = stepTitle(this, this.state.step);
    const progress = stepProgress(this);
    return progress ? `${progress}: ${title}` : title;
  }
}
