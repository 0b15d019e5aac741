// One order: what was bought, where it goes, the post that sold it, its shipments; mark it
// fulfilled with carrier and tracking number (the seller's webhook hears `order.fulfilled`), and
// refund it where the endpoint offers refunds (its OpenAPI document lists the route).
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { CreateRefundBody } from '../../../server/src/protocol/payouts.ts';
import { CreateFulfillmentBody, type Order } from '../../../server/src/protocol/seller.ts';
import { ApiError, api } from '../api.ts';
import {
  apiErrors,
  type Errors,
  errorFor,
  focusFirstError,
  input,
  toMinor,
  zodErrors,
} from '../forms.ts';
import { formatDate, formatMoney, type MessageKey, t } from '../i18n.ts';
import { Page } from '../page.ts';

let refunds: Promise<boolean> | null = null;

/** Whether this endpoint offers refunds to sellers (asked once per page load). */
function refundsOffered(): Promise<boolean> {
  refunds ??= api
    .get<{ paths?: Record<string, unknown> }>('/openapi.json')
    .then((doc) =>
      Object.keys(doc.paths ?? {}).some((p) => /\/seller\/orders\/\{[^}]+\}\/refunds$/.test(p)),
    )
    .catch(() => false);
  return refunds;
}

const isUrl = (s: string) => /^https?:\/\//.test(s);

