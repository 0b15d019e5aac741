// <bip-preview>: the real <buy-in-post> showing a saved product as readers will see it, light in
// English and dark in Arabic side by side. The element's code (the same src/ a host page gets
// from dist/) loads only when a preview is first shown.
import { html, LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';
import { t } from './i18n.ts';

let loading: Promise<unknown> | null = null;

export class Preview extends LitElement {
  @property({ attribute: false }) productId = '';
  /** The endpoint the element talks to: this one. */
  @property({ attribute: false }) endpoint = '';
  @state() private ready = false;

  protected override createRenderRoot() {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    loading ??= import('../../src/define.ts');
    loading.then(() => {
      this.ready = true;
    });
  }

  protected override render() {
    if (!this.ready) return html`<p role="status">${t('app.loading')}</p>`;
    return html`<div class="preview-pane light" lang="en" dir="ltr">
        <p class="preview-caption">${t('product.previewLight')}</p>
        <buy-in-post product=${this.productId} endpoint=${this.endpoint} locale="en" post="dashboard-preview"></buy-in-post>
      </div>
      <div class="preview-pane dark" lang="ar" dir="rtl">
        <p class="preview-caption">${t('product.previewDark')}</p>
        <buy-in-post product=${this.productId} endpoint=${this.endpoint} locale="ar" post="dashboard-preview"></buy-in-post>
      </div>`;
  }
}
