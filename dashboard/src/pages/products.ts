// Products: the shop's products with price and stock; each links to its editor and its share page.
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { SellerProduct } from '../../../server/src/protocol/seller.ts';
import { api } from '../api.ts';
import { formatMoney, t } from '../i18n.ts';
import { Page } from '../page.ts';
import { href } from '../router.ts';

export class ProductsPage extends Page {
  @state() private products: SellerProduct[] | null = null;
  @state() private failure = '';
  @state() private showArchived = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
  }

  private async load() {
    try {
      const { products } = await api.get<{ products: SellerProduct[] }>(
        '/seller/products',
        this.abort.signal,
      );
      this.products = products;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.failure = (err as Error).message;
    }
  }

  protected override render() {
    return html`<div class="page-head">
        <h1 tabindex="-1">${t('products.title')}</h1>
        <a class="button" href=${href({ page: 'product', id: null })}>${t('products.new')}</a>
      </div>
      ${this.failure ? html`<p class="form-error" role="alert">${this.failure}</p>` : nothing}
      ${this.products === null ? html`<p role="status">${t('app.loading')}</p>` : this.renderList()}`;
  }

  private renderList() {
    const all = this.products ?? [];
    if (!all.length) return html`<p>${t('products.empty')}</p>`;
    const archived = all.filter((p) => p.status === 'archived').length;
    const shown = this.showArchived ? all : all.filter((p) => p.status === 'active');
    return html`${
      archived
        ? html`<label class="check"
            ><input
              type="checkbox"
              .checked=${this.showArchived}
              @change=${(e: Event) => {
                this.showArchived = (e.target as HTMLInputElement).checked;
              }}
            />
            ${t('products.showArchived')} (${archived})</label
          >`
        : nothing
    }
      <ul class="cards" aria-label=${t('products.title')}>
        ${shown.map((p) => this.renderProduct(p))}
      </ul>`;
  }

  private renderProduct(p: SellerProduct) {
    const prices = p.variants.map((v) => v.price.amount);
    const min = Math.min(...prices);
    const currency = p.variants[0]?.price.currency ?? this.currency;
    const stock = p.variants.some((v) => v.stock === null)
      ? t('products.unlimited')
      : String(p.variants.reduce((n, v) => n + Math.max(0, (v.stock ?? 0) - v.reserved), 0));
    const image = p.images[0];
    return html`<li class="card product-card">
      ${image ? html`<img src=${image.url} alt="" width="64" height="64" loading="lazy" />` : html`<span class="thumb" aria-hidden="true"></span>`}
      <div class="grow">
        <h2><a href=${href({ page: 'product', id: p.id })}>${p.title}</a></h2>
        <p class="meta">
          ${formatMoney({ amount: min, currency })} · ${t('products.col.stock')}: ${stock} ·
          <span class="badge ${p.status}">${t(`status.${p.status}`)}</span>
        </p>
      </div>
      <a class="button secondary" href=${href({ page: 'share', id: p.id })} aria-label=${t('products.share', { title: p.title })}
        >${t('products.shareButton')}</a
      >
    </li>`;
  }
}
