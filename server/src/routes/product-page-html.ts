/**
 * The product page's HTML (routes/product-pages.ts serves it): one small server-rendered page,
 * readable without JavaScript, with the meta tags link previews read (Open Graph, Twitter
 * cards), schema.org/Product JSON-LD and an oEmbed discovery link. Every value goes through
 * hono/html's `html` template, which escapes it; the JSON-LD is escaped for a script element.
 * The style sheet is a constant, allowed by its hash (no 'unsafe-inline').
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { FieldError, Money } from '../protocol/common.ts';
import type { Product, Variant } from '../protocol/products.ts';

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}
body{margin:0 auto;max-inline-size:60rem;padding:1rem}
.product{display:grid;gap:1.5rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
figure{margin:0}img{max-inline-size:100%;block-size:auto;border-radius:.5rem}
h1{margin:.25rem 0;font-size:1.6rem}.seller{margin:0;opacity:.8}
.price{font-size:1.3rem;font-weight:600}s{opacity:.7;font-weight:400}
.notice,.errors{padding:.75rem;border-radius:.5rem;border:1px solid}
form{display:grid;gap:.5rem;max-inline-size:24rem}fieldset{display:grid;gap:.5rem;border:1px solid #8888;border-radius:.5rem}
label{display:grid;gap:.125rem}input,select,button{font:inherit;padding:.4rem}
button{border-radius:999px;border:0;background:#1d4ed8;color:#fff;padding:.6rem 1rem;cursor:pointer}
footer{margin-block-start:2rem;font-size:.9rem;opacity:.8}
`;

/** The `style-src` source that allows {@link STYLE} and nothing else. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** The no-JavaScript purchase: a plain form that ends on the payment provider's page. */
export interface PurchaseForm {
  action: string;
  /** Makes a double submit one checkout (the Idempotency-Key of the form's POST). */
  nonce: string;
  /** What was typed, shown again beside `errors`. */
  values: Record<string, string>;
  errors: FieldError[];
}

export interface ProductPageModel {
  product: Product;
  canonical: string;
  oembed: string;
  /** The endpoint the element talks to. */
  endpoint: string;
  /** The element's script; null when none can be served (the page still reads and sells). */
  script: string | null;
  /** Present when a visitor without JavaScript can buy (Stripe's hosted page). */
  form: PurchaseForm | null;
  /** Back from the payment page (`bip_return`). */
  returned: 'done' | 'canceled' | null;
}

const REGIONS = new Intl.DisplayNames('en', { type: 'region' });

/** Money as people read it, and as schema.org wants it (a decimal string). */
export function formatMoney({ amount, currency }: Money): { text: string; decimal: string } {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const major = amount / 10 ** digits;
  return { text: format.format(major), decimal: major.toFixed(digits) };
}

