// A product's editor (new or existing): details, options and variants, images, the digital file,
// archive, and the preview of the real <buy-in-post>. Every write to an existing product sends
// If-Match with the ETag it was read with, so an edit made elsewhere meanwhile is never
// overwritten: the endpoint answers 412 and the page says so. (Past 300 lines because saving,
// uploading and the stale-edit state are one thing; the plain fieldsets are in product-fields.ts.)
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import {
  CreateProductBody,
  type SellerProduct,
  UpdateProductBody,
  UpdateVariantBody,
} from '../../../server/src/protocol/seller.ts';
import { ApiError, api } from '../api.ts';
import {
  apiErrors,
  type Errors,
  errorFor,
  field,
  focusFirstError,
  input,
  zodErrors,
} from '../forms.ts';
import { type MessageKey, t } from '../i18n.ts';
import { Page } from '../page.ts';
import {
  createBody,
  draftFromProduct,
  emptyDraft,
  moneyErrors,
  type ProductDraft,
  updateBody,
  variantsFor,
  variantUpdates,
} from '../product-draft.ts';
import { href, navigate } from '../router.ts';
import {
  detailsFieldset,
  optionsFieldset,
  type ProductFieldsContext,
  variantsFieldset,
} from './product-fields.ts';

type Loaded = { product: SellerProduct; etag: string };

export class ProductEditPage extends Page {
  /** null: a new product. */
  @property({ attribute: false }) productId: string | null = null;

  @state() private loaded: Loaded | null = null;
  @state() private draft: ProductDraft = emptyDraft();
  @state() private errors: Errors = new Map();
  @state() private notFound = false;
  @state() private stale = false;
  /** What is under way (a message key), or '' when nothing is. */
  @state() private busy: MessageKey | '' = '';
  /** A message key: shown in the language of the moment, even after a switch. */
  @state() private notice: MessageKey | '' = '';
  /** Images chosen for a product not created yet: uploaded right after creation. */
  @state() private pendingImages: { file: File; alt: string; preview: string }[] = [];
  @state() private pendingFile: File | null = null;
  /** Bumped after each save, so the preview loads the product again. */
  @state() private revision = 0;

