import { html, nothing } from 'lit';
import type { CheckoutFlow } from '../flow.ts';
import { renderFooter, renderTotals, type StepView } from './common.ts';

/** The confirmation: the order number, what happens next, the download for digital goods. */
export function renderDoneStep(flow: CheckoutFlow): StepView {
  const { t } = flow.host.i18n;
  const c = flow.state.checkout!;
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
    ${renderTotals(flow)}`;
  return { body, footer: renderFooter(flow, t.done) };
}
