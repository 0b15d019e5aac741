import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutFlow } from '../flow.ts';
import type { Step } from '../machine.ts';
import { renderError, renderFooter, renderTotals, type StepView } from './common.ts';

/** One reviewed section with its Edit button ("Edit Contact and shipping" to a screen reader). */
function section(
  flow: CheckoutFlow,
  step: Step,
  title: string,
  content: TemplateResult | typeof nothing,
) {
  const { t } = flow.host.i18n;
  const id = `review-${step}`;
  return html`<section class="review" aria-labelledby=${id}>
    <h3 id=${id}>${title}</h3>
    ${content}
    <button
      type="button"
      class="link"
      aria-disabled=${flow.state.busy ? 'true' : nothing}
      @click=${() => flow.edit(step)}
    >
      ${t.edit}<span class="visually-hidden"> ${title}</span>
    </button>
  </section>`;
}

/** Review: everything the reader chose, each part editable, then pay the endpoint's total. */
export function renderReviewStep(flow: CheckoutFlow): StepView {
  const { i18n } = flow.host;
  const { t } = i18n;
  const c = flow.state.checkout!;
  const variant = flow.product.variants.find((v) => v.id === c.variantId);
  const options = Object.entries(variant?.options ?? {}).map(([k, v]) => `${k}: ${v}`);
  const item = [...options, t.items(c.quantity, i18n.plural)].join(' · ');
  const a = c.shippingAddress;
  const payment = flow.state.payment;
  const adapter = flow.paymentAdapter();
  const address = a
    ? html`<address>
        ${c.email ? html`<span dir="ltr">${c.email}</span><br />` : nothing}
        ${a.name}<br />
        ${a.line1}<br />
        ${a.line2 ? html`${a.line2}<br />` : nothing}
        ${[a.postalCode, a.city, a.region].filter(Boolean).join(' ')}<br />
        ${i18n.country(a.country)}
        ${a.phone ? html`<br /><span dir="ltr">${a.phone}</span>` : nothing}
      </address>`
    : nothing;
  const body = html`<p>${t.reviewIntro}</p>
    ${section(flow, 'product', flow.product.title, html`<p>${item}</p>`)}
    ${a ? section(flow, 'shipping', t.stepShipping, address) : nothing}
    ${
      payment && adapter
        ? section(flow, 'payment', t.stepPayment, html`<p>${adapter.summary(payment, i18n)}</p>`)
        : nothing
    }
    ${renderError(flow)} ${renderTotals(flow)}`;
  return { body, footer: renderFooter(flow, t.confirm(i18n.money(c.totals.total))) };
}