export class OrderDetailPage extends Page {
  @property({ attribute: false }) orderId = '';
  @state() private order: Order | null = null;
  @state() private notFound = false;
  @state() private errors: Errors = new Map();
  @state() private busy = false;
  /** A message key: shown in the language of the moment, even after a switch. */
  @state() private notice: MessageKey | '' = '';
  @state() private form = { carrier: '', trackingNumber: '', trackingUrl: '' };
  @state() private canRefund = false;
  @state() private refund = { amount: '', reason: '' };
  private refundKey = crypto.randomUUID();

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
    refundsOffered().then((yes) => {
      this.canRefund = yes;
    });
  }

  private async load() {
    try {
      this.order = await api.get<Order>(
        `/seller/orders/${encodeURIComponent(this.orderId)}`,
        this.abort.signal,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else if ((err as Error).name !== 'AbortError') this.errors = apiErrors(err);
    }
  }

  private async handleFulfil(e: Event) {
    e.preventDefault();
    const f = this.form;
    const body = {
      trackingNumber: f.trackingNumber,
      ...(f.carrier.trim() ? { carrier: f.carrier } : {}),
      ...(f.trackingUrl.trim() ? { trackingUrl: f.trackingUrl.trim() } : {}),
    };
    const parsed = CreateFulfillmentBody.safeParse(body);
    if (!parsed.success) {
      this.errors = zodErrors(parsed.error);
      await this.updateComplete;
      focusFirstError(this);
      return;
    }
    this.busy = true;
    try {
      this.order = await api.send<Order>(
        'POST',
        `/seller/orders/${encodeURIComponent(this.orderId)}/fulfillments`,
        body,
      );
      this.errors = new Map();
      this.form = { carrier: '', trackingNumber: '', trackingUrl: '' };
      this.notice = 'order.fulfilled';
    } catch (err) {
      this.errors = apiErrors(err);
      await this.updateComplete;
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  private async handleRefund(e: Event) {
    e.preventDefault();
    const o = this.order!;
    const amountText = this.refund.amount.trim();
    const amount = amountText ? toMinor(amountText, o.total.currency) : undefined;
    if (amount !== undefined && !(amount > 0)) {
      this.errors = new Map([['amount', t('form.amount')]]);
      await this.updateComplete;
      focusFirstError(this);
      return;
    }
    const body = {
      ...(amount !== undefined ? { amount } : {}),
      ...(this.refund.reason.trim() ? { reason: this.refund.reason.trim() } : {}),
    };
    const parsed = CreateRefundBody.safeParse(body);
    if (!parsed.success) {
      this.errors = zodErrors(parsed.error);
      await this.updateComplete;
      focusFirstError(this);
      return;
    }
    this.busy = true;
    try {
      await api.send('POST', `/seller/orders/${encodeURIComponent(this.orderId)}/refunds`, body, {
        // One key per refund the seller asks for: a retried request is the same refund.
        'Idempotency-Key': this.refundKey,
      });
      this.refundKey = crypto.randomUUID();
      this.refund = { amount: '', reason: '' };
      this.errors = new Map();
      this.notice = 'order.refunded';
      await this.load();
    } catch (err) {
      this.errors = apiErrors(err);
      await this.updateComplete;
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  protected override render() {
    if (this.notFound) return html`<bip-not-found></bip-not-found>`;
    const o = this.order;
    if (!o)
      return html`<h1 tabindex="-1">${t('orders.title')}</h1>
        ${
          this.errors.get('(body)')
            ? html`<p class="form-error" role="alert">${this.errors.get('(body)')}</p>`
            : html`<p role="status">${t('app.loading')}</p>`
        }`;
    const options = Object.entries(o.variantOptions)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return html`<div class="page-head">
        <h1 tabindex="-1">${t('order.title', { number: o.number })}</h1>
        <span class="badge ${o.status}">${t(`status.${o.status}`)}</span>
      </div>
      <p>${formatDate(o.createdAt)}</p>
      <p role="status" class="notice">${this.notice && t(this.notice)}</p>
      <div class="columns">
        <section aria-labelledby="order-item">
          <h2 id="order-item">${t('order.item')}</h2>
          <p>${o.productTitle}${options ? ` (${options})` : ''} × ${o.quantity}</p>
          <dl class="totals">
            <dt>${t('order.subtotal')}</dt><dd>${formatMoney(o.subtotal)}</dd>
            <dt>${t('order.shipping')}</dt><dd>${formatMoney(o.shipping)}</dd>
            <dt>${t('order.tax')}</dt><dd>${formatMoney(o.tax)}</dd>
            <dt>${t('order.total')}</dt><dd><strong>${formatMoney(o.total)}</strong></dd>
          </dl>
        </section>
        <section aria-labelledby="order-buyer">
          <h2 id="order-buyer">${t('order.shipTo')}</h2>
          ${
            o.shippingAddress
              ? html`<address dir="auto">
                ${o.shippingAddress.name}<br />${o.shippingAddress.line1}<br />
                ${o.shippingAddress.line2 ? html`${o.shippingAddress.line2}<br />` : nothing}
                ${[o.shippingAddress.postalCode, o.shippingAddress.city, o.shippingAddress.region].filter(Boolean).join(' ')}<br />
                ${o.shippingAddress.country}
              </address>`
              : html`<p>${t('order.digital')}</p>`
          }
          <h3>${t('order.email')}</h3>
          <p>${o.email ?? t('order.emailHidden')}</p>
          <h3>${t('order.post')}</h3>
          <p>
            ${
              o.postRef
                ? isUrl(o.postRef)
                  ? html`<a href=${o.postRef} rel="noopener noreferrer" target="_blank" dir="ltr">${o.postRef}</a>`
                  : html`<span dir="auto">${o.postRef}</span>`
                : t('order.postNone')
            }
          </p>
        </section>
      </div>
      ${this.renderFulfilments(o)} ${this.canRefund ? this.renderRefund(o) : nothing}`;
  }

  private renderFulfilments(o: Order) {
    const f = this.form;
    const err = (k: string) => errorFor(this.errors, k);
    const set = (patch: Partial<typeof f>) => {
      this.form = { ...f, ...patch };
    };
    return html`<section aria-labelledby="order-fulfilments">
      <h2 id="order-fulfilments">${t('order.fulfilments')}</h2>
      ${
        o.fulfillments.length
          ? html`<ul>
            ${o.fulfillments.map(
              (x) => html`<li>
                ${formatDate(x.createdAt)} · ${x.carrier ?? ''}
                ${x.trackingUrl ? html`<a href=${x.trackingUrl} rel="noopener noreferrer" target="_blank">${x.trackingNumber}</a>` : x.trackingNumber}
              </li>`,
            )}
          </ul>`
          : nothing
      }
      ${
        o.kind === 'physical'
          ? html`<form @submit=${this.handleFulfil} novalidate>
            <div class="row">
              ${input({ id: 'f-carrier', label: t('order.carrier'), value: f.carrier, error: err('carrier'), onInput: (v) => set({ carrier: v }) })}
              ${input({ id: 'f-tracking', label: t('order.tracking'), required: true, value: f.trackingNumber, error: err('trackingNumber'), onInput: (v) => set({ trackingNumber: v }) })}
              ${input({ id: 'f-url', label: t('order.trackingUrl'), type: 'url', value: f.trackingUrl, error: err('trackingUrl'), onInput: (v) => set({ trackingUrl: v }) })}
            </div>
            ${this.errors.get('(body)') ? html`<p class="form-error" role="alert" tabindex="-1">${this.errors.get('(body)')}</p>` : nothing}
            <button type="submit" ?disabled=${this.busy}>${t('order.fulfil')}</button>
          </form>`
          : nothing
      }
    </section>`;
  }

  private renderRefund(o: Order) {
    const refunded = o.amountRefunded;
    const set = (patch: Partial<typeof this.refund>) => {
      this.refund = { ...this.refund, ...patch };
    };
    return html`<section aria-labelledby="order-refund">
      <h2 id="order-refund">${t('order.refund')}</h2>
      ${refunded?.amount ? html`<p>${t('order.refundedSoFar', { amount: formatMoney(refunded) })}</p>` : nothing}
      <form @submit=${this.handleRefund} novalidate>
        <div class="row">
          ${input({ id: 'r-amount', label: t('order.refundAmount'), inputmode: 'decimal', value: this.refund.amount, error: errorFor(this.errors, 'amount'), onInput: (v) => set({ amount: v }) })}
          ${input({ id: 'r-reason', label: t('order.refundReason'), value: this.refund.reason, error: errorFor(this.errors, 'reason'), onInput: (v) => set({ reason: v }) })}
        </div>
        <button type="submit" class="danger" ?disabled=${this.busy}>${t('order.refund')}</button>
      </form>
    </section>`;
  }
}
