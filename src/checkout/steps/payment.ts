import { html, nothing } from 'lit';
import type { CheckoutFlow } from '../flow.ts';
import { renderError, renderPrimary, renderTotals } from '../view.ts';

export function renderPaymentStep(flow: CheckoutFlow) {
  const { i18n } = flow.host;
  const checkout = flow.state.checkout!;
  const adapter = flow.paymentAdapter();
  const body = adapter
    ? adapter.render({
        i18n,
        checkout,
        busy: flow.state.busy,
        ready: (input) => flow.paymentReady(input),
        requestUpdate: () => flow.host.requestUpdate(),
      })
    : nothing;
  const hasForm = checkout.payment.provider === 'test';
  return html`${body} ${renderError(flow)} ${renderTotals(flow)}
  ${hasForm ? renderPrimary(flow, i18n.t.payNow(i18n.money(checkout.totals.total)), { form: 'payment-form' }) : nothing}`;
}

export function renderReviewStep(flow: CheckoutFlow) {
  const { i18n } = flow.host;
  const { t } = i18n;
  const c = flow.state.checkout!;
  const variant = flow.product.variants.find((v) => v.id === c.variantId);
  const options = Object.entries(variant?.options ?? {});
  const a = c.shippingAddress;
  const payment = flow.state.payment;
  return html`<p>${t.reviewIntro}</p>
    <section class="review" aria-label=${t.stepProduct}>
      <h3>${flow.product.title}</h3>
      <p>${options.map(([k, v]) => `${k}: ${v}`).join(' · ')}${options.length ? ' · ' : ''}${t.items(c.quantity, i18n.plural)}</p>
      <button type="button" class="link" @click=${() => flow.dispatch({ type: 'edit', step: 'product' })}>${t.edit}<span class="visually-hidden"> ${t.stepProduct}</span></button>
    </section>
    ${
      a
        ? html`<section class="review" aria-label=${t.stepShipping}>
          <h3>${t.stepShipping}</h3>
          <address>
            ${c.email ? html`${c.email}<br />` : nothing} ${a.name}<br />${a.line1}${a.line2 ? html`<br />${a.line2}` : nothing}<br />${a.postalCode ?? ''} ${a.city}${a.region ? `, ${a.region}` : ''}<br />${i18n.country(a.country)}
          </address>
          <button type="button" class="link" @click=${() => flow.dispatch({ type: 'edit', step: 'shipping' })}>${t.edit}<span class="visually-hidden"> ${t.stepShipping}</span></button>
        </section>`
        : nothing
    }
    ${
      payment?.provider === 'test'
        ? html`<section class="review" aria-label=${t.stepPayment}>
          <h3>${t.stepPayment}</h3>
          <p><span class="badge">${t.testMode}</span> •••• <span dir="ltr">${payment.card.slice(-4)}</span></p>
          <button type="button" class="link" @click=${() => flow.dispatch({ type: 'edit', step: 'payment' })}>${t.edit}<span class="visually-hidden"> ${t.stepPayment}</span></button>
        </section>`
        : nothing
    }
    ${renderError(flow)} ${renderTotals(flow)} ${renderPrimary(flow, t.confirm(i18n.money(c.totals.total)))}`;
}
