// Orders: newest first, filtered by status and dates, searched by order number or (shared) email,
// a page at a time; the same filter exports as CSV.
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Order } from '../../../server/src/protocol/seller.ts';
import { api } from '../api.ts';
import { apiErrors, type Errors, errorFor, field, input } from '../forms.ts';
import { formatDate, formatMoney, t } from '../i18n.ts';
import { Page } from '../page.ts';
import { href } from '../router.ts';

interface Filter {
  status: '' | 'paid' | 'fulfilled';
  since: string;
  until: string;
  q: string;
}

/** A date field's day (YYYY-MM-DD, the seller's own time zone) → the instant it starts. */
const startOf = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const endOf = (day: string) =>
  new Date(new Date(`${day}T00:00:00`).getTime() + 86_400_000).toISOString();

export function orderQuery(f: Filter, cursor?: string): URLSearchParams {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.since) q.set('since', startOf(f.since));
  if (f.until) q.set('until', endOf(f.until));
  if (f.q.trim()) q.set('q', f.q.trim());
  if (cursor) q.set('cursor', cursor);
  return q;
}

export class OrdersPage extends Page {
  @state() private filter: Filter = { status: '', since: '', until: '', q: '' };
  @state() private applied: Filter = { status: '', since: '', until: '', q: '' };
  @state() private orders: Order[] | null = null;
  @state() private next: string | null = null;
  @state() private errors: Errors = new Map();
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.load(false);
  }

  private async load(more: boolean) {
    this.busy = true;
    try {
      const q = orderQuery(this.applied, more ? (this.next ?? undefined) : undefined);
      const page = await api.get<{ orders: Order[]; nextCursor: string | null }>(
        `/seller/orders?${q}`,
        this.abort.signal,
      );
      this.orders = more ? [...(this.orders ?? []), ...page.orders] : page.orders;
      this.next = page.nextCursor;
      this.errors = new Map();
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.errors = apiErrors(err);
    } finally {
      this.busy = false;
    }
  }

  private handleFilter(e: Event) {
    e.preventDefault();
    this.applied = { ...this.filter };
    this.load(false);
  }

  protected override render() {
    const csv = `/v1/seller/orders.csv?${orderQuery(this.applied)}`;
    return html`<div class="page-head">
        <h1 tabindex="-1">${t('orders.title')}</h1>
        <a class="button secondary" href=${csv} download>${t('orders.csv')}</a>
      </div>
      ${this.renderFilter()}
      ${this.errors.get('(body)') ? html`<p class="form-error" role="alert">${this.errors.get('(body)')}</p>` : nothing}
      ${this.orders === null ? html`<p role="status">${t('app.loading')}</p>` : this.renderList(this.orders)}`;
  }

  private renderFilter() {
    const f = this.filter;
    const set = (patch: Partial<Filter>) => {
      this.filter = { ...f, ...patch };
    };
    return html`<form class="filters row" role="search" @submit=${this.handleFilter} novalidate>
      ${field({
        id: 'orders-status',
        label: t('orders.status'),
        error: errorFor(this.errors, 'status'),
        control:
          () => html`<select id="orders-status" @change=${(e: Event) => set({ status: (e.target as HTMLSelectElement).value as Filter['status'] })}>
          <option value="" ?selected=${!f.status}>${t('orders.all')}</option>
          <option value="paid" ?selected=${f.status === 'paid'}>${t('status.paid')}</option>
          <option value="fulfilled" ?selected=${f.status === 'fulfilled'}>${t('status.fulfilled')}</option>
        </select>`,
      })}
      ${input({ id: 'orders-since', label: t('orders.since'), type: 'date', value: f.since, error: errorFor(this.errors, 'since'), onInput: (v) => set({ since: v }) })}
      ${input({ id: 'orders-until', label: t('orders.until'), type: 'date', value: f.until, error: errorFor(this.errors, 'until'), onInput: (v) => set({ until: v }) })}
      ${input({ id: 'orders-q', label: t('orders.search'), type: 'search', value: f.q, error: errorFor(this.errors, 'q'), onInput: (v) => set({ q: v }) })}
      <button type="submit" ?disabled=${this.busy}>${t('orders.filter')}</button>
    </form>`;
  }

  private renderList(orders: Order[]) {
    return html`<p role="status">${t('orders.count', { count: orders.length })}</p>
      ${
        orders.length
          ? html`<ul class="cards orders">
            ${orders.map(
              (o) => html`<li class="card">
                <div class="grow">
                  <h2><a href=${href({ page: 'order', id: o.id })}>${o.number}</a></h2>
                  <p class="meta">
                    ${formatDate(o.createdAt)} · ${o.productTitle}
                    ${Object.values(o.variantOptions).length ? `(${Object.values(o.variantOptions).join(' / ')})` : ''}
                    × ${o.quantity}
                  </p>
                </div>
                <p class="amount">${formatMoney(o.total)}</p>
                <span class="badge ${o.status}">${t(`status.${o.status}`)}</span>
              </li>`,
            )}
          </ul>`
          : html`<p>${t('orders.empty')}</p>`
      }
      ${
        this.next
          ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.load(true)}>${t('orders.more')}</button>`
          : nothing
      }`;
  }
}
