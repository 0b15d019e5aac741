import { html, nothing } from 'lit';
import { PAYMENT_FORM_ID } from '../payment/types.ts';
import { renderError, renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';

/** Payment: whatever the endpoint's hand-off asks for, drawn by its adapter. */
export function renderPaymentStep(ctx: StepContext): StepView {
  const { t } = ctx.i18n;
  const payment = ctx.payment();
  if (!payment) {
    const url = ctx.product.url;
    return {
      body: html`<div part="error" class="error" role="alert">
          <p>${t.paymentUnsupported}</p>
          ${url ? html`<a class="secondary link-button" href=${url}>${t.viewProduct}</a>` : nothing}
        </div>
        ${renderTotals(ctx)}`,
      footer: nothing,
    };
  }
  const { adapter, context } = payment;
  const label = adapter.primaryLabel(context);
  return {
    body: html`${renderError(ctx)} ${adapter.render(context)} ${renderTotals(ctx)}`,
    footer: label ? renderFooter(ctx, label, { form: PAYMENT_FORM_ID }) : nothing,
  };
}
