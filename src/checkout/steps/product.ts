import { html, nothing } from 'lit';
import type { Variant } from '../../internal/types.ts';
import type { CheckoutFlow } from '../flow.ts';
import { unavailability, variantFor } from '../machine.ts';
import { renderError, renderPrimary, renderTotals } from '../view.ts';

const COLOUR_OPTION = /^(colou?r|couleur|farbe|اللون|لون)$/i;
const SWATCHES: Record<string, string> = {
  black: '#111',
  white: '#fff',
  sand: '#d8c3a0',
  natural: '#efe6d2',
  ocean: '#1f6f9f',
  red: '#c62828',
  blue: '#1d4ed8',
  green: '#2e7d32',
  grey: '#888',
  gray: '#888',
  navy: '#1b2a4a',
  pink: '#f48fb1',
  yellow: '#fbc02d',
};

export function renderProductStep(flow: CheckoutFlow) {
  const { i18n } = flow.host;
  const { t } = i18n;
  const product = flow.product;
  const { selection, busy } = flow.state;
  const variant = variantFor(product, selection.options);
  const image = product.images[0];
  const max = variant?.maxQuantity ?? 0;
  return html`
    <div class="product">
      ${image ? html`<img part="image" src=${image.url} alt=${image.alt} width="160" height="160" loading="lazy" decoding="async" />` : nothing}
      <div class="summary">
        <h3 class="title">${product.title}</h3>
        <p class="seller">${t.by(product.seller.name, t.sellerKind[product.seller.kind])}</p>
        ${renderPrice(flow, variant)}
      </div>
    </div>
    ${product.options.map((option, i) => {
      const swatch = COLOUR_OPTION.test(option.name);
      return html`<fieldset part="option" class=${swatch ? 'option swatches' : 'option'}>
        <legend>${option.name}: <strong>${selection.options[option.name] ?? ''}</strong></legend>
        <div class="choices">
          ${option.values.map((value) => {
            const why = unavailability(product, selection.options, i, value);
            const id = `opt-${i}-${value.replace(/\W+/g, '_')}`;
            const reason =
              why === 'sold-out' ? t.optionSoldOut : why === 'not-made' ? t.optionNotMade : '';
            return html`<span class="choice">
              <input
                type="radio"
                id=${id}
                name=${`option-${i}`}
                .value=${value}
                .checked=${selection.options[option.name] === value}
                ?disabled=${busy || why !== null}
                @change=${() => flow.select(option.name, value)}
              />
              <label for=${id} part=${swatch ? 'swatch' : 'choice'} title=${reason || value}>
                ${swatch ? html`<span class="swatch" style=${`--swatch:${SWATCHES[value.toLowerCase()] ?? 'transparent'}`} aria-hidden="true"></span>` : nothing}
                <span class=${swatch ? 'swatch-name' : ''}>${value}</span>
                ${reason ? html`<span class="reason">(${reason})</span>` : nothing}
              </label>
            </span>`;
          })}
        </div>
      </fieldset>`;
    })}
    <div part="quantity" class="quantity" role="group" aria-labelledby="qty-label">
      <span id="qty-label" class="label">${t.quantity}</span>
      <button type="button" class="icon" aria-label=${t.decrease} ?disabled=${busy || selection.quantity <= 1} @click=${() => flow.setQuantity(selection.quantity - 1)}>−</button>
      <input
        type="number"
        inputmode="numeric"
        min="1"
        max=${Math.max(1, max)}
        aria-labelledby="qty-label"
        .value=${String(selection.quantity)}
        ?disabled=${busy || max === 0}
        @change=${(e: Event) => flow.setQuantity(Number((e.target as HTMLInputElement).value))}
      />
      <button type="button" class="icon" aria-label=${t.increase} ?disabled=${busy || selection.quantity >= max} @click=${() => flow.setQuantity(selection.quantity + 1)}>+</button>
      ${variant && variant.availability === 'low_stock' && max > 0 ? html`<span class="low">${t.onlyLeft(max, i18n.plural)}</span>` : nothing}
    </div>
    ${variant ? html`<p class="live-total" aria-live="polite">${t.totalIs(i18n.money({ amount: variant.price.amount * selection.quantity, currency: variant.price.currency }))} · ${t.items(selection.quantity, i18n.plural)}</p>` : nothing}
    ${renderError(flow)} ${renderAlternatives(flow)} ${flow.state.checkout ? renderTotals(flow) : nothing}
    ${renderPrimary(flow, t.continue, { disabled: !variant || max === 0 })}
  `;
}

function renderPrice(flow: CheckoutFlow, variant: Variant | null) {
  const { i18n } = flow.host;
  const price = variant?.price ?? flow.product.priceFrom;
  return html`<p class="price">
    <span class="now">${i18n.money(price)}</span>
    ${
      variant?.compareAtPrice
        ? html`<s class="was" aria-hidden="true">${i18n.money(variant.compareAtPrice)}</s><span class="visually-hidden">${i18n.t.was(i18n.money(variant.compareAtPrice))}</span>`
        : nothing
    }
  </p>`;
}

/** After out_of_stock: the variants that can still be bought, one press away. */
function renderAlternatives(flow: CheckoutFlow) {
  const code = flow.state.error?.code;
  if (code !== 'out_of_stock' && code !== 'variant_unavailable') return nothing;
  const { t } = flow.host.i18n;
  const options = flow.product.variants.filter((v) => v.maxQuantity > 0);
  if (options.length === 0) return nothing;
  return html`<div class="alternatives">
    <p>${t.errors.out_of_stock_alternatives}</p>
    <ul>
      ${options.map(
        (v) => html`<li>
          <button
            type="button"
            class="secondary"
            @click=${() => {
              for (const [name, value] of Object.entries(v.options)) flow.select(name, value);
            }}
          >
            ${Object.values(v.options).join(' / ') || flow.product.title} · ${flow.host.i18n.money(v.price)}
          </button>
        </li>`,
      )}
    </ul>
  </div>`;
}
