import { html, nothing, type TemplateResult } from 'lit';
import { BuyInPostDetailsDeletedEvent } from '../../events.ts';
import { asProtocolError, describeError } from '../errors.ts';
import { addressText, cardText, renderCardName } from './labels.ts';
import type { Wallet } from './model.ts';
import { focusAfterRender, type PanelHost, type PanelView } from './panel.ts';

type Phase = 'loading' | 'ready' | 'confirm-erase' | 'erased' | 'signed-out';

/**
 * "Saved details": what the endpoint keeps for the signed-in reader, masked — addresses, cards,
 * the sellers who may see their email — each removable in one press; "Forget me on this site"
 * (this page lets go of the session) and "Delete everything" (after a confirmation, the endpoint
 * erases the wallet). After each removal the focus goes to the list's heading and the live
 * region says what happened, so a keyboard or screen-reader user is never left on nothing.
 */
export class SavedDetailsPanel {
  private phase: Phase = 'loading';
  private busy = false;
  private error: string | null = null;

  constructor(private readonly host: PanelHost) {}

  /** Opened: read the wallet afresh (another element, or another tab, may have changed it). */
  async open() {
    this.phase = 'loading';
    this.error = null;
    this.busy = false;
    this.host.requestUpdate();
    try {
      const wallet = await this.host.account.load();
      this.phase = wallet ? 'ready' : 'signed-out';
    } catch (err) {
      this.phase = this.host.account.wallet ? 'ready' : 'signed-out';
      this.error = this.describe(err);
    }
    this.host.requestUpdate();
  }

  render(): PanelView {
    const { t } = this.host.i18n;
    const wallet = this.host.account.wallet;
    const back = html`<footer part="footer">
      <button type="button" part="primary" class="primary" @click=${() => this.host.close()}>
        ${t.backToOrder}
      </button>
    </footer>`;
    const error = this.error
      ? html`<div part="error" class="error" role="alert"><p>${this.error}</p></div>`
      : nothing;
    let body: TemplateResult;
    if (this.phase === 'loading') {
      body = html`<p role="status" class="help">${t.savedLoading}</p>`;
    } else if (this.phase === 'erased' || this.phase === 'signed-out' || !wallet) {
      body = html`<p>${this.phase === 'erased' ? t.deleted : t.forgotten}</p>`;
    } else {
      body = this.renderWallet(wallet);
    }
    return { title: t.savedTitle, body: html`${error}${body}`, footer: back };
  }

  private renderWallet(wallet: Wallet): TemplateResult {
    const { i18n } = this.host;
    const { t } = i18n;
    const busy = this.busy ? 'true' : nothing;
    const consents = wallet.consents ?? [];
    const date = (iso: string) =>
      new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium' }).format(new Date(iso));
    const list = <T>(
      id: string,
      title: string,
      items: readonly T[],
      empty: string,
      row: (item: T) => TemplateResult,
    ) => html`<section class="saved-section" aria-labelledby=${id}>
      <h3 id=${id} tabindex="-1">${title}</h3>
      ${
        items.length
          ? html`<ul class="saved-list">${items.map((item) => html`<li>${row(item)}</li>`)}</ul>`
          : html`<p class="help">${empty}</p>`
      }
    </section>`;
    const removeButton = (label: string, what: string, onClick: () => void) =>
      html`<button type="button" class="link" aria-disabled=${busy} @click=${onClick}>
        ${label}<span class="visually-hidden"> ${what}</span>
      </button>`;
    return html`
      <p>${wallet.email ? t.signedInAs(wallet.email) : t.signedInHost}</p>
      ${list('sd-addresses', t.addresses, wallet.addresses, t.noAddresses, (a) => {
        const text = addressText(a, i18n);
        return html`<span>${text}</span>
          ${removeButton(t.remove, text, () => void this.removeAddress(a.id, text))}`;
      })}
      ${list('sd-cards', t.cards, wallet.paymentMethods, t.noCards, (c) => {
        const text = cardText(c);
        return html`<span>${renderCardName(c, i18n)}</span>
          ${removeButton(t.remove, text, () => void this.removeCard(c.id, text))}`;
      })}
      ${list('sd-sharing', t.emailSharing, consents, t.noSharing, (c) => {
        return html`<span>${c.sellerName} · ${t.sharingSince(date(c.grantedAt))}</span>
          ${removeButton(t.stopSharing, c.sellerName, () => void this.withdraw(c.sellerId, c.sellerName))}`;
      })}
      <section class="saved-section" aria-labelledby="sd-device">
        <h3 id="sd-device">${t.thisSite}</h3>
        <p class="help" id="sd-forget-help">${t.forgetHelp}</p>
        <button
          type="button"
          class="secondary"
          id="sd-forget"
          aria-describedby="sd-forget-help"
          aria-disabled=${busy}
          @click=${this.handleForget}
        >
          ${t.forgetMe}
        </button>
      </section>
      <section class="saved-section danger" aria-labelledby="sd-erase">
        <h3 id="sd-erase">${t.deleteTitle}</h3>
        <p class="help" id="sd-erase-help">${t.deleteHelp}</p>
        ${
          this.phase === 'confirm-erase'
            ? html`<div class="confirm" role="group" aria-labelledby="sd-erase-confirm">
              <p id="sd-erase-confirm"><strong>${t.deleteConfirm}</strong></p>
              <button
                type="button"
                class="danger-button"
                id="sd-erase-yes"
                aria-describedby="sd-erase-confirm sd-erase-help"
                aria-disabled=${busy}
                @click=${this.handleErase}
              >
                ${this.busy ? t.processing : t.deleteYes}
              </button>
              <button
                type="button"
                class="secondary"
                aria-disabled=${busy}
                @click=${this.handleCancelErase}
              >
                ${t.cancel}
              </button>
            </div>`
            : html`<button
              type="button"
              class="danger-button"
              id="sd-erase-start"
              aria-describedby="sd-erase-help"
              aria-disabled=${busy}
              @click=${this.handleStartErase}
            >
              ${t.deleteEverything}
            </button>`
        }
      </section>
    `;
  }

