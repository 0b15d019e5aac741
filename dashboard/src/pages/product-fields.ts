// The product editor's first three fieldsets — details, options, variants with their prices and
// stock — as functions of the draft, its errors and its setters. The page (product-edit.ts) keeps
// the state, the uploads and the saves.
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { type Errors, errorFor, field, input } from '../forms.ts';
import { t } from '../i18n.ts';
import { comboKey, type ProductDraft, splitValues, type VariantDraft } from '../product-draft.ts';

export interface ProductFieldsContext {
  draft: ProductDraft;
  errors: Errors;
  /** The product exists: its kind and options can no longer change. */
  locked: boolean;
  currency: string;
  set(patch: Partial<ProductDraft>): void;
  setOptions(options: ProductDraft['options']): void;
  setVariant(index: number, patch: Partial<VariantDraft>): void;
}

export function detailsFieldset(c: ProductFieldsContext): TemplateResult {
  const d = c.draft;
  const err = (k: string) => errorFor(c.errors, k);
  return html`<fieldset>
    <legend>${t('product.details')}</legend>
    ${input({ id: 'p-title', label: t('product.titleField'), required: true, value: d.title, error: err('title'), onInput: (v) => c.set({ title: v }) })}
    ${field({
      id: 'p-description',
      label: t('product.description'),
      error: err('description'),
      control: ({ describedBy, invalid }) =>
        html`<textarea id="p-description" rows="4" .value=${d.description} aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
          @input=${(e: Event) => c.set({ description: (e.target as HTMLTextAreaElement).value })}></textarea>`,
    })}
    ${field({
      id: 'p-kind',
      label: t('product.kind'),
      error: err('kind'),
      control: ({ describedBy, invalid }) =>
        html`<select id="p-kind" ?disabled=${c.locked} aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
          @change=${(e: Event) => c.set({ kind: (e.target as HTMLSelectElement).value as ProductDraft['kind'] })}>
          <option value="physical" ?selected=${d.kind === 'physical'}>${t('product.kind.physical')}</option>
          <option value="digital" ?selected=${d.kind === 'digital'}>${t('product.kind.digital')}</option>
        </select>`,
    })}
    ${input({ id: 'p-url', label: t('product.url'), type: 'url', value: d.url, error: err('url'), onInput: (v) => c.set({ url: v }) })}
    ${input({ id: 'p-max', label: t('product.maxPerCheckout'), inputmode: 'numeric', value: d.maxPerCheckout, error: err('maxPerCheckout'), onInput: (v) => c.set({ maxPerCheckout: v }) })}
  </fieldset>`;
}

export function optionsFieldset(c: ProductFieldsContext): TemplateResult {
  const d = c.draft;
  const locked = c.locked;
  return html`<fieldset>
    <legend>${t('product.options')}</legend>
    <p class="help">${locked ? t('product.optionsLocked') : t('product.optionsHelp')}</p>
    ${d.options.map((o, i) => {
      const n = i + 1;
      const update = (patch: Partial<typeof o>) => {
        const options = d.options.slice();
        options[i] = { ...o, ...patch };
        c.setOptions(options);
      };
      return html`<div class="row">
        ${field({
          id: `p-option-${i}-name`,
          label: t('product.optionName', { n }),
          error: errorFor(c.errors, `options.${i}.name`),
          control: ({
            describedBy,
            invalid,
          }) => html`<input id="p-option-${i}-name" .value=${o.name} ?readonly=${locked}
            aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
            @input=${(e: Event) => update({ name: (e.target as HTMLInputElement).value })} />`,
        })}
        ${field({
          id: `p-option-${i}-values`,
          label: t('product.optionValues', { n }),
          error: errorFor(c.errors, `options.${i}.values`),
          control: ({
            describedBy,
            invalid,
          }) => html`<input id="p-option-${i}-values" .value=${o.values} ?readonly=${locked}
            aria-describedby=${ifDefined(describedBy)} aria-invalid=${ifDefined(invalid)}
            @input=${(e: Event) => update({ values: (e.target as HTMLInputElement).value })} />`,
        })}
        ${
          locked
            ? nothing
            : html`<button type="button" class="secondary" @click=${() => c.setOptions(d.options.filter((_, j) => j !== i))}>
              ${t('product.removeOption', { n })}
            </button>`
        }
      </div>`;
    })}
    ${
      !locked && d.options.length < 3
        ? html`<button type="button" class="secondary" @click=${() => c.setOptions([...d.options, { name: '', values: '' }])}>
          ${t('product.addOption')}
        </button>`
        : nothing
    }
  </fieldset>`;
}

export function variantsFieldset(c: ProductFieldsContext): TemplateResult {
  const d = c.draft;
  const named = d.options.filter((o) => o.name.trim() && splitValues(o.values).length);
  return html`<fieldset>
    <legend>${t('product.variants')}</legend>
    ${d.variants.map((v, i) => {
      const label = named.length
        ? named.map((o) => v.options[o.name.trim()] ?? '').join(' / ')
        : t('product.default');
      const err = (k: string) => errorFor(c.errors, `variants.${i}.${k}`);
      return html`<div class="variant" role="group" aria-labelledby="p-v-${i}-label" data-variant=${comboKey(named, v.options)}>
        <p class="variant-label" id="p-v-${i}-label">${label}</p>
        <div class="row">
          ${input({ id: `p-v-${i}-price`, label: t('product.price', { currency: c.currency }), inputmode: 'decimal', required: true, value: v.price, error: err('price'), onInput: (x) => c.setVariant(i, { price: x }) })}
          ${input({ id: `p-v-${i}-compare`, label: t('product.compareAt'), inputmode: 'decimal', value: v.compareAt, error: err('compareAtPrice'), onInput: (x) => c.setVariant(i, { compareAt: x }) })}
          ${input({ id: `p-v-${i}-stock`, label: t('product.stock'), inputmode: 'numeric', value: v.stock, help: t('product.stockHelp'), error: err('stock'), onInput: (x) => c.setVariant(i, { stock: x }) })}
          ${input({ id: `p-v-${i}-sku`, label: t('product.sku'), value: v.sku, error: err('sku'), onInput: (x) => c.setVariant(i, { sku: x }) })}
        </div>
        ${
          v.id
            ? html`<label class="check"><input type="checkbox" .checked=${v.archived}
              @change=${(e: Event) => c.setVariant(i, { archived: (e.target as HTMLInputElement).checked })} />
              ${t('product.archiveVariant')}</label>`
            : nothing
        }
      </div>`;
    })}
  </fieldset>`;
}
