import { html, nothing } from 'lit';
import type { ConfirmCheckoutBody } from '../../../server/src/protocol/index.ts';
import { luhnValid } from '../../../server/src/protocol/rules.ts';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { PaymentInput } from '../machine.ts';
import { renderCardName } from '../wallet/labels.ts';
import { buyerOf, savedCard } from '../wallet/model.ts';
import {
  type ConfirmRequest,
  PAYMENT_FORM_ID,
  type PaymentAdapter,
  type PaymentContext,
} from './types.ts';

/** The "a new card" choice beside the saved ones. */
const NEW = 'new';

/**
 * The endpoint's built-in test provider: a clearly labelled form that takes Stripe's test card
 * numbers. No real money moves; the card number goes to the endpoint only to pick an outcome.
 * A signed-in reader also sees the cards saved in their wallet (brand and last four digits), and
 * may tick "Save this card" for a new one.
 */
export class TestPaymentAdapter implements PaymentAdapter {
  private card = '';
  private save = false;
  /** The saved card chosen (its id), or NEW; null until the reader or the input chose. */
  private choice: string | null = null;
  private invalid = false;

  render(ctx: PaymentContext) {
    const { t } = ctx.i18n;
    const input = ctx.input?.provider === 'test' ? ctx.input : null;
    if (!this.card && input && 'card' in input) this.card = input.card;
    const buyer = buyerOf(ctx.checkout);
    const cards = buyer?.paymentMethods ?? [];
    // the card chosen before (back from review), else the most recently saved one
    if (this.choice === null || (this.choice !== NEW && !cards.some((c) => c.id === this.choice)))
      this.choice = (input && 'saved' in input ? input.saved.id : cards[0]?.id) ?? NEW;
    const chosen = cards.find((c) => c.id === this.choice) ?? null;
    const submit = (e: Event) => {
      e.preventDefault();
      if (ctx.busy) return;
      if (chosen) return ctx.ready({ provider: 'test', saved: savedCard(chosen) });
      const digits = this.card.replace(/[\s-]/g, '');
      // the endpoint's own check (rules.ts): a mistyped digit is caught before the network
      this.invalid = !/^\d{12,19}$/.test(digits) || !luhnValid(digits);
      ctx.requestUpdate();
      if (this.invalid) {
        (e.target as HTMLFormElement).querySelector<HTMLInputElement>('#card')?.focus();
        return;
      }
      ctx.ready({ provider: 'test', card: digits, ...(buyer && this.save ? { save: true } : {}) });
    };
    const choose = (id: string) => {
      this.choice = id;
      this.invalid = false;
      ctx.requestUpdate();
    };
    const described = this.invalid ? 'card-error test-help' : 'test-help';
    const cardField = html`<div class="field" part="field">
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
      ${
        buyer
          ? html`<div class="field checkbox">
            <input
              id="save-card"
              type="checkbox"
              .checked=${this.save}
              ?disabled=${ctx.busy}
              aria-describedby="save-card-help"
              @change=${(e: Event) => {
                this.save = (e.target as HTMLInputElement).checked;
              }}
            />
            <label for="save-card">${t.saveCard}</label>
            <p class="help" id="save-card-help">${t.saveCardHelp}</p>
          </div>`
          : nothing
      }`;
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
      ${
        cards.length
          ? html`<fieldset class="saved-choices">
            <legend>${t.payWith}</legend>
            ${cards.map(
              (c) => html`<div class="saved-choice">
                <input
                  type="radio"
                  name="saved-card"
                  id=${`pm-${c.id}`}
                  .checked=${this.choice === c.id}
                  ?disabled=${ctx.busy}
                  @change=${() => choose(c.id)}
                />
                <label for=${`pm-${c.id}`}>${renderCardName(c, ctx.i18n)}</label>
              </div>`,
            )}
            <div class="saved-choice">
              <input
                type="radio"
                name="saved-card"
                id="pm-new"
                .checked=${this.choice === NEW}
                ?disabled=${ctx.busy}
                @change=${() => choose(NEW)}
              />
              <label for="pm-new">${t.newCard}</label>
            </div>
          </fieldset>`
          : nothing
      }
      ${chosen ? nothing : cardField}
    </form>`;
  }

  primaryLabel(ctx: PaymentContext) {
    return ctx.i18n.t.toReview(ctx.i18n.money(ctx.checkout.totals.total));
  }

  summary(input: PaymentInput, i18n: I18n<Messages>) {
    if (input.provider !== 'test') return '';
    const badge = html`<span class="badge">${i18n.t.testMode}</span>`;
    if ('saved' in input) return html`${badge} ${renderCardName(input.saved, i18n)}`;
    // The last four digits only, and left-to-right even in Arabic (digits read that way).
    return html`${badge} <span dir="ltr">•••• ${input.card.slice(-4)}</span>`;
  }

  confirm({ client, checkout, clientToken, input, idempotencyKey }: ConfirmRequest) {
    if (input.provider !== 'test') throw new Error('the test adapter pays test cards only');
    const payment: ConfirmCheckoutBody['payment'] =
      'saved' in input
        ? { provider: 'test', savedPaymentMethodId: input.saved.id }
        : { provider: 'test', card: input.card, ...(input.save ? { saveCard: true } : {}) };
    // Deliberately not aborted when the dialog closes: once a payment is sent, its answer
    // (an order) must reach the reader; the key makes a repeat harmless anyway.
    return client.confirmCheckout(checkout.id, clientToken, { payment }, idempotencyKey);
  }
}
