import { nothing } from 'lit';
import type { CheckoutHost, CheckoutView } from '../buy-in-post.ts';
import {
  BuyInPostCheckoutStartEvent,
  BuyInPostCloseEvent,
  BuyInPostErrorEvent,
  BuyInPostOptionChangeEvent,
  BuyInPostPurchaseEvent,
} from '../events.ts';
import { registerCatalogues } from '../i18n/locale.ts';
import { ar, en } from '../i18n/messages.ts';
import { newIdempotencyKey, ProtocolError } from '../internal/client.ts';
import type { Checkout, Product, ShippingAddress } from '../internal/types.ts';
import { checkoutStyles } from './checkout.styles.ts';
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
import { adapterFor, type PaymentAdapter } from './payment/adapter.ts';
import { resumeStore } from './resume.ts';
import { renderDialog } from './view.ts';

registerCatalogues({ en, ar });

/**
 * The checkout, loaded on the first sign of interest. Holds the state machine, performs its
 * side effects (protocol calls), and renders the dialog through `view.ts`. One per element;
 * it outlives the dialog, so closing and reopening resumes where the reader was.
 */
export class CheckoutFlow implements CheckoutView {
  state: FlowState;
  /** Said once by the polite live region (step changes, totals). */
  announcement = '';
  private adapter: PaymentAdapter | null = null;
  private abort = new AbortController();
  /** One Idempotency-Key per intended operation: a retry reuses it, a new intent gets a new one. */
  private createKey: string | null = null;
  private confirmKey: string | null = null;
  private clientToken: string | null = null;
  private resumed = false;
  /** A checkout saved by an earlier visit, read again when the dialog first opens. */
  private pendingResume: string | null = null;

