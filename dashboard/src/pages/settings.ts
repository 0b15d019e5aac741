// Settings: the shop, shipping zones (each with its free-shipping threshold), tax rates, the
// sites allowed to sell, the webhook URL with its delivery log, and key/secret rotation.
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import {
  type SellerSettings,
  UpdateSellerBody,
  type WebhookDelivery,
} from '../../../server/src/protocol/seller.ts';
import { api } from '../api.ts';
import {
  apiErrors,
  type Errors,
  errorFor,
  field,
  focusFirstError,
  fromMinor,
  input,
  toMinor,
  zodErrors,
} from '../forms.ts';
import { formatDate, type MessageKey, t } from '../i18n.ts';
import { Page } from '../page.ts';
import type { Session } from '../session.ts';

interface ZoneDraft {
  name: string;
  countries: string;
  rate: string;
  freeOver: string;
}
interface TaxDraft {
  country: string;
  percent: string;
}
interface SettingsDraft {
  name: string;
  kind: SellerSettings['kind'];
  zones: ZoneDraft[];
  taxes: TaxDraft[];
  origins: string;
  webhookUrl: string;
}

const KINDS: SellerSettings['kind'][] = ['artist', 'brand', 'nonprofit', 'other'];

function draftOf(s: SellerSettings): SettingsDraft {
  return {
    name: s.name,
    kind: s.kind,
    zones: s.shippingZones.map((z) => ({
      name: z.name,
      countries: z.countries.join(', '),
      rate: fromMinor(z.rate, s.currency),
      freeOver: z.freeOver == null ? '' : fromMinor(z.freeOver, s.currency),
    })),
    taxes: s.taxRates.map((r) => ({ country: r.country, percent: String(r.rateBps / 100) })),
    origins: s.allowedOrigins.join('\n'),
    webhookUrl: s.webhookUrl ?? '',
  };
}

/** Percent as typed ("20", "7.5") → basis points; NaN when not a number. */
const toBps = (s: string) => {
  const n = Number(s.trim().replace(',', '.'));
  return s.trim() === '' || Number.isNaN(n) ? Number.NaN : Math.round(n * 100);
};

