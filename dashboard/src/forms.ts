// What every form of the dashboard shares: the errors of one form by field path (from the
// server's zod schemas on the client, or from the server's problem+json), a labelled field
// with its error beside it, and money typed in major units.
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { ZodError } from 'zod';
import { ApiError, NetworkError } from './api.ts';
import { currencyDigits, problemMessage, t } from './i18n.ts';

/** Field path (`variants.0.price`, as the server names it) → message. */
export type Errors = Map<string, string>;

/** The issues of a failed `schema.safeParse()`, keyed as the server keys them. */
export function zodErrors(error: ZodError, prefix = ''): Errors {
  const out: Errors = new Map();
  for (const issue of error.issues) {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
    if (!out.has(path)) out.set(path, issue.message);
  }
  return out;
}

/** The field errors of a 422 (or the problem's own message under `(body)`). */
export function apiErrors(err: unknown): Errors {
  const out: Errors = new Map();
  if (err instanceof ApiError) {
    for (const f of err.fields) if (!out.has(f.field)) out.set(f.field, f.message);
    if (!out.size) out.set('(body)', problemMessage(err.code) ?? err.message);
  } else if (err instanceof NetworkError) {
    out.set('(body)', t('app.networkError'));
  } else {
    out.set('(body)', String((err as Error)?.message ?? err));
  }
  return out;
}

/** The first message for `path` or any field under it (`variants.0` covers `variants.0.price.amount`). */
export function errorFor(errors: Errors, path: string): string | undefined {
  if (errors.has(path)) return errors.get(path);
  for (const [k, v] of errors) if (k.startsWith(`${path}.`)) return v;
  return undefined;
}

export interface FieldOptions {
  id: string;
  label: string;
  error?: string | undefined;
  help?: string | undefined;
  /** The control; it must carry `id`, and gets `aria-describedby`/`aria-invalid` from `describe()`. */
  control: (a: { describedBy: string | undefined; invalid: 'true' | undefined }) => TemplateResult;
}

/** A label, its control, an optional help line, and the field's error right under it. */
export function field(o: FieldOptions): TemplateResult {
  const ids = [o.help ? `${o.id}-help` : '', o.error ? `${o.id}-error` : ''].filter(Boolean);
  return html`<div class="field ${o.error ? 'has-error' : ''}">
    <label for=${o.id}>${o.label}</label>
    ${o.control({
      describedBy: ids.length ? ids.join(' ') : undefined,
      invalid: o.error ? 'true' : undefined,
    })}
    ${o.help ? html`<p class="help" id="${o.id}-help">${o.help}</p>` : nothing}
    ${o.error ? html`<p class="error" id="${o.id}-error">${o.error}</p>` : nothing}
  </div>`;
}

/** A text-like input inside {@link field}. */
export function input(
  o: Omit<FieldOptions, 'control'> & {
    name?: string;
    value: string;
    type?: string;
    required?: boolean;
    autocomplete?: string;
    inputmode?: string;
    onInput?: (value: string) => void;
  },
): TemplateResult {
  return field({
    ...o,
    control: ({ describedBy, invalid }) =>
      html`<input
        id=${o.id}
        name=${ifDefined(o.name)}
        type=${o.type ?? 'text'}
        .value=${o.value}
        ?required=${o.required}
        autocomplete=${ifDefined(o.autocomplete)}
        inputmode=${ifDefined(o.inputmode)}
        aria-describedby=${ifDefined(describedBy)}
        aria-invalid=${ifDefined(invalid)}
        @input=${(e: Event) => o.onInput?.((e.target as HTMLInputElement).value)}
      />`,
  });
}

/** "25", "25.5", "25,50" (either decimal mark) → minor units; NaN when not a number. */
export function toMinor(text: string, currency: string): number {
  const clean = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(clean)) return Number.NaN;
  const digits = currencyDigits(currency);
  const [whole = '0', frac = ''] = clean.split('.');
  if (frac.length > digits) return Number.NaN;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
}

/** Minor units → the text a money field shows ("25.00"). */
export function fromMinor(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  return digits ? (amount / 10 ** digits).toFixed(digits) : String(amount);
}

/** Moves focus to the first field in error within `root`, so a keyboard user lands on it. */
export function focusFirstError(root: ParentNode): void {
  root.querySelector<HTMLElement>('[aria-invalid="true"], .form-error')?.focus();
}
