import { html, nothing } from 'lit';
import type { CheckoutFlow } from '../flow.ts';
import { PAYMENT_FORM_ID } from '../payment/adapter.ts';
import { renderError, renderFooter, renderTotals, type StepView } from './common.ts';

/** Payment: whatever the endpoint's hand-off asks for, drawn by its adapter. */
export function renderPaymentStep(flow: CheckoutFlow): StepView {
  const { i18n } = flow.host;
  const adapter = flow.paymentAdapter();
  if (!adapter) {
    const url = flow.product.url;
    return {
      body: html`<div part="error" class="error" role="alert">
          <p>${i18n.t.paymentUnsupported}</p>
          ${url ? html`<a class="secondary link-button" href=${url}>${i18n.t.viewProduct}</a>` : nothing}
        </div>
        ${renderTotals(flow)}`,
      footer: nothing,
    };
  }
  const ctx = flow.paymentContext();
  const label = adapter.primaryLabel(ctx);
  return {
    body: html`${renderError(flow)} ${adapter.render(ctx)} ${renderTotals(flow)}`,
    footer: label ? renderFooter(flow, label, { form: PAYMENT_FORM_ID }) : nothing,
  };
}
