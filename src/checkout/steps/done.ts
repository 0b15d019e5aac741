import { html, nothing } from 'lit';
import { renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';

/** The confirmation: the order number, what happens next, the download for digital goods. */
export function renderDoneStep(ctx: StepContext): StepView {
  const { t } = ctx.i18n;
  const c = ctx.state.checkout!;
  const order = c.order;
  const body = html`<div class="done">
      <p class="thanks">${t.thankYou}</p>
      ${order ? html`<p class="order-number">${t.orderNumber(order.number)}</p>` : nothing}
      <p>${c.kind === 'digital' ? t.whatNextDigital : t.whatNextPhysical}</p>
      ${
        order?.downloadUrl
          ? html`<a part="download" class="secondary link-button" href=${order.downloadUrl} download>
              ${t.download}
            </a>`
          : nothing
      }
    </div>
    ${renderTotals(ctx)}`;
  return { body, footer: renderFooter(ctx, t.done) };
}
