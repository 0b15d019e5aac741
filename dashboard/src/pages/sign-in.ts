// Sign-in: an email and the one-time code mailed to it, or (for developers) an API key.
// Fires `bip-signed-in` with the new session.
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { z } from 'zod';
import { DashboardCodeBody, DashboardSignInBody } from '../../../server/src/protocol/seller.ts';
import { api } from '../api.ts';
import { apiErrors, type Errors, errorFor, focusFirstError, input, zodErrors } from '../forms.ts';
import { t } from '../i18n.ts';
import { Page } from '../page.ts';
import { adopt, type Session } from '../session.ts';

// The server's sign-in body is a union (a code, or an API key); each form checks its own branch,
// so a refused field is named (a union's failure names none).
const [CodeSignIn, KeySignIn] = DashboardSignInBody.options;

type Step = 'email' | 'code' | 'key';

export class SignInPage extends Page {
  @state() private step: Step = 'email';
  @state() private email = '';
  @state() private code = '';
  @state() private apiKey = '';
  @state() private errors: Errors = new Map();
  @state() private busy = false;

  private async run(work: () => Promise<void>) {
    this.busy = true;
    try {
      await work();
    } catch (err) {
      const errors = apiErrors(err);
      // A refused code or key belongs beside the code or key field.
      const general = errors.get('(body)');
      const code = (err as { code?: string }).code ?? '';
      const field =
        this.step === 'code' && /^(code_|too_many_attempts)/.test(code)
          ? 'code'
          : this.step === 'key' && code === 'unauthorized'
            ? 'apiKey'
            : null;
      if (field && general) {
        errors.delete('(body)');
        errors.set(field, general);
      }
      this.errors = errors;
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    focusFirstError(this);
  }

  private check(schema: z.ZodType, body: unknown): boolean {
    const parsed = schema.safeParse(body);
    this.errors = parsed.success ? new Map() : zodErrors(parsed.error);
    if (!parsed.success) this.updateComplete.then(() => focusFirstError(this));
    return parsed.success;
  }

  private handleEmail(e: Event) {
    e.preventDefault();
    if (!this.check(DashboardCodeBody, { email: this.email.trim() })) return;
    this.run(async () => {
      await api.send('POST', '/dashboard/codes', { email: this.email.trim() });
      this.errors = new Map();
      this.step = 'code';
      await this.updateComplete;
      this.querySelector<HTMLInputElement>('#sign-in-code')?.focus();
    });
  }

  private handleCode(e: Event) {
    e.preventDefault();
    const body = { email: this.email.trim(), code: this.code.trim() };
    if (!this.check(CodeSignIn, body)) return;
    this.run(() => this.finish(api.send<Session>('POST', '/dashboard/sessions', body)));
  }

  private handleKey(e: Event) {
    e.preventDefault();
    const body = { apiKey: this.apiKey.trim() };
    if (!this.check(KeySignIn, body)) return;
    this.run(() => this.finish(api.send<Session>('POST', '/dashboard/sessions', body)));
  }

  private async finish(answer: Promise<Session>) {
    const session = adopt(await answer);
    this.dispatchEvent(
      new CustomEvent<Session>('bip-signed-in', { detail: session, bubbles: true, composed: true }),
    );
  }

  private switchTo(step: Step) {
    this.step = step;
    this.errors = new Map();
    this.code = '';
  }

  protected override render() {
    return html`<section class="narrow">
      <h1 tabindex="-1">${t('signIn.title')}</h1>
      ${this.step === 'key' ? this.renderKey() : this.step === 'code' ? this.renderCode() : this.renderEmail()}
    </section>`;
  }

  private renderFormError() {
    // Errors that belong to no field shown here (a refused code names the `code` field).
    const general = this.errors.get('(body)');
    return general
      ? html`<p class="form-error" role="alert" tabindex="-1">${general}</p>`
      : nothing;
  }

  private renderEmail() {
    return html`<p>${t('signIn.intro')}</p>
      <form @submit=${this.handleEmail} novalidate>
        ${input({
          id: 'sign-in-email',
          label: t('signIn.email'),
          type: 'email',
          autocomplete: 'email',
          required: true,
          value: this.email,
          error: errorFor(this.errors, 'email'),
          onInput: (v) => {
            this.email = v;
          },
        })}
        ${this.renderFormError()}
        <button type="submit" ?disabled=${this.busy}>${t('signIn.sendCode')}</button>
      </form>
      <p>
        <button type="button" class="link" @click=${() => this.switchTo('key')}>
          ${t('signIn.withKey')}
        </button>
      </p>`;
  }

  private renderCode() {
    return html`<p role="status">${t('signIn.codeSent', { email: this.email.trim() })}</p>
      <form @submit=${this.handleCode} novalidate>
        ${input({
          id: 'sign-in-code',
          label: t('signIn.code'),
          inputmode: 'numeric',
          autocomplete: 'one-time-code',
          required: true,
          value: this.code,
          error: errorFor(this.errors, 'code'),
          onInput: (v) => {
            this.code = v;
          },
        })}
        ${this.renderFormError()}
        <button type="submit" ?disabled=${this.busy}>${t('signIn.verify')}</button>
      </form>
      <p>
        <button type="button" class="link" @click=${() => this.switchTo('email')}>
          ${t('signIn.otherEmail')}
        </button>
      </p>`;
  }

  private renderKey() {
    return html`<form @submit=${this.handleKey} novalidate>
        ${input({
          id: 'sign-in-key',
          label: t('signIn.apiKey'),
          type: 'password',
          autocomplete: 'off',
          required: true,
          value: this.apiKey,
          error: errorFor(this.errors, 'apiKey'),
          onInput: (v) => {
            this.apiKey = v;
          },
        })}
        ${this.renderFormError()}
        <button type="submit" ?disabled=${this.busy}>${t('signIn.withKeyButton')}</button>
      </form>
      <p>
        <button type="button" class="link" @click=${() => this.switchTo('email')}>
          ${t('signIn.withEmail')}
        </button>
      </p>`;
  }
}
