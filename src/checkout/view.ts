import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutFlow } from './flow.ts';
import type { Step } from './machine.ts';
import { renderDoneStep } from './steps/done.ts';
import { renderPaymentStep, renderReviewStep } from './steps/payment.ts';
import { renderProductStep } from './steps/product.ts';
import { renderShippingStep } from './steps/shipping.ts';

const STEPS: Record<Step, (flow: CheckoutFlow) => TemplateResult> = {
  product: renderProductStep,
  shipping: renderShippingStep,
  payment: renderPaymentStep,
  review: renderReviewStep,
  done: renderDoneStep,
};

export function stepTitle(flow: CheckoutFlow, step: Step): string {
  const { t } = flow.host.i18n;
  return {
    product: t.stepProduct,
    shipping: t.stepShipping,
    payment: t.stepPayment,
    review: t.stepReview,
    done: t.stepDone,
  }[step];
}

/** The dialog: header (progress, title, close), the step, and the live region. */
export function renderDialog(flow: CheckoutFlow): TemplateResult {
  const { i18n } = flow.host;
  const { t } = i18n;
  const { step } = flow.state;
  const n = flow.steps.indexOf(step) + 1;
  return html`<dialog
      part="dialog"
      dir=${i18n.dir}
      lang=${i18n.locale}
      aria-labelledby="step-heading"
      aria-describedby="step-progress"
      @close=${flow.handleClosed}
    >
      <header part="header">
        ${
          step !== 'product' && step !== 'done'
            ? html`<button type="button" class="icon back" part="back" aria-label=${t.back} ?disabled=${flow.state.busy} @click=${() => flow.dispatch({ type: 'back' })}>
              <span aria-hidden="true">${i18n.dir === 'rtl' ? '→' : '←'}</span>
            </button>`
            : nothing
        }
        <div class="titles">
          <p class="progress" id="step-progress">${t.stepOf(n, flow.steps.length)}</p>
          <h2 id="step-heading" tabindex="-1" data-step-heading>${stepTitle(flow, step)}</h2>
        </div>
        <button type="button" class="icon close" part="close" aria-label=${t.close} @click=${() => flow.host.hide()}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div part="body" class="body" data-step=${step} aria-busy=${flow.state.busy ? 'true' : 'false'}>${STEPS[step](flow)}</div>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${flow.announcement}</div>
    </dialog>`;
}

/** The error of the current step, with its way forward. */
export function renderError(flow: CheckoutFlow): TemplateResult | typeof nothing {
  const error = flow.state.error;
  if (!error) return nothing;
  const { t } = flow.host.i18n;
  let action: TemplateResult | typeof nothing = nothing;
  if (error.code === 'checkout_expired') {
    action = html`<button type="button" class="secondary" @click=${() => flow.restart()}>${t.startAgain}</button>`;
  } else if (
    error.code === 'network' ||
    error.code === 'internal_error' ||
    error.code === 'rate_limited'
  ) {
    action = html`<button type="button" class="secondary" @click=${() => flow.retry()}>${t.retry}</button>`;
  }
  return html`<div part="error" class="error" role="alert">
    <p>${error.message}</p>
    ${action}
  </div>`;
}

/** The totals table: from the checkout once it exists, else the subtotal the reader chose. */
export function renderTotals(flow: CheckoutFlow): TemplateResult | typeof nothing {
  const c = flow.state.checkout;
  if (!c) return nothing;
  const { t, money } = flow.host.i18n;
  const m = money.bind(flow.host.i18n);
  const shipping =
    c.totals.shipping === null
      ? t.shippingAtNextStep
      : c.totals.shipping.amount === 0
        ? t.free
        : m(c.totals.shipping);
  return html`<dl part="totals" class="totals">
    <div><dt>${t.subtotal}</dt><dd>${m(c.totals.subtotal)}</dd></div>
    ${c.kind === 'physical' ? html`<div><dt>${t.shipping}</dt><dd>${shipping}</dd></div>` : nothing}
    ${c.totals.tax.amount > 0 ? html`<div><dt>${t.tax}</dt><dd>${m(c.totals.tax)}</dd></div>` : nothing}
    <div class="total"><dt>${t.total}</dt><dd>${m(c.totals.total)}</dd></div>
  </dl>`;
}

/** The step's main action. */
export function renderPrimary(
  flow: CheckoutFlow,
  label: string,
  opts: { form?: string; disabled?: boolean } = {},
) {
  const busy = flow.state.busy;
  return html`<footer part="footer">
    <button
      type=${opts.form ? 'submit' : 'button'}
      form=${opts.form ?? nothing}
      part="primary"
      class="primary"
      ?disabled=${busy || opts.disabled}
      aria-disabled=${busy ? 'true' : nothing}
      @click=${opts.form ? nothing : () => flow.continue()}
    >
      ${busy ? flow.host.i18n.t.processing : label}
    </button>
  </footer>`;
}