export class SettingsPage extends Page {
  @state() private draft: SettingsDraft | null = null;
  @state() private errors: Errors = new Map();
  @state() private busy = false;
  /** A message key: shown in the language of the moment, even after a switch. */
  @state() private notice: MessageKey | '' = '';
  @state() private deliveries: WebhookDelivery[] | null = null;
  @state() private revealed: { label: string; value: string; until: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.session) this.draft = draftOf(this.session.seller);
    api
      .get<{ deliveries: WebhookDelivery[] }>(
        '/seller/webhook-deliveries?limit=20',
        this.abort.signal,
      )
      .then((d) => {
        this.deliveries = d.deliveries;
      })
      .catch(() => {
        this.deliveries = [];
      });
  }

  private body(d: SettingsDraft) {
    const currency = this.currency;
    return {
      name: d.name,
      kind: d.kind,
      webhookUrl: d.webhookUrl.trim() || null,
      allowedOrigins: d.origins
        .split(/\s+/)
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
      shippingZones: d.zones.map((z) => ({
        name: z.name,
        countries: z.countries
          .split(/[\s,،]+/)
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean),
        rate: toMinor(z.rate, currency),
        freeOver: z.freeOver.trim() ? toMinor(z.freeOver, currency) : null,
      })),
      taxRates: d.taxes.map((r) => ({
        country: r.country.trim().toUpperCase(),
        rateBps: toBps(r.percent),
      })),
    };
  }

  private async handleSave(e: Event) {
    e.preventDefault();
    const d = this.draft!;
    const body = this.body(d);
    const errors: Errors = new Map();
    body.shippingZones.forEach((z, i) => {
      if (Number.isNaN(z.rate)) errors.set(`shippingZones.${i}.rate`, t('form.amount'));
      if (Number.isNaN(z.freeOver)) errors.set(`shippingZones.${i}.freeOver`, t('form.amount'));
    });
    const parsed = UpdateSellerBody.safeParse(body);
    if (!parsed.success)
      for (const [k, v] of zodErrors(parsed.error)) if (!errors.has(k)) errors.set(k, v);
    this.errors = errors;
    this.notice = '';
    if (errors.size) {
      await this.updateComplete;
      focusFirstError(this);
      return;
    }
    this.busy = true;
    try {
      const seller = await api.send<SellerSettings>('PATCH', '/seller/me', body);
      this.session = { ...this.session!, seller: { ...this.session!.seller, ...seller } };
      this.draft = draftOf(this.session.seller);
      this.dispatchEvent(
        new CustomEvent<Session>('bip-session', { detail: this.session, bubbles: true }),
      );
      this.notice = 'app.saved';
    } catch (err) {
      this.errors = apiErrors(err);
      await this.updateComplete;
      focusFirstError(this);
    } finally {
      this.busy = false;
    }
  }

  private async rotate(kind: 'key' | 'secret') {
    this.busy = true;
    try {
      if (kind === 'key') {
        const r = await api.send<{ apiKey: string; previousKeyExpiresAt: string }>(
          'POST',
          '/seller/api-key/rotate',
        );
        this.revealed = {
          label: t('settings.rotateKey'),
          value: r.apiKey,
          until: r.previousKeyExpiresAt,
        };
      } else {
        const r = await api.send<{ webhookSecret: string; previousSecretExpiresAt: string }>(
          'POST',
          '/seller/webhook-secret/rotate',
        );
        this.revealed = {
          label: t('settings.rotateSecret'),
          value: r.webhookSecret,
          until: r.previousSecretExpiresAt,
        };
      }
      await this.updateComplete;
      this.querySelector<HTMLInputElement>('#revealed')?.focus();
    } catch (err) {
      this.errors = apiErrors(err);
    } finally {
      this.busy = false;
    }
  }

  private set(patch: Partial<SettingsDraft>) {
    this.draft = { ...this.draft!, ...patch };
  }

  protected override render() {
    const d = this.draft;
    if (!d) return html`<h1 tabindex="-1">${t('settings.title')}</h1>`;
    const general = this.errors.get('(body)');
    return html`<h1 tabindex="-1">${t('settings.title')}</h1>
      <form @submit=${this.handleSave} novalidate>
        ${this.renderShop(d)} ${this.renderZones(d)} ${this.renderTaxes(d)}
        <fieldset>
          <legend>${t('settings.origins')}</legend>
          ${field({
            id: 's-origins',
            label: t('settings.originsField'),
            error: errorFor(this.errors, 'allowedOrigins'),
            control: ({
              describedBy,
              invalid,
            }) => html`<textarea id="s-origins" rows="3" dir="ltr" .value=${d.origins}
              aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
              @input=${(e: Event) => this.set({ origins: (e.target as HTMLTextAreaElement).value })}></textarea>`,
          })}
        </fieldset>
        <fieldset>
          <legend>${t('settings.webhook')}</legend>
          ${input({ id: 's-webhook', label: t('settings.webhookUrl'), type: 'url', value: d.webhookUrl, error: errorFor(this.errors, 'webhookUrl'), onInput: (v) => this.set({ webhookUrl: v }) })}
        </fieldset>
        ${general ? html`<p class="form-error" role="alert" tabindex="-1">${general}</p>` : nothing}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${t('settings.save')}</button>
          <p role="status" class="notice">${this.notice && t(this.notice)}</p>
        </div>
      </form>
      ${this.renderDeliveries()} ${this.renderRotation()}`;
  }

  private renderShop(d: SettingsDraft) {
    return html`<fieldset>
      <legend>${t('settings.shop')}</legend>
      ${input({ id: 's-name', label: t('settings.name'), required: true, value: d.name, error: errorFor(this.errors, 'name'), onInput: (v) => this.set({ name: v }) })}
      ${field({
        id: 's-kind',
        label: t('settings.kind'),
        error: errorFor(this.errors, 'kind'),
        control:
          () => html`<select id="s-kind" @change=${(e: Event) => this.set({ kind: (e.target as HTMLSelectElement).value as SettingsDraft['kind'] })}>
          ${KINDS.map((k) => html`<option value=${k} ?selected=${d.kind === k}>${t(`settings.kind.${k}`)}</option>`)}
        </select>`,
      })}
      <p class="help">${t('settings.currency', { currency: this.currency })}</p>
    </fieldset>`;
  }

  private renderZones(d: SettingsDraft) {
    const update = (i: number, patch: Partial<ZoneDraft>) => {
      const zones = d.zones.slice();
      zones[i] = { ...zones[i]!, ...patch };
      this.set({ zones });
    };
    return html`<fieldset>
      <legend>${t('settings.shipping')}</legend>
      ${d.zones.map((z, i) => {
        const n = i + 1;
        const err = (k: string) => errorFor(this.errors, `shippingZones.${i}.${k}`);
        return html`<div class="row zone">
          ${input({ id: `s-zone-${i}-name`, label: t('settings.zoneName', { n }), value: z.name, error: err('name'), onInput: (v) => update(i, { name: v }) })}
          ${input({ id: `s-zone-${i}-countries`, label: t('settings.zoneCountries', { n }), value: z.countries, error: err('countries'), onInput: (v) => update(i, { countries: v }) })}
          ${input({ id: `s-zone-${i}-rate`, label: t('settings.zoneRate', { n }), inputmode: 'decimal', value: z.rate, error: err('rate'), onInput: (v) => update(i, { rate: v }) })}
          ${input({ id: `s-zone-${i}-free`, label: t('settings.zoneFree', { n }), inputmode: 'decimal', value: z.freeOver, error: err('freeOver'), onInput: (v) => update(i, { freeOver: v }) })}
          <button type="button" class="secondary" @click=${() => this.set({ zones: d.zones.filter((_, j) => j !== i) })}>${t('settings.removeZone', { n })}</button>
        </div>`;
      })}
      <button type="button" class="secondary" @click=${() => this.set({ zones: [...d.zones, { name: '', countries: '', rate: '', freeOver: '' }] })}>
        ${t('settings.addZone')}
      </button>
    </fieldset>`;
  }

  private renderTaxes(d: SettingsDraft) {
    const update = (i: number, patch: Partial<TaxDraft>) => {
      const taxes = d.taxes.slice();
      taxes[i] = { ...taxes[i]!, ...patch };
      this.set({ taxes });
    };
    return html`<fieldset>
      <legend>${t('settings.tax')}</legend>
      ${d.taxes.map((r, i) => {
        const n = i + 1;
        const err = (k: string) => errorFor(this.errors, `taxRates.${i}.${k}`);
        return html`<div class="row">
          ${input({ id: `s-tax-${i}-country`, label: t('settings.taxCountry', { n }), value: r.country, error: err('country'), onInput: (v) => update(i, { country: v }) })}
          ${input({ id: `s-tax-${i}-rate`, label: t('settings.taxRate', { n }), inputmode: 'decimal', value: r.percent, error: err('rateBps'), onInput: (v) => update(i, { percent: v }) })}
          <button type="button" class="secondary" @click=${() => this.set({ taxes: d.taxes.filter((_, j) => j !== i) })}>${t('settings.removeTax', { n })}</button>
        </div>`;
      })}
      <button type="button" class="secondary" @click=${() => this.set({ taxes: [...d.taxes, { country: '', percent: '' }] })}>
        ${t('settings.addTax')}
      </button>
    </fieldset>`;
  }

  private renderDeliveries() {
    const list = this.deliveries;
    return html`<section aria-labelledby="s-deliveries">
      <h2 id="s-deliveries">${t('settings.deliveries')}</h2>
      ${
        list === null
          ? html`<p role="status">${t('app.loading')}</p>`
          : list.length
            ? html`<div class="table-scroll" role="region" aria-labelledby="s-deliveries" tabindex="0">
              <table>
                <thead><tr><th scope="col">${t('settings.col.event')}</th><th scope="col">${t('settings.col.when')}</th><th scope="col">${t('settings.col.result')}</th></tr></thead>
                <tbody>
                  ${list.map(
                    (x) => html`<tr>
                      <td dir="ltr">${x.eventType}</td>
                      <td>${formatDate(x.createdAt)}</td>
                      <td class=${x.ok ? 'ok' : 'failed'}>${x.ok ? '✓' : '✗'} ${x.statusCode ?? x.error ?? ''} (${x.durationMs} ms)</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
            : html`<p>${t('settings.deliveriesNone')}</p>`
      }
    </section>`;
  }

  private renderRotation() {
    const r = this.revealed;
    return html`<section aria-labelledby="s-rotate">
      <h2 id="s-rotate">${t('settings.rotate')}</h2>
      <p>${t('settings.rotateHelp')}</p>
      <div class="actions">
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.rotate('secret')}>${t('settings.rotateSecret')}</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.rotate('key')}>${t('settings.rotateKey')}</button>
      </div>
      ${
        r
          ? html`<div class="revealed" role="group" aria-label=${r.label}>
            <label for="revealed">${t('settings.newValue')}</label>
            <input id="revealed" readonly dir="ltr" class="code" .value=${r.value} />
            <p>${t('settings.oldUntil', { when: formatDate(r.until) })}</p>
          </div>`
          : nothing
      }
    </section>`;
  }
}
