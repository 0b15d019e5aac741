import type {
  Stripe,
  StripeElementLocale,
  StripeElements,
  StripeError,
  StripeExpressCheckoutElement,
  StripeExpressCheckoutElementConfirmEvent,
  StripePaymentElement,
} from '@stripe/stripe-js';
import { html, nothing } from 'lit';
import { withReturnParams } from '../../../server/src/protocol/rules.ts';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import { ProtocolError } from '../../internal/client.ts';
import { pageUrl } from '../../internal/return.ts';
import type { Checkout } from '../../internal/types.ts';
import type { PaymentInput } from '../machine.ts';
import { renderCardName } from '../wallet/labels.ts';
import { type LightDomSlot, lightDomSlot } from './light-dom-slot.ts';
import { appearanceFor, stripeLocale } from './stripe-appearance.ts';
import { mountWallets } from './stripe-wallets.ts';
import {
  type ConfirmRequest,
  PAYMENT_FORM_ID,
  type PaymentAdapter,
  type PaymentContext,
} from './types.ts';

type Handoff = {
  provider: 'stripe';
  publishableKey: string;
  clientSecret: string;
  /** A signed-in reader's Customer Session: Stripe's form shows their saved cards and a save box. */
  customerSessionClientSecret?: string | undefined;
};

/** Wallet names as the reader knows them (they are brands: not translated). */
const WALLETS: Record<string, string> = {
  apple_pay: 'Apple Pay',
  google_pay: 'Google Pay',
  link: 'Link',
};

/**
 * Stripe's Payment Element (and, where the device has one, a wallet: Apple Pay, Google Pay,
 * Link) in the payment step. Stripe.js loads now, not before — through `@stripe/stripe-js/pure`,
 * so a page that never reaches payment never contacts Stripe. The card form lives in Stripe's
 * iframe, mounted in a light-DOM node shown through a slot (Stripe refuses shadow roots).
 *
 * Paying: the endpoint is asked to hold the checkout (`confirm` with `provider: "stripe"`, which
 * also makes sure the PaymentIntent is for the endpoint's total), then Stripe.js confirms
 * (`redirect: "if_required"`: 3-D Secure shows Stripe's own challenge), then the flow waits for
 * the endpoint to report the checkout paid — Stripe tells it by webhook, or when asked.
 *
 * A signed-in reader: the hand-off carries a Customer Session, so Stripe's form lists their saved
 * cards (each removable there) and offers its own "save" box — Stripe's consent, not ours. A
 * returning reader who goes straight to review pays with the wallet's saved card: Stripe.js
 * confirms with that PaymentMethod's id, and no form is mounted at all.
 */
export class StripePaymentAdapter implements PaymentAdapter {
  private stripe: Stripe | null = null;
  private elements: StripeElements | null = null;
  private card: StripePaymentElement | null = null;
  private express: StripeExpressCheckoutElement | null = null;
  private slot: LightDomSlot | null = null;
  private load: Promise<void> | null = null;
  private failed = false;
  private wallets = false;
  private invalid: string | null = null;
  /** The wallet sheet waiting for the outcome of its payment. */
  private walletConfirm: StripeExpressCheckoutElementConfirmEvent | null = null;
  private ctx: PaymentContext | null = null;
  private locale: StripeElementLocale | null = null;

  constructor(private readonly handoff: Handoff) {}

  render(ctx: PaymentContext) {
    this.ctx = ctx;
    const { t } = ctx.i18n;
    this.load ??= this.mount(ctx);
    // the page's language changed while the form is up (lang is watched): Stripe's follows
    const locale = stripeLocale(ctx.i18n.lang);
    if (this.elements && locale !== this.locale) {
      this.locale = locale;
      this.elements.update({ locale });
    }
    const submit = async (e: Event) => {
      e.preventDefault();
      if (ctx.busy || !this.elements) return;
      // Stripe checks its own fields (and shows what is missing in them).
      const { error } = await this.elements.submit();
      this.invalid = error ? (error.message ?? t.errors.generic) : null;
      ctx.requestUpdate();
      if (!error) ctx.ready({ provider: 'stripe' });
    };
    return html`<form
      id=${PAYMENT_FORM_ID}
      class="stripe"
      part="payment"
      aria-busy=${this.stripe || this.failed ? 'false' : 'true'}
      novalidate
      @submit=${submit}
    >
      ${
        this.failed
          ? html`<div role="alert" class="error">
            <p>${t.paymentLoadFailed}</p>
            <button type="button" class="secondary" @click=${() => this.reload(ctx)}>
              ${t.retry}
            </button>
          </div>`
          : nothing
      }
      ${!this.stripe && !this.failed ? html`<p role="status" class="help">${t.paymentLoading}</p>` : nothing}
      <slot name=${this.slot?.name ?? ''}></slot>
      ${this.wallets ? html`<p class="divider" aria-hidden="true">${t.orPayWithCard}</p>` : nothing}
      ${this.invalid ? html`<p class="message" role="alert">${this.invalid}</p>` : nothing}
    </form>`;
  }

  primaryLabel(ctx: PaymentContext) {
    return ctx.i18n.t.toReview(ctx.i18n.money(ctx.checkout.totals.total));
  }

