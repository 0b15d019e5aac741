import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Variant } from '../../internal/types.ts';
import { variantFor } from '../machine.ts';
import { renderError, renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';
import { renderOption } from './options.ts';

/** Step 1: what it is, who sells it, which one and how many. */
export function renderProductStep(ctx: StepContext): StepView {
  const { i18n, product } = ctx;
  const { t } = i18n;
  const { selection } = ctx.state;
  const variant = variantFor(product, selection.options);
  const max = variant?.maxQuantity ?? 0;
  const live = variant
    ? html`<p class="live-total" aria-live="polite" aria-atomic="true">
        ${t.totalIs(i18n.money({ amount: variant.price.amount * selection.quantity, currency: variant.price.currency }))}
        · ${t.items(selection.quantity, i18n.plural)}
      </p>`
    : nothing;
  const body = html`
    ${renderImages(ctx)}
    <div class="summary">
      <h3 class="title">${product.title}</h3>
      <p class="seller">${t.by(product.seller.name, t.sellerKind[product.seller.kind])}</p>
      ${renderPrice(ctx, variant)}
      ${product.description ? html`<p class="description">${product.description}</p>` : nothing}
    </div>
    ${product.options.map((option, i) => renderOption(ctx, option, i))}
    ${renderQuantity(ctx, variant)} ${live}
    ${renderError(ctx)} ${renderAlternatives(ctx)} ${renderTotals(ctx)}
  `;
  // A signed-in reader with a saved card pays a digital product from here (Buy, then Pay).
  const label = ctx.quickPay ? t.confirm(i18n.money(ctx.quickPay)) : t.continue;
  return {
    body,
    footer: renderFooter(ctx, label, { disabled: !variant || max === 0 }),
  };
}

function renderImages(ctx: StepContext) {
  const images = ctx.product.images;
  if (images.length === 0) return nothing;
  return html`<ul class="images" aria-label=${ctx.i18n.t.images}>
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

function renderPrice(ctx: StepContext, variant: Variant | null) {
  const { i18n } = ctx;
  const price = variant?.price ?? ctx.product.priceFrom;
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

function renderQuantity(ctx: StepContext, variant: Variant | null) {
  const { i18n } = ctx;
  const { t } = i18n;
  const { quantity } = ctx.state.selection;
  const { busy } = ctx.state;
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
      @click=${() => ctx.actions.setQuantity(quantity - 1)}
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
      @change=${(e: Event) => ctx.actions.setQuantity(Number((e.target as HTMLInputElement).value))}
    />
    <button
      type="button"
      class="icon"
      aria-label=${t.increase}
      aria-controls="qty"
      aria-disabled=${atMax}
      @click=${() => ctx.actions.setQuantity(quantity + 1)}
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
function renderAlternatives(ctx: StepContext) {
  const code = ctx.state.error?.code;
  if (code !== 'out_of_stock' && code !== 'variant_unavailable') return nothing;
  const { i18n } = ctx;
  const current = variantFor(ctx.product, ctx.state.selection.options);
  const options = ctx.product.variants.filter((v) => v.maxQuantity > 0 && v !== current);
  if (options.length === 0) return nothing;
  return html`<div class="alternatives">
    <p id="alternatives-label">${i18n.t.errors.out_of_stock_alternatives}</p>
    <ul aria-labelledby="alternatives-label">
      ${options.map(
        (v) => html`<li>
          <button type="button" class="secondary" @click=${() => ctx.actions.chooseVariant(v.id)}>
            ${Object.values(v.options).join(' / ') || ctx.product.title} · ${i18n.money(v.price)}
          </button>
        </li>`,
      )}
    </ul>
  </div>`;
}
