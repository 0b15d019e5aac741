import { html, nothing } from 'lit';
import { BuyInPostErrorEvent, BuyInPostSignedInEvent } from '../../events.ts';
import { asProtocolError } from '../errors.ts';
import { focusAfterRender, type PanelHost, type PanelView } from './panel.ts';

const FORM_ID = 'sign-in-form';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Signing in with an emailed code: an email (and "Remember me on this site") → "Send me a code"
 * → the six digits (one-time-code autofill, numeric keypad) → signed in. Every refusal of the
 * endpoint (a wrong code with the attempts left, an expired one, too many tries) is put in the
 * reader's words next to the field it is about.
 */
export class SignInPanel {
  private phase: 'email' | 'code' = 'email';
  private email = '';
  private code = '';
  private remember = false;
  private busy = false;
  /** What is wrong, in the reader's words: shown by the field on screen. */
  private problem: string | null = null;

  constructor(private readonly host: PanelHost) {}

  /** Opened again: a reader coming back mid-way keeps the email (not the digits). */
  reset() {
    this.code = '';
    this.problem = null;
    this.busy = false;
  }

  render(): PanelView {
    const { t } = this.host.i18n;
    const onEmail = this.phase === 'email';
    const fieldId = onEmail ? 'si-email' : 'si-code';
    const msgId = `${fieldId}-msg`;
    const problem = this.problem;
    const invalid = problem ? 'true' : 'false';
    const message = problem
      ? html`<p class="message" id=${msgId} role="alert">${problem}</p>`
      : nothing;
    const emailStep = html`<p class="help" id="si-intro">${t.signInIntro}</p>
      <div part="field" class="field">
        <label for="si-email">${t.email}</label>
        <input
          id="si-email"
          name="email"
          type="email"
          autocomplete="email"
          dir="ltr"
          required
          ?readonly=${this.busy}
          .value=${this.email}
          aria-invalid=${invalid}
          aria-describedby=${problem ? `${msgId} si-intro` : 'si-intro'}
          @input=${(e: Event) => {
            this.email = (e.target as HTMLInputElement).value;
          }}
        />
        ${message}
      </div>
      <div class="field checkbox">
        <input
          id="si-remember"
          type="checkbox"
          .checked=${this.remember}
          ?disabled=${this.busy}
          aria-describedby="si-remember-help"
          @change=${(e: Event) => {
            this.remember = (e.target as HTMLInputElement).checked;
          }}
        />
        <label for="si-remember">${t.rememberMe}</label>
        <p class="help" id="si-remember-help">${t.rememberMeHelp}</p>
      </div>`;
    const codeStep = html`<p id="si-sent">${t.codeSent(this.email.trim())}</p>
      <div part="field" class="field">
        <label for="si-code">${t.codeLabel}</label>
        <input
          id="si-code"
          name="one-time-code"
          type="text"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9 ]*"
          maxlength="12"
          dir="ltr"
          required
          ?readonly=${this.busy}
          .value=${this.code}
          aria-invalid=${invalid}
          aria-describedby=${problem ? `${msgId} si-sent` : 'si-sent'}
          @input=${(e: Event) => {
            this.code = (e.target as HTMLInputElement).value;
          }}
        />
        ${message}
      </div>
      <div class="row">
        <button type="button" class="link" @click=${this.handleResend}>${t.sendNewCode}</button>
        <button type="button" class="link" @click=${this.handleOtherEmail}>${t.otherEmail}</button>
      </div>`;
    return {
      title: t.signInTitle,
      body: html`<form id=${FORM_ID} class="wallet-form" novalidate @submit=${this.handleSubmit}>
        ${onEmail ? emailStep : codeStep}
      </form>`,
      footer: html`<footer part="footer">
        <button
          type="submit"
          form=${FORM_ID}
          part="primary"
          class="primary"
          aria-disabled=${this.busy ? 'true' : nothing}
        >
          ${this.busy ? t.processing : onEmail ? t.sendCode : t.signInWithCode}
        </button>
      </footer>`,
    };
  }

  private handleSubmit = (e: Event) => {
    e.preventDefault();
    if (this.busy) return;
    void (this.phase === 'email' ? this.sendCode() : this.checkCode());
  };

  private handleResend = () => {
    if (!this.busy) void this.sendCode(true);
  };

  private handleOtherEmail = () => {
    if (this.busy) return;
    this.phase = 'email';
    this.code = '';
    this.problem = null;
    this.host.requestUpdate();
    void focusAfterRender(this.host, '#si-email');
  };

  private async sendCode(again = false) {
    const { t } = this.host.i18n;
    const email = this.email.trim();
    if (!EMAIL.test(email)) return this.refuse(email ? t.invalidEmail : t.required(t.email));
    await this.run(async () => {
      await this.host.account.requestCode(email);
      this.phase = 'code';
      this.code = '';
      this.host.announce(again ? t.codeResent : t.codeSent(email));
      void focusAfterRender(this.host, '#si-code');
    });
  }

  private async checkCode() {
    const { t } = this.host.i18n;
    const code = this.code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) return this.refuse(t.codeFormat);
    await this.run(async () => {
      const wallet = await this.host.account.signInWithCode(this.email.trim(), code, this.remember);
      this.phase = 'email';
      this.code = '';
      this.host.announce(wallet.email ? t.signedInAs(wallet.email) : t.signedIn);
      this.host.signedIn();
      this.host.close();
      await this.host.rendered();
      this.host.element.dispatchEvent(new BuyInPostSignedInEvent('code'));
    });
  }

  /** Runs a call with the form busy; a refusal is shown by the field on screen. */
  private async run(work: () => Promise<void>) {
    this.busy = true;
    this.problem = null;
    this.host.requestUpdate();
    try {
      await work();
    } catch (err) {
      const e = asProtocolError(err);
      const text = this.explain(e.code, e.problem);
      this.host.element.dispatchEvent(new BuyInPostErrorEvent(e.code, text));
      this.busy = false;
      return this.refuse(text);
    }
    this.busy = false;
    this.host.requestUpdate();
  }

  private explain(code: string, problem: Record<string, unknown> | undefined): string {
    const { t } = this.host.i18n;
    switch (code) {
      case 'code_invalid': {
        const left = problem?.attemptsLeft;
        return typeof left === 'number' ? t.codeWrong(left, this.host.i18n.plural) : t.codeFormat;
      }
      case 'code_expired':
        return t.codeExpired;
      case 'too_many_attempts':
        return t.codeTooMany;
      case 'rate_limited':
        return t.errors.rate_limited;
      case 'validation_failed':
        return this.phase === 'email' ? t.invalidEmail : t.codeFormat;
      case 'mail_unavailable':
        return t.mailUnavailable;
      case 'wallet_unavailable':
      case 'not_found':
        return t.walletUnavailable;
      case 'network':
      case 'internal_error':
        return t.errors.network;
      default:
        return t.errors.generic;
    }
  }

  private refuse(text: string) {
    this.problem = text;
    this.host.requestUpdate();
    void focusAfterRender(this.host, this.phase === 'email' ? '#si-email' : '#si-code');
  }
}