  // ---- what the reader does -------------------------------------------------------------------

  private removeAddress(id: string, text: string) {
    return this.act(
      () => this.host.account.removeAddress(id),
      () => {
        this.host.gone([id]);
        this.deleted('address', this.host.i18n.t.removed(text), '#sd-addresses');
      },
    );
  }

  private removeCard(id: string, text: string) {
    return this.act(
      () => this.host.account.removePaymentMethod(id),
      () => {
        this.host.gone([id]);
        this.deleted('payment-method', this.host.i18n.t.removed(text), '#sd-cards');
      },
    );
  }

  private withdraw(sellerId: string, sellerName: string) {
    return this.act(
      () => this.host.account.withdrawConsent(sellerId),
      () => {
        this.host.announce(this.host.i18n.t.sharingStopped(sellerName));
        void focusAfterRender(this.host, '#sd-sharing');
      },
    );
  }

  private handleForget = () => {
    if (this.busy) return;
    this.host.account.forget();
    this.host.gone();
    this.phase = 'signed-out';
    this.host.announce(this.host.i18n.t.forgotten);
    this.host.requestUpdate();
    void focusAfterRender(this.host, '[data-step-heading]');
  };

  private handleStartErase = () => {
    if (this.busy) return;
    this.phase = 'confirm-erase';
    this.host.requestUpdate();
    void focusAfterRender(this.host, '#sd-erase-yes');
  };

  private handleCancelErase = () => {
    if (this.busy) return;
    this.phase = 'ready';
    this.host.requestUpdate();
    void focusAfterRender(this.host, '#sd-erase-start');
  };

  private handleErase = () =>
    this.act(
      () => this.host.account.erase(),
      () => {
        this.host.gone();
        this.phase = 'erased';
        this.deleted('everything', this.host.i18n.t.deleted, '[data-step-heading]');
      },
    );

  /** Runs one removal with the panel busy; a failure is shown (role=alert), nothing is lost. */
  private async act(work: () => Promise<void>, done: () => void) {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      await work();
      this.busy = false;
      done();
    } catch (err) {
      this.busy = false;
      this.error = this.describe(err);
      // the session ended meanwhile (erased or signed out elsewhere): say so
      if (!this.host.account.signedIn) {
        this.phase = 'signed-out';
        this.host.gone();
      }
    }
    this.host.requestUpdate();
  }

  private deleted(what: 'address' | 'payment-method' | 'everything', text: string, focus: string) {
    this.host.announce(text);
    void focusAfterRender(this.host, focus).then(() =>
      this.host.element.dispatchEvent(new BuyInPostDetailsDeletedEvent(what)),
    );
  }

  private describe(err: unknown): string {
    const e = asProtocolError(err);
    const { t } = this.host.i18n;
    if (e.code === 'unauthorized') return t.forgotten;
    if (e.code === 'wallet_unavailable') return t.walletUnavailable;
    return describeError(e, this.host.i18n, false).message;
  }
}
