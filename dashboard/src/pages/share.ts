// Share: the exact snippet a seller pastes into a post, a blog or a CMS for one product, a copy
// button, and the sites allowed to sell (a checkout starts only from a listed origin).
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  type SellerProduct,
  type SellerSettings,
  UpdateSellerBody,
} from '../../../server/src/protocol/seller.ts';
import { ApiError, api } from '../api.ts';
import { apiErrors, type Errors, errorFor, focusFirstError, input, zodErrors } from '../forms.ts';
import { type MessageKey, t } from '../i18n.ts';
import { Page } from '../page.ts';
import { href } from '../router.ts';
import type { Session } from '../session.ts';

const escapeAttr = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
const escapeText = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The markup for one product, as a host page needs it (docs/embedding.md, "One script tag"). */
export function snippet(session: Session, p: SellerProduct, post: string): string {
  const fallback = p.url ?? `${session.endpoint}/p/${encodeURIComponent(p.id)}`;
  const postAttr = post.trim() ? ` post="${escapeAttr(post.trim())}"` : '';
  return [
    `<script type="module" src="${escapeAttr(session.elementScriptUrl)}"></script>`,
    `<buy-in-post product="${escapeAttr(p.id)}" endpoint="${escapeAttr(session.endpoint)}"${postAttr}>`,
    `  <a href="${escapeAttr(fallback)}">${escapeText(p.title)}</a>`,
    '</buy-in-post>',
  ].join('\n');
}

export class SharePage extends Page {
  @property({ attribute: false }) productId = '';
  @state() private product: SellerProduct | null = null;
  @state() private notFound = false;
  @state() private post = '';
  /** A message key: shown in the language of the moment, even after a switch. */
  @state() private copied: MessageKey | '' = '';
  @state() private origin = '';
  @state() private errors: Errors = new Map();
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
  }

  private async load() {
    try {
      this.product = await api.get<SellerProduct>(
        `/seller/products/${encodeURIComponent(this.productId)}`,
        this.abort.signal,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else if ((err as Error).name !== 'AbortError') this.errors = apiErrors(err);
    }
  }

  private async handleCopy() {
    const text = snippet(this.session!, this.product!, this.post);
    try {
      await navigator.clipboard.writeText(text);
      this.copied = 'share.copied';
    } catch {
      this.copied = 'share.copyFailed';
      this.querySelector<HTMLTextAreaElement>('#share-snippet')?.select();
    }
  }

  private async saveOrigins(allowedOrigins: string[], fieldIndex: number | null) {
    const body = { allowedOrigins };
    const parsed = UpdateSellerBody.safeParse(body);
    // The one origin being added is the field; a refused list names it by its index.
    const fieldOf = (errors: Errors) => {
      const out: Errors = new Map();
      for (const [k, v] of errors)
        out.set(fieldIndex !== null && k.startsWith('allowedOrigins') ? 'origin' : k, v);
      return out;
    };
    if (!parsed.success) {
      this.errors = fieldOf(zodErrors(parsed.error));
      await this.updateComplete;
      focusFirstError(this);
      return false;
    }
    this.busy = true;
    try {
      const seller = await api.send<SellerSettings>('PATCH', '/seller/me', body);
      this.dispatchEvent(
        new CustomEvent<Session>('bip-session', {
          detail: { ...this.session!, seller: { ...this.session!.seller, ...seller } },
          bubbles: true,
        }),
      );
      this.errors = new Map();
      return true;
    } catch (err) {
      this.errors = fieldOf(apiErrors(err));
      await this.updateComplete;
      focusFirstError(this);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async handleAdd(e: Event) {
    e.preventDefault();
    const origin = this.origin.trim().replace(/\/+$/, '');
    const list = this.session!.seller.allowedOrigins;
    if (list.includes(origin)) {
      this.origin = '';
      return;
    }
    if (await this.saveOrigins([...list, origin], list.length)) this.origin = '';
  }

  private handleRemove(origin: string) {
    this.saveOrigins(
      this.session!.seller.allowedOrigins.filter((o) => o !== origin),
      null,
    );
  }

  protected override render() {
    if (this.notFound) return html`<bip-not-found></bip-not-found>`;
    const p = this.product;
    if (!p)
      return html`<h1 tabindex="-1">${t('products.shareButton')}</h1>
        ${
          this.errors.get('(body)')
            ? html`<p class="form-error" role="alert">${this.errors.get('(body)')}</p>`
            : html`<p role="status">${t('app.loading')}</p>`
        }`;
    return html`<div class="page-head">
        <h1 tabindex="-1">${t('share.title', { title: p.title })}</h1>
        <a class="button secondary" href=${href({ page: 'product', id: p.id })}>${t('product.editButton')}</a>
      </div>
      <section aria-labelledby="share-snippet-title">
        <h2 id="share-snippet-title">${t('share.snippet')}</h2>
        <p>${t('share.intro')}</p>
        ${input({
          id: 'share-post',
          label: t('share.post'),
          type: 'url',
          value: this.post,
          onInput: (v) => {
            this.post = v;
            this.copied = '';
          },
        })}
        <label for="share-snippet">${t('share.snippet')}</label>
        <textarea id="share-snippet" class="code" readonly rows="5" dir="ltr" spellcheck="false" .value=${snippet(this.session!, p, this.post)}></textarea>
        <div class="actions">
          <button type="button" @click=${this.handleCopy}>${t('share.copy')}</button>
          <p role="status" class="notice">${this.copied && t(this.copied)}</p>
        </div>
      </section>
      ${this.renderOrigins()}`;
  }

  private renderOrigins() {
    const list = this.session!.seller.allowedOrigins;
    const general = this.errors.get('(body)');
    return html`<section aria-labelledby="share-origins-title">
      <h2 id="share-origins-title">${t('share.origins')}</h2>
      <p>${t('share.originsHelp')}</p>
      ${
        list.length
          ? html`<ul class="origins">
            ${list.map(
              (o) => html`<li>
                <span dir="ltr">${o}</span>
                <button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.handleRemove(o)}>
                  ${t('share.removeOrigin', { origin: o })}
                </button>
              </li>`,
            )}
          </ul>`
          : html`<p>${t('share.originsNone')}</p>`
      }
      <form @submit=${this.handleAdd} novalidate class="row">
        ${input({
          id: 'share-origin',
          label: t('share.origin'),
          type: 'url',
          value: this.origin,
          required: true,
          error: errorFor(this.errors, 'origin'),
          onInput: (v) => {
            this.origin = v;
          },
        })}
        <button type="submit" ?disabled=${this.busy}>${t('share.addOrigin')}</button>
      </form>
      ${general ? html`<p class="form-error" role="alert">${general}</p>` : nothing}
    </section>`;
  }
}
