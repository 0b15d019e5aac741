// Payouts (platform mode only: the app shows this page when GET /v1/seller/payouts answers):
// where the seller stands with the payment provider, and the link to finish onboarding.
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Payouts } from '../../../server/src/protocol/payouts.ts';
import { api } from '../api.ts';
import { apiErrors } from '../forms.ts';
import { t } from '../i18n.ts';
import { Page } from '../page.ts';

export class PayoutsPage extends Page {
  @state() private payouts: Payouts | null = null;
  @state() private failure = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // Stripe's onboarding sends the seller back here.
    const returnUrl = `${location.origin}/seller/payouts`;
    api
      .get<Payouts>(`/seller/payouts?returnUrl=${encodeURIComponent(returnUrl)}`, this.abort.signal)
      .then((p) => {
        this.payouts = p;
      })
      .catch((err) => {
        if ((err as Error).name !== 'AbortError') this.failure = apiErrors(err).get('(body)') ?? '';
      });
  }

  protected override render() {
    const p = this.payouts;
    return html`<h1 tabindex="-1">${t('payouts.title')}</h1>
      ${this.failure ? html`<p class="form-error" role="alert">${this.failure}</p>` : nothing}
      ${
        p
          ? html`<p>${t('payouts.status', { status: t(`payouts.${p.status}`) })}</p>
            ${p.status === 'enabled' ? html`<p>${t('payouts.ready')}</p>` : nothing}
            ${
              p.requirements.length
                ? html`<ul dir="ltr">${p.requirements.map((r) => html`<li>${r}</li>`)}</ul>`
                : nothing
            }
            ${
              p.onboardingUrl
                ? html`<p><a class="button" href=${p.onboardingUrl} rel="noopener noreferrer">${t('payouts.continue')}</a></p>`
                : nothing
            }`
          : this.failure
            ? nothing
            : html`<p role="status">${t('app.loading')}</p>`
      }`;
  }
}