  constructor(readonly host: CheckoutHost) {
    // The dialog's styles arrive with this chunk: add them to the element's shadow root.
    const root = host.renderRoot as ShadowRoot;
    if (checkoutStyles.styleSheet && !root.adoptedStyleSheets.includes(checkoutStyles.styleSheet)) {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, checkoutStyles.styleSheet];
    }
    this.state = initialState(host.productData!);
    const saved = resumeStore.load(this.host.client.base, this.product.id);
    if (saved) {
      this.state = { ...this.state, selection: saved.selection, contact: saved.contact };
      this.clientToken = saved.clientToken;
      if (saved.checkoutId && saved.clientToken) this.pendingResume = saved.checkoutId;
    }
  }

  get product(): Product {
    return this.host.productData!;
  }

  get steps(): Step[] {
    return stepsFor(this.product);
  }

  // ---- CheckoutView ----------------------------------------------------------------------

  async show() {
    this.abort = new AbortController();
    this.host.open = true;
    this.host.requestUpdate();
    await this.host.updateComplete;
    const dialog = this.dialog();
    if (dialog && !dialog.open) dialog.showModal();
    if (this.pendingResume && !this.resumed) await this.resume(this.pendingResume);
    this.announceStep();
    await this.focusHeading();
  }

  hide() {
    const dialog = this.dialog();
    if (dialog?.open) dialog.close();
    else this.handleClosed();
  }

  render() {
    return this.host.open ? renderDialog(this) : nothing;
  }

  productChanged(product: Product) {
    // Availability changed (a purchase elsewhere, a reload after out_of_stock): keep the
    // selection, but clamp the quantity to what can be bought now.
    const variant = variantFor(product, this.state.selection.options);
    const max = Math.max(1, variant?.maxQuantity ?? 1);
    if (this.state.selection.quantity > max) {
      this.state = { ...this.state, selection: { ...this.state.selection, quantity: max } };
    }
    this.host.requestUpdate();
  }

  // ---- events from the view ---------------------------------------------------------------

  dispatch(event: FlowEvent) {
    const before = this.state;
    this.state = transition(this.state, event, this.product);
    if (before.step !== this.state.step) {
      this.announceStep();
      void this.focusHeading();
    } else if (
      before.checkout?.totals.total.amount !== this.state.checkout?.totals.total.amount &&
      this.state.checkout
    ) {
      this.announcement = this.host.i18n.t.totalIs(
        this.host.i18n.money(this.state.checkout.totals.total),
      );
    }
    if (this.state.step === 'payment' && this.state.checkout && !this.adapter) {
      this.adapter = adapterFor(this.state.checkout.payment);
    }
    this.save();
    this.host.requestUpdate();
  }

  select(option: string, value: string) {
    this.dispatch({ type: 'select', option, value });
    this.fireOptionChange();
  }

  setQuantity(quantity: number) {
    this.dispatch({ type: 'quantity', quantity });
    this.fireOptionChange();
  }

  setContact(contact: Partial<Contact>) {
    this.dispatch({ type: 'contact', contact });
  }

  paymentAdapter(): PaymentAdapter | null {
    if (!this.adapter && this.state.checkout)
      this.adapter = adapterFor(this.state.checkout.payment);
    return this.adapter;
  }

  paymentReady(payment: PaymentInput) {
    this.dispatch({ type: 'payment', payment });
  }

  /** The primary action of the current step. */
  async continue() {
    if (this.state.busy) return; // a double press does nothing
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

  /** After expiry, or from an error: a new checkout with everything the reader entered. */
  restart() {
    this.createKey = null;
    this.confirmKey = null;
    this.clientToken = null;
    this.adapter = null;
    this.dispatch({ type: 'restart' });
  }

  /** Retries whatever failed, with the same Idempotency-Key where one was in use. */
  retry() {
    if (this.state.step === 'payment') return;
    void this.continue();
  }

  // ---- side effects -------------------------------------------------------------------------

  private async submitProduct() {
    const variant = variantFor(this.product, this.state.selection.options);
    if (!variant) return;
    const { quantity } = this.state.selection;
    this.dispatch({ type: 'submit' });
    await this.run(async () => {
      const current = this.state.checkout;
      if (current && this.clientToken) {
        if (current.variantId === variant.id && current.quantity === quantity) return current;
        return this.host.client.updateCheckout(
          current.id,
          this.clientToken,
          { variantId: variant.id, quantity },
          this.abort.signal,
        );
      }
      this.createKey ??= newIdempotencyKey();
      const address = this.completeAddress();
      const created = await this.host.client.createCheckout(
        {
          productId: this.product.id,
          variantId: variant.id,
          quantity,
          ...(this.host.post ? { postRef: this.host.post } : {}),
          ...(this.state.contact.email
            ? { email: this.state.contact.email, shareEmail: this.state.contact.shareEmail }
            : {}),
          ...(address && this.product.kind === 'physical' ? { shippingAddress: address } : {}),
        },
        this.createKey,
        this.abort.signal,
      );
      this.createKey = null;
      this.clientToken = created.clientToken ?? null;
      this.host.dispatchEvent(
        new BuyInPostCheckoutStartEvent(
          this.product.id,
          created.variantId,
          created.quantity,
          created.id,
        ),
      );
      return created;
    });
  }

  private async submitShipping() {
    const checkout = this.state.checkout;
    const address = this.completeAddress();
    if (!checkout || !this.clientToken || !address) return;
    this.dispatch({ type: 'submit' });
    await this.run(() =>
      this.host.client.updateCheckout(
        checkout.id,
        this.clientToken!,
        {
          email: this.state.contact.email || null,
          shareEmail: this.state.contact.shareEmail,
          shippingAddress: address,
        },
        this.abort.signal,
      ),
    );
  }

  private async pay() {
    const { checkout, payment } = this.state;
    if (!checkout || !this.clientToken || payment?.provider !== 'test') return;
    this.dispatch({ type: 'submit' });
    this.confirmKey ??= newIdempotencyKey();
    try {
      const paid = await this.host.client.confirmCheckout(
        checkout.id,
        this.clientToken,
        { payment },
        this.confirmKey,
      );
      this.confirmKey = null;
      this.finish(paid);
    } catch (err) {
      await this.fail(err); // a decline renews the key there; a network error keeps it
    }
  }

  private finish(paid: Checkout) {
    this.dispatch({ type: 'paid', checkout: paid });
    resumeStore.clear(this.host.client.base, this.product.id);
    this.clientToken = null;
    const order = paid.order!;
    this.host.dispatchEvent(
      new BuyInPostPurchaseEvent(
        order.number,
        paid.totals.total,
        this.product.id,
        paid.variantId,
        paid.quantity,
      ),
    );
    void this.host.reloadProduct();
  }

  /** Runs a call that yields a checkout; success moves the machine on, failure is reported. */
  private async run(call: () => Promise<Checkout>) {
    try {
      this.dispatch({ type: 'checkout', checkout: await call() });
    } catch (err) {
      await this.fail(err);
    }
  }

  private async fail(err: unknown) {
    if (err instanceof ProtocolError && err.code === 'aborted') {
      this.state = { ...this.state, busy: false };
      return;
    }
    const e = err instanceof ProtocolError ? err : new ProtocolError('network', 0, String(err));
    // A 4xx is the endpoint's answer to that request: the next attempt is a new operation and
    // needs a new key (reusing it with another body is an idempotency_conflict). Network errors
    // and 5xx keep the key, so a retry cannot create or charge twice.
    if (e.status >= 400 && e.status < 500 && e.code !== 'idempotency_in_progress') {
      this.createKey = null;
      this.confirmKey = null;
    }
    const error = this.describe(e);
    if (error.code === 'checkout_expired') {
      this.clientToken = null;
      this.createKey = null;
      this.adapter = null;
    }
    // Offer what can be bought as it is now, not as the page last saw it.
    if (error.code === 'out_of_stock' || error.code === 'variant_unavailable') {
      await this.host.reloadProduct();
    }
    this.dispatch({ type: 'failed', error });
    this.announcement = error.message;
    this.host.dispatchEvent(new BuyInPostErrorEvent(error.code, error.message));
  }

  /** A translated message for the reader, from the endpoint's stable code. */
  private describe(e: ProtocolError): FlowError {
    const { t } = this.host.i18n;
    const fields = Object.fromEntries(e.fieldErrors.map((f) => [f.field, f.message]));
    // A checkout the endpoint no longer knows is, for the reader, an expired one.
    const code = e.code === 'not_found' && this.state.checkout ? 'checkout_expired' : e.code;
    const messages: Partial<Record<string, string>> = {
      out_of_stock: t.errors.out_of_stock,
      checkout_expired: t.errors.checkout_expired,
      payment_declined: t.errors.payment_declined(e.message),
      network: t.errors.network,
      does_not_ship: t.errors.does_not_ship,
      variant_unavailable: t.errors.variant_unavailable,
      rate_limited: t.errors.rate_limited,
    };
    const available = typeof e.problem?.available === 'number' ? e.problem.available : undefined;
    return {
      code,
      message: messages[code] ?? t.errors.generic,
      fields,
      ...(available !== undefined ? { available } : {}),
    };
  }

  private async resume(id: string) {
    this.resumed = true;
    this.pendingResume = null;
    if (!this.clientToken) return;
    try {
      const checkout = await this.host.client.getCheckout(id, this.clientToken, this.abort.signal);
      if (checkout.status === 'open' || checkout.status === 'paid') {
        this.dispatch({ type: 'resume', checkout });
        this.announcement = this.host.i18n.t.resumeNotice;
        return;
      }
    } catch {
      // unreachable or gone: start afresh with the saved entries
    }
    this.clientToken = null;
    this.save();
  }

  /** The address, if every required field is filled. */
  private completeAddress(): ShippingAddress | null {
    const a = this.state.contact.address;
    if (!a.name || !a.line1 || !a.city || !a.country) return null;
    return {
      name: a.name,
      line1: a.line1,
      city: a.city,
      country: a.country,
      ...(a.line2 ? { line2: a.line2 } : {}),
      ...(a.region ? { region: a.region } : {}),
      ...(a.postalCode ? { postalCode: a.postalCode } : {}),
      ...(a.phone ? { phone: a.phone } : {}),
    };
  }

  private save() {
    if (this.state.step === 'done') return;
    resumeStore.save(this.host.client.base, this.product.id, {
      checkoutId: this.state.checkout?.id ?? null,
      clientToken: this.clientToken,
      selection: this.state.selection,
      contact: this.state.contact,
    });
  }

  private fireOptionChange() {
    const variant = variantFor(this.product, this.state.selection.options);
    this.host.dispatchEvent(
      new BuyInPostOptionChangeEvent(
        this.product.id,
        variant?.id ?? null,
        { ...this.state.selection.options },
        this.state.selection.quantity,
      ),
    );
  }

  // ---- dialog plumbing ----------------------------------------------------------------------

  dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  /** The dialog closed (close button, Escape, Done): tidy up and give focus back. */
  handleClosed = () => {
    if (!this.host.open) return;
    this.abort.abort();
    if (this.state.step === 'done') {
      // The next Buy starts a new purchase with the same choices.
      this.restart();
    }
    this.host.open = false;
    this.host.requestUpdate();
    this.host.dispatchEvent(new BuyInPostCloseEvent(this.product.id));
    void this.host.updateComplete.then(() => {
      this.host.renderRoot.querySelector<HTMLElement>('[part="button"]')?.focus();
    });
  };

  private announceStep() {
    const { t } = this.host.i18n;
    const titles: Record<Step, string> = {
      product: t.stepProduct,
      shipping: t.stepShipping,
      payment: t.stepPayment,
      review: t.stepReview,
      done: t.stepDone,
    };
    const n = this.steps.indexOf(this.state.step) + 1;
    this.announcement = `${t.stepOf(n, this.steps.length)}: ${titles[this.state.step]}`;
  }

  private async focusHeading() {
    await this.host.updateComplete;
    this.host.renderRoot.querySelector<HTMLElement>('[data-step-heading]')?.focus();
  }
}
