import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Variant } from '../../internal/types.ts';
import type { CheckoutFlow } from '../flow.ts';
import { variantFor } from '../machine.ts';
import { renderError, renderFooter, renderTotals, type StepView } from './common.ts';
import { renderOption } from './options.ts';

/** Step 1: what it is, who sells it, which one and how many. */
export function renderProductStep(flow: CheckoutFlow): StepView {
  const { i18n } = flow.host;
  const { t } = i18n;
  const product = flow.product;
  const { selection } = flow.state;
  const variant = variantFor(product, selection.options);
  const max = variant?.maxQuantity ?? 0;
  const live = variant
    ? html`<p class="live-total" aria-live="polite" aria-atomic="true">
        ${t.totalIs(i18n.money({ amount: variant.price.amount * selection.quantity, currency: variant.price.currency }))}
        · ${t.items(selection.quantity, i18n.plural)}
      </p>`
    : nothing;
  const body = html`
    ${renderImages(flow)}
    <div class="summary">
      <h3 class="title">${product.title}</h3>
      <p class="seller">${t.by(product.seller.name, t.sellerKind[product.seller.kind])}</p>
      ${renderPrice(flow, variant)}
      ${product.description ? html`<p class="description">${product.description}</p>` : nothing}
    </div>
    ${product.options.map((option, i) => renderOption(flow, option, i))}
    ${renderQuantity(flow, variant)} ${live}
    ${renderError(flow)} ${renderAlternatives(flow)} ${renderTotals(flow)}
  `;
  return {
    body,
    footer: renderFooter(flow, t.continue, { disabled: !variant || max === 0 }),
  };
}

function renderImages(flow: CheckoutFlow) {
  const images = flow.product.images;
  if (images.length === 0) return nothing;
  return html`<ul class="images" aria-label=${flow.host.i18n.t.images}>
    ${images.map(
      (image, i) => html`<li>
        <img
          part="image"
          src=${image.url}
          alt=${image.alt}
          width="160"
          height="160"
          loading=${i === 0 ? 'eager' : 'lazy'}
          decoding="async"
        />
      </li>`,
    )}
  </ul>`;
}

function renderPrice(flow: CheckoutFlow, variant: Variant | null) {
  const { i18n } = flow.host;
  const price = variant?.price ?? flow.product.priceFrom;
  const was = variant?.compareAtPrice;
  // The struck-through price is hidden from screen readers and said in words instead: <s> is
  // not announced as "was" by most of them.
  return html`<p class="price">
    <span class="now">${i18n.money(price)}</span>
    ${
      was
        ? html`<s class="was" aria-hidden="true">${i18n.money(was)}</s>
          <span class="visually-hidden">${i18n.t.was(i18n.money(was))}</span>`
        : nothing
    }
  </p>`;
}

function renderQuantity(flow: CheckoutFlow, variant: Variant | null) {
  const { i18n } = flow.host;
  const { t } = i18n;
  const { quantity } = flow.state.selection;
  const { busy } = flow.state;
  const max = variant?.maxQuantity ?? 0;
  // At a bound the buttons stay focusable (aria-disabled): disabling the button under the
  // reader's finger would throw the focus out of the stepper.
  const atMin = busy || quantity <= 1 ? 'true' : nothing;
  const atMax = busy || quantity >= max ? 'true' : nothing;
  return html`<div part="quantity" class="quantity" role="group" aria-labelledby="qty-label">
    <label id="qty-label" class="label" for="qty">${t.quantity}</label>
    <button
      type="button"
      class="icon"
      aria-label=${t.decrease}
      aria-controls="qty"
      aria-disabled=${atMin}
      @click=${() => flow.setQuantity(quantity - 1)}
    >
      <span aria-hidden="true">−</span>
    </button>
    <input
      id="qty"
      type="number"
      inputmode="numeric"
      min="1"
      max=${Math.max(1, max)}
      step="1"
      .value=${live(String(quantity))}
      ?readonly=${busy}
      ?disabled=${max === 0}
      @change=${(e: Event) => flow.setQuantity(Number((e.target as HTMLInputElement).value))}
    />
    <button
      type="button"
      class="icon"
      aria-label=${t.increase}
      aria-controls="qty"
      aria-disabled=${atMax}
      @click=${() => flow.setQuantity(quantity + 1)}
    >
      <span aria-hidden="true">+</span>
    </button>
    ${
      variant && variant.availability === 'low_stock' && max > 0
        ? html`<p class="low">${t.onlyLeft(max, i18n.plural)}</p>`
        : nothing
    }
  </div>`;
}

/** After out_of_stock: the variants that can still be bought (freshly read), one press away. */
function renderAlternatives(flow: CheckoutFlow) {
  const code = flow.state.error?.code;
  if (code !== 'out_of_stock' && code !== 'variant_unavailable') return nothing;
  const { i18n } = flow.host;
  const current = variantFor(flow.product, flow.state.selection.options);
  const options = flow.product.variants.filter((v) => v.maxQuantity > 0 && v !== current);
  if (options.length === 0) return nothing;
  return html`<div class="alternatives">
    <p id="alternatives-label">${i18n.t.errors.out_of_stock_alternatives}</p>
    <ul aria-labelledby="alternatives-label">
      ${options.map(
        (v) => html`<li>
          <button type="button" class="secondary" @click=${() => flow.chooseVariant(v.id)}>
            ${Object.values(v.options).join(' / ') || flow.product.title} · ${i18n.money(v.price)}
          </button>
        </li>`,
      )}
    </ul>
  </div>`;
}
