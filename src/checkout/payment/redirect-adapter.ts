import { html } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { PaymentAdapter, PaymentContext } from './types.ts';

/**
 * A hosted payment page (for in-app webviews and hosts whose CSP forbids payment iframes): the
 * reader follows a plain link, pays there, and comes back; the flow reads the checkout again
 * when the dialog reopens (see internal/return.ts), and shows the order once the endpoint has it.
 */
export class RedirectPaymentAdapter implements PaymentAdapter {
  constructor(private readonly url: string | null) {}

  render(ctx: PaymentContext) {
    const { t } = ctx.i18n;
    const total = ctx.i18n.money(ctx.checkout.totals.total);
    // The endpoint makes the page once the checkout is ready to pay (and after each change).
    if (!this.url) return html`<p part="payment" role="status">${t.redirectPreparing}</p>`;
    return html`<div part="payment" class="redirect">
      <p id="redirect-help">${t.redirectHelp}</p>
      <a
        part="primary"
        class="primary link-button"
        href=${this.url}
        aria-describedby="redirect-help"
        aria-disabled=${ctx.busy ? 'true' : 'false'}
        >${t.redirectGo} · ${total}</a
      >
    </div>`;
  }

  /** The link is the way forward: no review step, the hosted page is where the reader confirms. */
  primaryLabel() {
    return null;
  }

  summary(_input: unknown, i18n: I18n<Messages>) {
    return i18n.t.redirectGo;
  }

  confirm(): never {
    throw new Error('a hosted payment page is confirmed there, not here');
  }
}
