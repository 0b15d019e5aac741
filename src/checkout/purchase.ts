import {
  BuyInPostCheckoutStartEvent,
  BuyInPostErrorEvent,
  BuyInPostPurchaseEvent,
} from '../events.ts';
import type { I18n } from '../i18n/locale.ts';
import type { Messages } from '../i18n/messages.ts';
import type { CheckoutHost } from '../internal/checkout-port.ts';
import type { Checkout, Product } from '../internal/types.ts';
import { addressFrom } from './contact.ts';
import { asProtocolError, describeError } from './errors.ts';
import { type FlowError, type FlowEvent, type FlowState, variantFor } from './machine.ts';
import { type CheckoutSession, createBody } from './session.ts';
import type { PaymentView } from './steps/context.ts';
import { newIdempotencyKey } from './wallet/client.ts';
import { buyerOf } from './wallet/model.ts';

/** "Stop waiting": clears `busy` without an error for the reader (see machine.ts). */
const ABORTED: FlowError = { code: 'aborted', message: '' };

/** What the purchase reads of the flow, and how it moves it on. */
export interface PurchaseFlow {
  readonly state: FlowState;
  readonly product: Product;
  readonly i18n: I18n<Messages>;
  dispatch(event: FlowEvent): void;
  payment(): PaymentView | null;
  /** Signed in to saved details (checkout calls carry the session). */
  readonly signedIn: boolean;
  /** Whether the reader already lets this product's seller see their email. */
  readonly emailShared: boolean;
  /** Resolves once a sign-in the host page started, or a read of the wallet, has ended. */
  walletReady(): Promise<unknown>;
  /** A purchase may have saved an address or a card: read the wallet again. */
  walletChanged(): void;
}

/** What the purchase asks of the dialog. */
export interface PurchaseUi {
  /** Says `text` in the polite live region. */
  announce(text: string): void;
  /** Runs `work` with the dialog out of the top layer (a provider's 3-D Secure above it). */
  outOfTopLayer<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * The conversation with the endpoint that moves a checkout on: create it (stock reserved) or
 * change it as the reader continues, pay through the hand-off's adapter, follow it until it
 * settles, read a saved one back, and turn every failure into what the reader sees and the host
 * page hears. Each answer goes back into the state machine as an event (flow.dispatch).
 */
export class Purchase {
  /** A checkout saved by an earlier visit, read again when the dialog next opens. */
  pendingResume: string | null = null;

  constructor(
    private readonly flow: PurchaseFlow,
    private readonly session: CheckoutSession,
    private readonly host: CheckoutHost,
    private readonly ui: PurchaseUi,
  ) {}

  /** The product step: create the checkout (stock reserved), or change the one held. */
  async submitProduct() {
    const variant = variantFor(this.flow.product, this.flow.state.selection.options);
    if (!variant || variant.maxQuantity < 1) return;
    const { quantity } = this.flow.state.selection;
    const current = this.flow.state.checkout;
    this.flow.dispatch({ type: 'submit', key: newIdempotencyKey() });
    try {
      // The host page is signing its reader in (the Buy press), or their wallet is being read:
      // start with it.
      await this.flow.walletReady();
      // Signed in since the checkout was made: only a new checkout is the buyer's (and opens with
      // their saved details), so this one is let go.
      if (current && this.session.holdsCheckout && this.flow.signedIn && !buyerOf(current))
        await this.session.release();
      if (current && this.session.holdsCheckout) {
        const same = current.variantId === variant.id && current.quantity === quantity;
        const next = same
          ? current
          : await this.session.update(current.id, { variantId: variant.id, quantity });
        return this.flow.dispatch({ type: 'checkout', checkout: next });
      }
      this.pendingResume = null; // a new checkout replaces the one we could not read back
      const body = createBody(
        this.flow.product,
        variant.id,
        this.flow.state,
        this.host.post,
        this.host.paymentMode,
      );
      // A seller the reader already lets see their email (an earlier order's tick) keeps seeing
      // it; the review step shows the tick as theirs to take back.
      if (this.flow.signedIn && this.flow.emailShared && body.shareEmail === undefined)
        body.shareEmail = true;
      const created = await this.session.create(body, this.flow.state.attemptKey!);
      this.flow.dispatch({ type: 'checkout', checkout: created });
      this.host.element.dispatchEvent(
        new BuyInPostCheckoutStartEvent(
          this.flow.product.id,
          created.variantId,
          created.quantity,
          created.id,
        ),
      );
    } catch (err) {
      await this.fail(err);
    }
  }

