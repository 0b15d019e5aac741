import { html, nothing } from 'lit';
import { luhnValid } from '../../../server/src/protocol/rules.ts';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { PaymentInput } from '../machine.ts';
import {
  type ConfirmRequest,
  PAYMENT_FORM_ID,
  type PaymentAdapter,
  type PaymentContext,
} from './types.ts';

/**
 * The endpoint's built-in test provider: a clearly labelled form that takes Stripe's test card
 * numbers. No real money moves; the card number goes to the endpoint only to pick an outcome.
 */
export class TestPaymentAdapter implements PaymentAdapter {
  private card = '';
  private invalid = false;

  render(ctx: PaymentContext) {
    const { t } = ctx.i18n;
    if (!this.card && ctx.input?.provider === 'test') this.card = ctx.input.card;
    const submit = (e: Event) => {
      e.preventDefault();
      if (ctx.busy) return;
      const digits = this.card.replace(/[\s-]/g, '');
      // the endpoint's own check (rules.ts): a mistyped digit is caught before the network
      this.invalid = !/^\d{12,19}$/.test(digits) || !luhnValid(digits);
      ctx.requestUpdate();
      if (this.invalid) {
        (e.target as HTMLFormElement).querySelector('input')?.focus();
        return;
      }
      ctx.ready({ provider: 'test', card: digits });
    };
    const described = this.invalid ? 'card-error test-help' : 'test-help';
    return html`<form
      id=${PAYMENT_FORM_ID}
      class="test-mode"
      part="payment"
      aria-labelledby="test-badge"
      novalidate
      @submit=${submit}
    >
      <p class="badge" id="test-badge">${t.testMode}</p>
      <p class="help" id="test-help">${t.testModeHelp}</p>
      <div class="field" part="field">
        <label for="card">${t.cardNumber}</label>
        <input
          id="card"
          name="cardnumber"
          inputmode="numeric"
          autocomplete="cc-number"
          dir="ltr"
          required
          ?readonly=${ctx.busy}
          .value=${this.card}
          aria-invalid=${this.invalid ? 'true' : 'false'}
          aria-describedby=${described}
          @input=${(e: Event) => {
            this.card = (e.target as HTMLInputElement).value;
          }}
        />
        ${this.invalid ? html`<p class="message" id="card-error">${t.invalidCard}</p>` : nothing}
      </div>
    </form>`;
  }

  primaryLabel(ctx: PaymentContext) {
    return ctx.i18n.t.toReview(ctx.i18n.money(ctx.checkout.totals.total));
  }

  summary(input: PaymentInput, i18n: I18n<Messages>) {
    if (input.provider !== 'test') return '';
    // The last four digits only, and left-to-right even in Arabic (digits read that way).
    return html`<span class="badge">${i18n.t.testMode}</span>
      <span dir="ltr">•••• ${input.card.slice(-4)}</span>`;
  }

  confirm({ client, checkout, clientToken, input, idempotencyKey }: ConfirmRequest) {
    if (input.provider !== 'test') throw new Error('the test adapter pays test cards only');
    // Deliberately not aborted when the dialog closes: once a payment is sent, its answer
    // (an order) must reach the reader; the key makes a repeat harmless anyway.
    return client.confirmCheckout(
      checkout.id,
      clientToken,
      { payment: { provider: 'test', card: input.card } },
      idempotencyKey,
    );
  }
}
