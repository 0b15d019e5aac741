import { html, nothing, type TemplateResult } from 'lit';
import type { Step } from '../machine.ts';
import { buyerOf } from '../wallet/model.ts';
import { renderError, renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';

/** One reviewed section with its Edit button ("Edit Contact and shipping" to a screen reader). */
function section(
  ctx: StepContext,
  step: Step,
  title: string,
  content: TemplateResult | typeof nothing,
) {
  const { t } = ctx.i18n;
  const id = `review-${step}`;
  return html`<section class="review" aria-labelledby=${id}>
    <h3 id=${id}>${title}</h3>
    ${content}
    <button
      type="button"
      class="link"
      aria-disabled=${ctx.state.busy ? 'true' : nothing}
      @click=${() => ctx.actions.edit(step)}
    >
      ${t.edit}<span class="visually-hidden"> ${title}</span>
    </button>
  </section>`;
}

/** Review: everything the reader chose, each part editable, then pay the endpoint's total. */
export function renderReviewStep(ctx: StepContext): StepView {
  const { i18n } = ctx;
  const { t } = i18n;
  const c = ctx.state.checkout!;
  const variant = ctx.product.variants.find((v) => v.id === c.variantId);
  const options = Object.entries(variant?.options ?? {}).map(([k, v]) => `${k}: ${v}`);
  const item = [...options, t.items(c.quantity, i18n.plural)].join(' · ');
  const a = c.shippingAddress;
  const payment = ctx.state.payment;
  const adapter = ctx.payment()?.adapter;
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
    ${section(ctx, 'product', ctx.product.title, html`<p>${item}</p>`)}
    ${a ? section(ctx, 'shipping', t.stepShipping, address) : nothing}
    ${
      payment && adapter
        ? section(ctx, 'payment', t.stepPayment, html`<p>${adapter.summary(payment, i18n)}</p>`)
        : nothing
    }
    ${renderShareEmail(ctx)} ${renderError(ctx)} ${renderTotals(ctx)}`;
  return { body, footer: renderFooter(ctx, t.confirm(i18n.money(c.totals.total))) };
}

/**
 * A signed-in reader may have come straight here (their address and card were chosen): the
 * "Share my email" tick is offered here, per seller, unticked unless they allowed it on an
 * earlier order — then it says so, and where to take it back.
 */
function renderShareEmail(ctx: StepContext) {
  const c = ctx.state.checkout!;
  const buyer = buyerOf(c);
  if (!buyer || !c.email) return nothing;
  const { t } = ctx.i18n;
  const granted =
    buyer.emailSharedWithSeller ||
    ctx.wallet.wallet?.consents?.some((g) => g.sellerId === ctx.product.seller.id);
  return html`<div class="field checkbox">
    <input
      id="r-share"
      type="checkbox"
      .checked=${c.shareEmail}
      ?disabled=${ctx.state.busy}
      aria-describedby="r-share-help"
      @change=${(e: Event) => ctx.actions.shareEmail((e.target as HTMLInputElement).checked)}
    />
    <label for="r-share">${t.shareEmailWith(ctx.product.seller.name)}</label>
    <p class="help" id="r-share-help">${granted ? t.shareEmailGranted : t.shareEmailHelp}</p>
  </div>`;
}
