import { html } from 'lit';
import type { PaymentAdapter, PaymentContext } from './adapter.ts';

/**
 * A hosted payment page (for in-app webviews and hosts whose CSP forbids payment iframes):
 * the buyer leaves, pays, and comes back; the flow reads the checkout again on return.
 */
export class RedirectPaymentAdapter implements PaymentAdapter {
  constructor(private readonly url: string) {}

  render(ctx: PaymentContext) {
    const { t } = ctx.i18n;
    return html`<div part="payment" class="redirect">
      <p>${t.redirectHelp}</p>
      <a part="primary" class="primary link-button" href=${this.url}>${t.redirectGo}</a>
    </div>`;
  }
}