  /**
   * The shipping step: contact and address — typed, or one of the signed-in reader's saved
   * addresses — go on the checkout (shipping and tax priced).
   */
  async submitShipping() {
    const checkout = this.flow.state.checkout;
    const saved = this.flow.state.savedAddressId;
    const address = saved ? null : addressFrom(this.flow.state.contact);
    if (!checkout || (!saved && !address)) return;
    const { email, shareEmail } = this.flow.state.contact;
    this.flow.dispatch({ type: 'submit' });
    try {
      const where = saved ? { savedAddressId: saved } : { shippingAddress: address! };
      const body = { email: email.trim() || null, shareEmail, ...where };
      this.flow.dispatch({
        type: 'checkout',
        checkout: await this.session.update(checkout.id, body),
      });
    } catch (err) {
      await this.fail(err);
    }
  }

  /** The review step: pay through the hand-off's adapter, then follow the checkout. */
  async pay() {
    const { checkout, payment } = this.flow.state;
    const adapter = this.flow.payment()?.adapter;
    if (!checkout || !payment || !adapter) return;
    this.flow.dispatch({ type: 'submit', key: newIdempotencyKey() });
    this.ui.announce(this.flow.i18n.t.confirmingPayment);
    try {
      const key = this.flow.state.attemptKey!;
      const paid = await this.session.confirm(adapter, checkout, payment, key, (work) =>
        this.ui.outOfTopLayer(work),
      );
      await this.settle(paid);
    } catch (err) {
      await this.fail(err);
    }
  }

  /** Follows a checkout the endpoint returned: paid → done; processing → wait; gone → say so. */
  private async settle(checkout: Checkout) {
    const { t } = this.flow.i18n;
    const c = await this.session.settled(checkout, () => this.ui.announce(t.paymentSlow));
    if (c.status === 'paid') return this.finish(c);
    if (c.status === 'open') return this.flow.dispatch({ type: 'resume', checkout: c });
    if (c.status === 'processing') {
      // Not an answer yet: "try again" confirms with the same key, which reads it again.
      return this.report({ code: 'payment_failed', message: t.errors.still_processing });
    }
    this.session.forget(); // expired, canceled or failed: the reservation is gone
    this.report({ code: 'checkout_expired', message: t.errors.checkout_expired });
  }

  private finish(paid: Checkout) {
    this.flow.dispatch({ type: 'paid', checkout: paid });
    this.session.clear();
    this.flow.walletChanged();
    this.host.element.dispatchEvent(
      new BuyInPostPurchaseEvent(
        paid.order?.number ?? '',
        paid.totals.total,
        this.flow.product.id,
        paid.variantId,
        paid.quantity,
      ),
    );
    void this.host.reloadProduct();
  }

  /** A call of the flow's own failed (the review's "Share my email"): as any other failure. */
  failed(err: unknown): Promise<void> {
    return this.fail(err);
  }

  private async fail(err: unknown): Promise<void> {
    const e = asProtocolError(err);
    if (e.code === 'aborted') return this.flow.dispatch({ type: 'failed', error: ABORTED });
    // "Not open": someone (another tab, a webhook) moved the checkout on. Read it and follow
    // it — an order to show, or a reservation that is gone.
    const current = this.flow.state.checkout;
    if (e.code === 'checkout_not_open' && current && this.session.holdsCheckout) {
      const c = await this.session.read(current.id).catch(() => null);
      if (c && c.status !== 'open') return this.settle(c).catch((again) => this.fail(again));
    }
    const error = describeError(e, this.flow.i18n, current !== null);
    if (error.code === 'checkout_expired') this.session.forget();
    // Offer what can be bought as it is now, not as the page last saw it (a platform's seller
    // who cannot take payments: the product is then shown unavailable).
    if (
      error.code === 'out_of_stock' ||
      error.code === 'variant_unavailable' ||
      error.code === 'seller_not_ready'
    )
      await this.host.reloadProduct();
    this.report(error);
  }

  /** Every failure the reader sees: shown (role=alert) by the step, and told to the host. */
  private report(error: FlowError) {
    this.flow.dispatch({ type: 'failed', error });
    this.host.element.dispatchEvent(new BuyInPostErrorEvent(error.code, error.message));
  }

  /** Reads back a checkout an earlier visit saved (a reload, a return from a payment page). */
  async resume(id: string) {
    this.pendingResume = null;
    this.flow.dispatch({ type: 'submit' });
    try {
      const c = await this.session.read(id);
      if (c.status === 'paid') return this.finish(c); // back from a hosted payment page
      if (c.status === 'open' || c.status === 'processing') {
        this.flow.dispatch({ type: 'resume', checkout: c });
        this.ui.announce(this.flow.i18n.t.resumeNotice);
        if (c.status === 'processing') void this.settle(c).catch((err) => this.fail(err));
        return;
      }
      this.session.forget(); // expired or canceled: start afresh, with what it held
    } catch (err) {
      // Unreachable for now: keep the token and try again on the next open.
      if (asProtocolError(err).status === 0) this.pendingResume = id;
      else this.session.forget();
    }
    this.flow.dispatch({ type: 'failed', error: ABORTED });
  }
}
