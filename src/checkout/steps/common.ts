import { html, nothing, type TemplateResult } from 'lit';
import { isRetryable } from '../machine.ts';
import type { StepContext } from './context.ts';

/** Errors whose way forward is on the step itself (a field, the alternatives, the card). */
const FIXED_IN_PLACE = new Set([
  'out_of_stock',
  'variant_unavailable',
  'payment_declined',
  'does_not_ship',
]);

/** The error of the current step, announced (role=alert), with its way forward. */
export function renderError(ctx: StepContext): TemplateResult | typeof nothing {
  const error = ctx.state.error;
  if (!error) return nothing;
  const { t } = ctx.i18n;
  let action: TemplateResult | typeof nothing = nothing;
  if (error.code === 'checkout_expired') {
    action = html`<button type="button" class="secondary" @click=${ctx.actions.startAgain}>
      ${t.startAgain}
    </button>`;
  } else if (error.code === 'origin_not_allowed') {
    const url = ctx.product.url;
    action = url
      ? html`<a class="secondary link-button" href=${url}>${t.viewProduct}</a>`
      : nothing;
  } else if (
    isRetryable(error.code) ||
    (!FIXED_IN_PLACE.has(error.code) && !error.fields && ctx.state.step !== 'payment')
  ) {
    action = html`<button type="button" class="secondary" @click=${ctx.actions.continue}>
      ${t.retry}
    </button>`;
  }
  return html`<div part="error" class="error" role="alert">
    <p>${error.message}</p>
    ${action}
  </div>`;
}

/** The endpoint's totals (it is the price authority): subtotal, shipping, tax, total. */
export function renderTotals(ctx: StepContext): TemplateResult | typeof nothing {
  const c = ctx.state.checkout;
  if (!c) return nothing;
  const { i18n } = ctx;
  const { t } = i18n;
  const shipping =
    c.totals.shipping === null
      ? t.shippingAtNextStep
      : c.totals.shipping.amount === 0
        ? t.free
        : i18n.money(c.totals.shipping);
  return html`<dl part="totals" class="totals">
    <div><dt>${t.subtotal}</dt><dd>${i18n.money(c.totals.subtotal)}</dd></div>
    ${c.kind === 'physical' ? html`<div><dt>${t.shipping}</dt><dd>${shipping}</dd></div>` : nothing}
    ${c.totals.tax.amount > 0 ? html`<div><dt>${t.tax}</dt><dd>${i18n.money(c.totals.tax)}</dd></div>` : nothing}
    <div class="total"><dt>${t.total}</dt><dd>${i18n.money(c.totals.total)}</dd></div>
  </dl>`;
}

export interface PrimaryOptions {
  /** Submit this form (its own validation runs) instead of continuing directly. */
  form?: string;
  disabled?: boolean;
  /** Shown above the button, e.g. the live total. */
  before?: TemplateResult | typeof nothing;
}

/**
 * The step's main action, in the footer. While a request is in flight it stays focusable but
 * inert (aria-disabled): disabling a focused button would drop the focus to the document.
 */
export function renderFooter(ctx: StepContext, label: string, opts: PrimaryOptions = {}) {
  const { busy } = ctx.state;
  return html`<footer part="footer">
    ${opts.before ?? nothing}
    <button
      type=${opts.form ? 'submit' : 'button'}
      form=${opts.form ?? nothing}
      part="primary"
      class="primary"
      ?disabled=${!!opts.disabled && !busy}
      aria-disabled=${busy ? 'true' : nothing}
      @click=${opts.form ? nothing : ctx.actions.continue}
    >
      ${busy ? ctx.i18n.t.processing : label}
    </button>
  </footer>`;
}