  private saved: ProductDraft = emptyDraft();

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.productId) this.load(this.productId);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // The same page element is kept when the path names another product (not after a creation,
    // which names the product it already holds).
    if (changed.has('productId') && changed.get('productId') !== undefined) {
      if (this.productId && this.productId !== this.loaded?.product.id) {
        this.loaded = null;
        this.load(this.productId);
      } else if (!this.productId) {
        this.loaded = null;
        this.draft = emptyDraft();
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const p of this.pendingImages) URL.revokeObjectURL(p.preview);
  }

  private async load(id: string) {
    try {
      const res = await api.request<SellerProduct>(`/seller/products/${encodeURIComponent(id)}`, {
        signal: this.abort.signal,
      });
      this.adopt(res.data, res.headers);
      this.stale = false;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else if ((err as Error).name !== 'AbortError') this.errors = apiErrors(err);
    }
  }

  private adopt(product: SellerProduct, headers?: Headers) {
    const etag = headers?.get('ETag') ?? (product as { etag?: string }).etag ?? '';
    this.loaded = { product, etag };
    this.draft = draftFromProduct(product);
    this.saved = draftFromProduct(product);
  }

  /** A write to the existing product, with If-Match; its answer becomes the page's product. */
  private async write(path: string, opts: Parameters<typeof api.request>[1]) {
    const { product, etag } = this.loaded!;
    const res = await api.request<SellerProduct>(
      `/seller/products/${encodeURIComponent(product.id)}${path}`,
      { ...opts, headers: { ...opts?.headers, ...(etag ? { 'If-Match': etag } : {}) } },
    );
    const keepDraft = this.draft;
    this.adopt(res.data, res.headers);
    return keepDraft;
  }

  private set(patch: Partial<ProductDraft>) {
    this.draft = { ...this.draft, ...patch };
  }

  private setOptions(options: ProductDraft['options']) {
    this.set({ options, variants: variantsFor(options, this.draft.variants) });
  }

  private setVariant(i: number, patch: Partial<ProductDraft['variants'][number]>) {
    const variants = this.draft.variants.slice();
    variants[i] = { ...variants[i]!, ...patch };
    this.set({ variants });
  }

  /**
   * Runs a save or an upload: a 412 shows the stale-edit message, other failures their field
   * errors (those naming no field go to `field`, the upload's own control, when given).
   */
  private async run(label: MessageKey, work: () => Promise<void>, fieldForGeneral?: string) {
    this.busy = label;
    this.notice = '';
    try {
      await work();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        this.stale = true;
        this.errors = new Map();
      } else {
        const errors = apiErrors(err);
        const general = errors.get('(body)');
        if (fieldForGeneral && general !== undefined) {
          errors.delete('(body)');
          errors.set(fieldForGeneral, general);
        }
        this.errors = errors;
      }
    } finally {
      this.busy = '';
    }
    await this.updateComplete;
    if (this.stale) this.querySelector<HTMLElement>('#stale')?.focus();
    else focusFirstError(this);
  }

  private validate(result: { success: boolean; error?: unknown }, extra: Errors): boolean {
    const errors = new Map(extra);
    if (!result.success)
      for (const [k, v] of zodErrors(result.error as never)) if (!errors.has(k)) errors.set(k, v);
    this.errors = errors;
    if (errors.size) this.updateComplete.then(() => focusFirstError(this));
    return errors.size === 0;
  }

  private handleSubmit(e: Event) {
    e.preventDefault();
    if (this.loaded) this.saveExisting();
    else this.create();
  }

  private create() {
    const body = createBody(this.draft, this.currency);
    const money = moneyErrors(this.draft, this.currency, t('form.amount'));
    if (!this.validate(CreateProductBody.safeParse(body), money)) return;
    this.run('app.saving', async () => {
      const res = await api.request<SellerProduct>('/seller/products', { method: 'POST', body });
      this.adopt(res.data, res.headers);
      // The product exists from here on: the address names it, whatever the uploads do.
      navigate(href({ page: 'product', id: this.loaded!.product.id }), { replace: true });
      this.errors = new Map();
      const images = this.pendingImages;
      const file = this.pendingFile;
      this.pendingImages = [];
      this.pendingFile = null;
      for (const p of images) {
        await this.uploadImage(p.file, p.alt);
        URL.revokeObjectURL(p.preview);
      }
      if (file) await this.uploadFile(file);
      this.notice = 'product.created';
    });
  }

  private saveExisting() {
    const body = updateBody(this.draft, this.saved);
    const variants = variantUpdates(this.draft, this.saved, this.currency);
    const money = moneyErrors(this.draft, this.currency, t('form.amount'));
    const errors = new Map(money);
    if (body) {
      const r = UpdateProductBody.safeParse(body);
      if (!r.success) for (const [k, v] of zodErrors(r.error)) errors.set(k, v);
    }
    for (const v of variants) {
      const r = UpdateVariantBody.safeParse(v.body);
      if (!r.success)
        for (const [k, m] of zodErrors(r.error, `variants.${v.index}`)) errors.set(k, m);
    }
    if (!this.validate({ success: true }, errors)) return;
    this.run('app.saving', async () => {
      const draft = this.draft;
      if (body) await this.write('', { method: 'PATCH', body });
      for (const v of variants) {
        try {
          await this.write(`/variants/${encodeURIComponent(v.id)}`, {
            method: 'PATCH',
            body: v.body,
          });
        } catch (err) {
          // The server names a variant's fields from the variant; the form names them by row.
          if (err instanceof ApiError && err.fields.length)
            throw new ApiError(err.status, err.code, {
              ...err.problem,
              errors: err.fields.map((f) => ({ ...f, field: `variants.${v.index}.${f.field}` })),
            });
          throw err;
        }
      }
      // What was typed and not sent (nothing, on success) stays as typed.
      if (!body && !variants.length) this.draft = draft;
      this.errors = new Map();
      this.notice = 'app.saved';
      this.revision++;
    });
  }

  private handleArchive() {
    const archived = this.loaded?.product.status === 'archived';
    this.run('app.saving', async () => {
      await this.write('', { method: 'PATCH', body: { status: archived ? 'active' : 'archived' } });
      this.notice = 'app.saved';
      this.revision++;
    });
  }

  private handleReload() {
    if (this.loaded) this.load(this.loaded.product.id);
  }

  private async uploadImage(file: File, alt: string) {
    const form = new FormData();
    form.set('file', file);
    if (alt) form.set('alt', alt);
    const draft = await this.write('/images', { method: 'POST', form });
    // The new image joins what was being edited; the rest of the draft is kept as typed.
    const added = this.loaded!.product.images.at(-1);
    if (added) this.draft = { ...draft, images: [...draft.images, { ...added }] };
    this.saved = { ...this.saved };
  }

  private async uploadFile(file: File) {
    await this.write(`/file?name=${encodeURIComponent(file.name)}`, { method: 'PUT', raw: file });
  }

  private handleImagePicked(e: Event) {
    const inputEl = e.target as HTMLInputElement;
    const file = inputEl.files?.[0];
    inputEl.value = '';
    if (!file) return;
    if (!this.loaded) {
      this.pendingImages = [
        ...this.pendingImages,
        { file, alt: '', preview: URL.createObjectURL(file) },
      ];
      return;
    }
    this.run(
      'product.uploading',
      async () => {
        await this.uploadImage(file, '');
        this.errors = new Map();
        this.revision++;
      },
      'file',
    );
  }

  private handleFilePicked(e: Event) {
    const inputEl = e.target as HTMLInputElement;
    const file = inputEl.files?.[0];
    inputEl.value = '';
    if (!file) return;
    if (!this.loaded) {
      this.pendingFile = file;
      return;
    }
    this.run(
      'product.uploading',
      async () => {
        const draft = this.draft;
        await this.uploadFile(file);
        this.draft = draft;
        this.errors = new Map();
      },
      'name',
    );
  }

  protected override render() {
    if (this.notFound) return html`<bip-not-found></bip-not-found>`;
    if (this.productId && !this.loaded && !this.errors.size)
      return html`<h1 tabindex="-1">${t('product.newTitle')}</h1>
        <p role="status">${t('app.loading')}</p>`;
    const p = this.loaded?.product;
    return html`<div class="page-head">
        <h1 tabindex="-1">
          ${p ? t('product.editTitle', { title: p.title }) : t('product.newTitle')}
        </h1>
        ${
          p
            ? html`<a class="button secondary" href=${href({ page: 'share', id: p.id })}
              >${t('products.shareButton')}</a
            >`
            : nothing
        }
      </div>
      ${this.renderStatus()}
      <div class="editor">
        <form @submit=${this.handleSubmit} novalidate class="grow">
          ${detailsFieldset(this.fields)} ${optionsFieldset(this.fields)} ${variantsFieldset(this.fields)}
          ${this.renderImages()} ${this.draft.kind === 'digital' ? this.renderFile() : nothing}
          <div class="actions">
            <button type="submit" ?disabled=${Boolean(this.busy) || this.stale}>
              ${p ? t('product.save') : t('product.create')}
            </button>
            ${
              p
                ? html`<button type="button" class="secondary" ?disabled=${Boolean(this.busy) || this.stale} @click=${this.handleArchive}>
                  ${p.status === 'archived' ? t('product.unarchive') : t('product.archive')}
                </button>`
                : nothing
            }
          </div>
        </form>
        ${this.renderPreview()}
      </div>`;
  }

  private renderStatus(): TemplateResult {
    const general = this.errors.get('(body)');
    const count = this.errors.size - (general ? 1 : 0);
    return html`${
      this.stale
        ? html`<div class="stale" id="stale" role="alert" tabindex="-1">
            <p>${t('product.stale')}</p>
            <button type="button" @click=${this.handleReload}>${t('product.reload')}</button>
          </div>`
        : nothing
    }
      ${general ? html`<p class="form-error" role="alert" tabindex="-1">${general}</p>` : nothing}
      ${count > 0 && !general ? html`<p class="form-error" role="alert">${t('app.fixErrors', { count })}</p>` : nothing}
      ${this.loaded?.product.status === 'archived' ? html`<p class="note">${t('product.archived')}</p>` : nothing}
      <p role="status" class="notice">${this.renderNotice()}</p>`;
  }

  private renderNotice() {
    const key = this.busy || this.notice;
    return key ? t(key) : '';
  }

  /** What the details, options and variants fieldsets read and change. */
  private get fields(): ProductFieldsContext {
    return {
      draft: this.draft,
      errors: this.errors,
      locked: Boolean(this.loaded),
      currency: this.currency,
      set: (patch) => this.set(patch),
      setOptions: (options) => this.setOptions(options),
      setVariant: (i, patch) => this.setVariant(i, patch),
    };
  }

  private renderImages() {
    const d = this.draft;
    return html`<fieldset>
      <legend>${t('product.images')}</legend>
      <ul class="images">
        ${d.images.map(
          (img, i) => html`<li>
            <img src=${img.url} alt="" width="96" height="96" />
            ${input({
              id: `p-image-${i}-alt`,
              label: t('product.imageAlt', { n: i + 1 }),
              value: img.alt,
              error: errorFor(this.errors, `images.${i}`),
              onInput: (v) => {
                const images = d.images.slice();
                images[i] = { ...img, alt: v };
                this.set({ images });
              },
            })}
            <button type="button" class="secondary" @click=${() => this.set({ images: d.images.filter((_, j) => j !== i) })}>
              ${t('product.removeImage', { n: i + 1 })}
            </button>
          </li>`,
        )}
        ${this.pendingImages.map(
          (p, i) => html`<li>
            <img src=${p.preview} alt="" width="96" height="96" />
            ${input({
              id: `p-pending-${i}-alt`,
              label: t('product.imageAlt', { n: d.images.length + i + 1 }),
              value: p.alt,
              onInput: (v) => {
                const list = this.pendingImages.slice();
                list[i] = { ...p, alt: v };
                this.pendingImages = list;
              },
            })}
            <button type="button" class="secondary" @click=${() => {
              URL.revokeObjectURL(p.preview);
              this.pendingImages = this.pendingImages.filter((_, j) => j !== i);
            }}>
              ${t('product.removeImage', { n: d.images.length + i + 1 })}
            </button>
          </li>`,
        )}
      </ul>
      ${field({
        id: 'p-image-upload',
        label: t('product.upload'),
        error: this.errors.get('file'),
        control: ({
          describedBy,
          invalid,
        }) => html`<input id="p-image-upload" type="file" accept="image/png,image/jpeg,image/webp,image/gif,image/avif"
          aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)} ?disabled=${Boolean(this.busy)} @change=${this.handleImagePicked} />`,
      })}
    </fieldset>`;
  }

  private renderFile() {
    const has = this.loaded?.product.hasFile;
    return html`<fieldset>
      <legend>${t('product.file')}</legend>
      <p>${this.pendingFile ? this.pendingFile.name : has ? t('product.fileKept') : t('product.fileNone')}</p>
      ${field({
        id: 'p-file',
        label: t('product.uploadFile'),
        error: this.errors.get('name'),
        control: ({
          describedBy,
          invalid,
        }) => html`<input id="p-file" type="file" aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
          ?disabled=${Boolean(this.busy)} @change=${this.handleFilePicked} />`,
      })}
    </fieldset>`;
  }

  private renderPreview() {
    const p = this.loaded?.product;
    return html`<aside class="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">${t('product.preview')}</h2>
      ${
        p
          ? html`<p class="help">${t('product.previewHelp')}</p>
            <bip-preview .productId=${p.id} .endpoint=${this.session?.endpoint ?? location.origin} .revision=${this.revision}></bip-preview>`
          : html`<p class="help">${t('product.previewSave')}</p>`
      }
    </aside>`;
  }
}