  summary(input: PaymentInput, i18n: I18n<Messages>) {
    if (input.provider !== 'stripe') return '';
    if ('saved' in input) return renderCardName(input.saved, i18n);
    return input.wallet
      ? i18n.t.payingWith(WALLETS[input.wallet] ?? input.wallet)
      : i18n.t.payingByCard;
  }

  async confirm(request: ConfirmRequest): Promise<Checkout> {
    const { client, checkout, clientToken, idempotencyKey, input } = request;
    const saved = 'saved' in input ? input.saved : null;
    // A saved card needs Stripe.js, not its form (the reader went from Continue to review).
    if (saved) await this.loadStripe(this.locale ?? 'auto').catch(() => null);
    const { stripe, elements } = this;
    if (!stripe || (!elements && !saved))
      throw new ProtocolError('payment_failed', 0, 'Stripe is not loaded');
    try {
      const held = await client.confirmCheckout(
        checkout.id,
        clientToken,
        { payment: { provider: 'stripe' } },
        idempotencyKey,
      );
      if (held.status !== 'processing' && held.status !== 'open') return held;
      // Stripe may show its 3-D Secure challenge: it must be above the dialog, and usable.
      const { clientSecret } = this.handoff;
      // Where a payment method that leaves the page (a bank's site) sends the reader back.
      const return_url = withReturnParams(pageUrl(), checkout.id, 'done');
      const { error } = await request.outOfTopLayer(() =>
        saved || !elements
          ? stripe.confirmPayment({
              clientSecret,
              confirmParams: { return_url, payment_method: saved!.id },
              redirect: 'if_required',
            })
          : stripe.confirmPayment({
              elements,
              clientSecret,
              confirmParams: { return_url },
              redirect: 'if_required',
            }),
      );
      if (error) {
        // Let the endpoint see the decline now (a read asks Stripe), so the checkout is open
        // again for the next attempt; then say what Stripe said.
        await client.getCheckout(checkout.id, clientToken).catch(() => null);
        throw declined(error);
      }
      this.walletConfirm = null;
      return await client.getCheckout(checkout.id, clientToken, request.signal);
    } catch (err) {
      this.walletConfirm?.paymentFailed({ reason: 'fail' });
      this.walletConfirm = null;
      throw err;
    }
  }

  dispose() {
    this.express?.destroy();
    this.card?.destroy();
    this.slot?.remove();
    this.express = this.card = this.elements = this.slot = null;
  }

  // ---- loading and mounting ----------------------------------------------------------------

  private reload(ctx: PaymentContext) {
    this.failed = false;
    this.load = this.mount(ctx);
    ctx.requestUpdate();
  }

  /** Stripe.js, loaded once (through @stripe/stripe-js/pure: not before it is needed). */
  private async loadStripe(locale: StripeElementLocale): Promise<Stripe> {
    // @stripe/stripe-js/pure (its pure/index.mjs re-exports this file; NodeNext needs the path)
    const { loadStripe } = await import('@stripe/stripe-js/dist/pure.mjs');
    this.stripe ??= await loadStripe(this.handoff.publishableKey, { locale });
    if (!this.stripe) throw new Error('Stripe.js did not load');
    return this.stripe;
  }

  private async mount(ctx: PaymentContext) {
    try {
      await this.loadStripe(stripeLocale(ctx.i18n.lang));
    } catch (err) {
      console.warn('[buy-in-post] Stripe.js could not load:', err);
      // `load` stays set: only the reader's "Try again" loads again (not every render)
      this.failed = true;
      ctx.requestUpdate();
      return;
    }
    const stripe = this.stripe!;
    this.slot = lightDomSlot(ctx.element);
    ctx.requestUpdate();
    await ctx.rendered();
    this.locale = stripeLocale(ctx.i18n.lang);
    const customer = this.handoff.customerSessionClientSecret;
    const elements = stripe.elements({
      clientSecret: this.handoff.clientSecret,
      ...(customer ? { customerSessionClientSecret: customer } : {}),
      appearance: appearanceFor(ctx.element),
      locale: this.locale,
    });
    this.elements = elements;
    const walletNode = document.createElement('div');
    const cardNode = document.createElement('div');
    this.slot.node.append(walletNode, cardNode);
    this.card = elements.create('payment', { layout: 'tabs' });
    this.card.on('change', () => {
      if (this.invalid) {
        this.invalid = null;
        this.ctx?.requestUpdate();
      }
    });
    this.card.mount(cardNode);
    this.express = mountWallets(elements, walletNode, {
      context: () => this.ctx,
      offered: (yes) => {
        this.wallets = yes;
        this.ctx?.requestUpdate();
      },
      confirming: (event) => {
        this.walletConfirm = event;
      },
    });
  }
}

/** A Stripe decline (or a check Stripe.js made) as the flow's error, with Stripe's words. */
function declined(error: StripeError): ProtocolError {
  const code = error.type === 'validation_error' ? 'validation_failed' : 'payment_declined';
  return new ProtocolError(code, 402, error.message ?? 'The payment was declined.', {
    type: 'about:blank',
    title: 'Payment declined',
    status: 402,
    code,
    declineCode: error.decline_code ?? error.code ?? 'card_declined',
  } as never);
}
