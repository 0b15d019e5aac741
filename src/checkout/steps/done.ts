import { html, nothing } from 'lit';
import type { CheckoutFlow } from '../flow.ts';
import { renderPrimary, renderTotals } from '../view.ts';

export function renderDoneStep(flow: CheckoutFlow) {
  const { t } = flow.host.i18n;
  const c = flow.state.checkout!;
  const order = c.order!;
  return html`<div class="done">
      <p class="thanks">${t.thankYou}</p>
      <p class="order-number">${t.orderNumber(order.number)}</p>
      <p>${c.kind === 'digital' ? t.whatNextDigital : t.whatNextPhysical}</p>
      ${order.downloadUrl ? html`<a part="download" class="primary link-button" href=${order.downloadUrl} download>${t.download}</a>` : nothing}
    </div>
    ${renderTotals(flow)} ${renderPrimary(flow, t.done)}`;
}
