import { html } from 'lit';
import type { PaymentAdapter, PaymentContext } from './adapter.ts';

/** The endpoint's built-in test provider: a clearly labelled form for Stripe's test numbers. */
export class TestPaymentAdapter implements PaymentAdapter {
  private card = '';
  private invalid = false;

  render(ctx: PaymentContext) {
    const { t } = ctx.i18n;
    const submit = (e: Event) => {
      e.preventDefault();
      const digits = this.card.replace(/[\s-]/g, '');
      this.invalid = !/^\d{12,19}$/.test(digits);
      ctx.requestUpdate();
      if (!this.invalid) ctx.ready({ provider: 'test', card: digits });
    };
    return html`<form id="payment-form" class="test-mode" part="payment" @submit=${submit} novalidate>
      <p class="badge" part="test-badge"><strong>${t.testMode}</strong></p>
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
          .value=${this.card}
          aria-invalid=${this.invalid ? 'true' : 'false'}
          aria-describedby=${this.invalid ? 'card-error test-help' : 'test-help'}
          @input=${(e: Event) => {
            this.card = (e.target as HTMLInputElement).value;
          }}
        />
        ${this.invalid ? html`<p class="message" id="card-error">${t.required(t.cardNumber)}</p>` : ''}
      </div>
    </form>`;
  }
}