/** One line of the description, at most `max` characters, for meta tags and previews. */
export function summary(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

const AVAILABILITY: Record<Variant['availability'], string> = {
  in_stock: 'https://schema.org/InStock',
  low_stock: 'https://schema.org/LimitedAvailability',
  out_of_stock: 'https://schema.org/OutOfStock',
};

/** schema.org/Product, escaped for a `<script type="application/ld+json">`. */
function jsonLd(m: ProductPageModel): string {
  const p = m.product;
  const prices = p.variants.map((v) => v.price.amount);
  const low = formatMoney({ amount: Math.min(...prices), currency: p.priceFrom.currency });
  const high = formatMoney({ amount: Math.max(...prices), currency: p.priceFrom.currency });
  const seller = { '@type': 'Organization', name: p.seller.name };
  const offers =
    p.variants.length === 1
      ? {
          '@type': 'Offer',
          url: m.canonical,
          price: low.decimal,
          priceCurrency: p.priceFrom.currency,
          availability: AVAILABILITY[p.variants[0]!.availability],
          seller,
        }
      : {
          '@type': 'AggregateOffer',
          url: m.canonical,
          lowPrice: low.decimal,
          highPrice: high.decimal,
          offerCount: p.variants.length,
          priceCurrency: p.priceFrom.currency,
          availability: p.available ? AVAILABILITY.in_stock : AVAILABILITY.out_of_stock,
          seller,
        };
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    '@id': m.canonical,
    name: p.title,
    description: p.description,
    url: m.canonical,
    productID: p.id,
    image: p.images.map((i) => i.url),
    brand: { '@type': 'Brand', name: p.seller.name },
    offers,
  };
  // `</script>` or `<!--` inside a string would end or confuse the element: no `<` at all.
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

function metaTags(m: ProductPageModel, price: { text: string; decimal: string }) {
  const p = m.product;
  const description = summary(p.description) || `${p.title}, from ${p.seller.name}`;
  const image = p.images[0];
  return html`<meta name="description" content="${description}" />
    <link rel="canonical" href="${m.canonical}" />
    <link rel="alternate" type="application/json+oembed" href="${m.oembed}" title="${p.title}" />
    <meta property="og:type" content="product" />
    <meta property="og:title" content="${p.title}" />
    <meta property="og:description" content="${description}" />
    <meta property="og:url" content="${m.canonical}" />
    <meta property="og:site_name" content="${p.seller.name}" />
    ${image ? html`<meta property="og:image" content="${image.url}" /><meta property="og:image:alt" content="${image.alt}" />` : ''}
    <meta property="product:price:amount" content="${price.decimal}" />
    <meta property="product:price:currency" content="${p.priceFrom.currency}" />
    <meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}" />
    <meta name="twitter:title" content="${p.title}" />
    <meta name="twitter:description" content="${description}" />
    ${image ? html`<meta name="twitter:image" content="${image.url}" /><meta name="twitter:image:alt" content="${image.alt}" />` : ''}
    <meta name="twitter:label1" content="Price" />
    <meta name="twitter:data1" content="${price.text}" />`;
}

function variantLabel(v: Variant): string {
  const options = Object.values(v.options).join(' / ');
  const price = formatMoney(v.price).text;
  const state = v.maxQuantity === 0 ? ' (sold out)' : '';
  return options ? `${options} — ${price}${state}` : `${price}${state}`;
}

function field(
  form: PurchaseForm,
  name: string,
  label: string,
  attrs: { autocomplete: string; required?: boolean; type?: string },
) {
  const id = `f-${name}`;
  return html`<label for="${id}"
    >${label}${attrs.required ? '' : ' (optional)'}
    <input
      id="${id}"
      name="${name}"
      type="${attrs.type ?? 'text'}"
      autocomplete="${attrs.autocomplete}"
      value="${form.values[name] ?? ''}"
      ${attrs.required ? raw('required') : ''}
  /></label>`;
}

/** The light-DOM content of the element: what shows without JavaScript. */
function fallback(m: ProductPageModel) {
  const p = m.product;
  const form = m.form;
  if (!p.available) return html`<p>Sold out.</p>`;
  if (!form)
    return html`<p>
      Buying here needs JavaScript.
      ${p.url ? html`<a href="${p.url}">Buy on ${p.seller.name}’s site</a>.` : ''}
    </p>`;
  const buyable = p.variants.filter((v) => v.maxQuantity > 0);
  const chosen = form.values.variant ?? buyable[0]?.id;
  const most = Math.max(...buyable.map((v) => v.maxQuantity));
  return html`<form method="post" action="${form.action}">
    <input type="hidden" name="nonce" value="${form.nonce}" />
    ${
      form.errors.length
        ? html`<div class="errors" role="alert">
            <p>Please check:</p>
            <ul>
              ${form.errors.map((e) => html`<li>${e.field}: ${e.message}</li>`)}
            </ul>
          </div>`
        : ''
    }
    ${
      p.variants.length > 1
        ? html`<label for="f-variant"
            >${p.options.map((o) => o.name).join(' / ') || 'Choose'}
            <select id="f-variant" name="variant" required>
              ${p.variants.map(
                (v) =>
                  html`<option value="${v.id}" ${v.id === chosen ? raw('selected') : ''} ${v.maxQuantity === 0 ? raw('disabled') : ''}>
                    ${variantLabel(v)}
                  </option>`,
              )}
            </select></label
          >`
        : html`<input type="hidden" name="variant" value="${p.variants[0]!.id}" />`
    }
    <label for="f-quantity"
      >Quantity
      <input
        id="f-quantity"
        name="quantity"
        type="number"
        inputmode="numeric"
        min="1"
        max="${most}"
        value="${form.values.quantity ?? '1'}"
        required
    /></label>
    ${field(form, 'email', 'Email for your receipt', { autocomplete: 'email', type: 'email' })}
    ${
      p.kind === 'physical'
        ? html`<fieldset>
            <legend>Shipping address</legend>
            ${field(form, 'name', 'Full name', { autocomplete: 'name', required: true })}
            ${field(form, 'line1', 'Address', { autocomplete: 'address-line1', required: true })}
            ${field(form, 'line2', 'Apartment, suite', { autocomplete: 'address-line2' })}
            ${field(form, 'city', 'City', { autocomplete: 'address-level2', required: true })}
            ${field(form, 'region', 'State or region', { autocomplete: 'address-level1' })}
            ${field(form, 'postalCode', 'Postal code', { autocomplete: 'postal-code' })}
            <label for="f-country"
              >Country
              <select id="f-country" name="country" autocomplete="country" required>
                <option value="">Choose a country</option>
                ${[...p.shipsTo]
                  .sort((a, b) => (REGIONS.of(a) ?? a).localeCompare(REGIONS.of(b) ?? b))
                  .map(
                    (c) =>
                      html`<option value="${c}" ${form.values.country === c ? raw('selected') : ''}>
                      ${REGIONS.of(c) ?? c}
                    </option>`,
                  )}
              </select></label
            >
          </fieldset>`
        : ''
    }
    <button type="submit">Continue to payment</button>
    <p>You pay on Stripe’s secure page, then come back here.</p>
  </form>`;
}

function notice(returned: ProductPageModel['returned']) {
  if (returned === 'done')
    return html`<p class="notice" role="status">
      Thank you — your payment went through. Stripe emails your receipt, and the seller has your
      order.
    </p>`;
  if (returned === 'canceled')
    return html`<p class="notice" role="status">Payment canceled: nothing was charged.</p>`;
  return '';
}

/** The whole page. */
export function productPage(m: ProductPageModel): string {
  const p = m.product;
  const price = formatMoney(p.priceFrom);
  const several = new Set(p.variants.map((v) => v.price.amount)).size > 1;
  const compare = p.variants.length === 1 ? p.variants[0]!.compareAtPrice : null;
  const page = html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${p.title} — ${p.seller.name}</title>
    ${metaTags(m, price)}
    <script type="application/ld+json">${raw(jsonLd(m))}</script>
    <style>${raw(STYLE)}</style>
    ${m.script ? html`<script type="module" src="${m.script}"></script>` : ''}
  </head>
  <body>
    <main>
      <article class="product">
        <div>
          ${p.images.map((i) => html`<figure><img src="${i.url}" alt="${i.alt}" /></figure>`)}
        </div>
        <div>
          <p class="seller">${p.seller.name}</p>
          <h1 dir="auto">${p.title}</h1>
          <p class="price">
            ${several ? 'From ' : ''}${price.text}
            ${compare ? html`<s aria-label="was ${formatMoney(compare).text}">${formatMoney(compare).text}</s>` : ''}
            ${p.available ? '' : html` · Sold out`}
          </p>
          ${notice(m.returned)}
          <buy-in-post product="${p.id}" endpoint="${m.endpoint}" post="${m.canonical}">
            ${fallback(m)}
          </buy-in-post>
          <div dir="auto">
            ${p.description
              .split(/\n{2,}/)
              .filter((s) => s.trim())
              .map((para) => html`<p>${para}</p>`)}
          </div>
          ${p.url ? html`<p><a href="${p.url}">More on ${p.seller.name}’s site</a></p>` : ''}
        </div>
      </article>
    </main>
    <footer>Sold by ${p.seller.name}.</footer>
  </body>
</html>
`;
  return page.toString();
}

/** A page for an address that names no product here. */
export function notFoundPage(): string {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>No such product</title>
    <style>${raw(STYLE)}</style>
  </head>
  <body>
    <main>
      <h1>No such product</h1>
      <p>This product does not exist, or is no longer sold.</p>
    </main>
  </body>
</html>
`.toString();
}
