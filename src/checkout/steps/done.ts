import { html, nothing } from 'lit';
import { renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';

/**
 * The confirmation: the order number, what happens next, the download for digital goods — or,
 * for an order the seller has refunded since (read back later), what was given back.
 */
export function renderDoneStep(ctx: StepContext): StepView {
  const { t } = ctx.i18n;
  const c = ctx.state.checkout!;
  const order = c.order;
  const refunded = order?.refundStatus === 'full' || order?.refundStatus === 'partial';
  const whole = order?.refundStatus === 'full';
  const body = html`<div class="done">
      <p class="thanks">${whole ? t.orderRefunded : t.thankYou}</p>
      ${order ? html`<p class="order-number">${t.orderNumber(order.number)}</p>` : nothing}
      ${
        refunded && order.amountRefunded
          ? html`<p part="refund" class="refund">
              ${
                whole
                  ? t.refundedFull(ctx.i18n.money(order.amountRefunded))
                  : t.refundedPartial(
                      ctx.i18n.money(order.amountRefunded),
                      ctx.i18n.money(c.totals.total),
                    )
              }
            </p>`
          : nothing
      }
      ${whole ? nothing : html`<p>${c.kind === 'digital' ? t.whatNextDigital : t.whatNextPhysical}</p>`}
      ${
        order?.downloadUrl && !whole
          ? html`<a part="download" class="secondary link-button" href=${order.downloadUrl} download>
              ${t.download}
            </a>`
          : nothing
      }
    </div>
    ${renderTotals(ctx)}`;
  return { body, footer: renderFooter(ctx, t.done) };
}
