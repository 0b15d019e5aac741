// <bip-preview>: the real <buy-in-post> showing a saved product as readers will see it, light in
// English and dark in Arabic side by side. The element's code (the same src/ a host page gets
// from dist/) loads only when a preview is first shown.
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { t } from './i18n.ts';

let loading: Promise<typeof import('../../src/internal/product-loader.ts')> | null = null;

/** The element, registered, and its page-wide product loader (the same module instance). */
function loadElement() {
  loading ??= import('../../src/define.ts').then(
    () => import('../../src/internal/product-loader.ts'),
  );
  return loading;
}

export class Preview extends LitElement {
  @property({ attribute: false }) productId = '';
  /** The endpoint the element talks to: this one. */
  @property({ attribute: false }) endpoint = '';
  /** Bumped by the editor after each save: the preview shows the product as saved. */
  @property({ attribute: false }) revision = 0;
  @state() private shown = -1;

  protected override createRenderRoot() {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('revision') || changed.has('productId')) this.refresh();
  }

  /**
   * Elements on one page share what they loaded (for 30 s, and the HTTP cache for 15 s more), so
   * after a save the loader reads the product past every cache before the elements are made anew.
   */
  private async refresh() {
    const revision = this.revision;
    const { ProductLoader } = await loadElement();
    if (revision > 0)
      await ProductLoader.for(this.endpoint)
        .load(this.productId, { fresh: true })
        .catch(() => null);
    if (revision === this.revision) this.shown = revision;
  }

  protected override render() {
    if (this.shown < 0) return html`<p role="status">${t('app.loading')}</p>`;
    return keyed(
      this.shown,
      html`<div class="preview-pane light" lang="en" dir="ltr">
          <p class="preview-caption">${t('product.previewLight')}</p>
          <buy-in-post product=${this.productId} endpoint=${this.endpoint} locale="en" post="dashboard-preview"></buy-in-post>
        </div>
        <div class="preview-pane dark" lang="ar" dir="rtl">
          <p class="preview-caption">${t('product.previewDark')}</p>
          <buy-in-post product=${this.productId} endpoint=${this.endpoint} locale="ar" post="dashboard-preview"></buy-in-post>
        </div>`,
    );
  }
}
