// A product as its editor holds it (text as typed) and the request bodies made from it. Pure: no
// DOM, no network — the editor page (pages/product-edit.ts) owns those.
import type {
  CreateProductBody,
  SellerProduct,
  UpdateProductBody,
  UpdateVariantBody,
} from '../../server/src/protocol/seller.ts';
import { type Errors, fromMinor, toMinor } from './forms.ts';

export interface OptionDraft {
  name: string;
  /** Values as typed, comma separated ("S, M, L"). */
  values: string;
}

export interface VariantDraft {
  /** The server's id once the variant exists. */
  id?: string;
  options: Record<string, string>;
  price: string;
  compareAt: string;
  /** Empty: not tracked (unlimited). */
  stock: string;
  sku: string;
  archived: boolean;
}

export interface ImageDraft {
  url: string;
  alt: string;
}

export interface ProductDraft {
  title: string;
  description: string;
  url: string;
  kind: 'physical' | 'digital';
  options: OptionDraft[];
  variants: VariantDraft[];
  images: ImageDraft[];
  maxPerCheckout: string;
}

export function emptyDraft(): ProductDraft {
  return {
    title: '',
    description: '',
    url: '',
    kind: 'physical',
    options: [],
    variants: [emptyVariant({})],
    images: [],
    maxPerCheckout: '',
  };
}

function emptyVariant(options: Record<string, string>): VariantDraft {
  return { options, price: '', compareAt: '', stock: '', sku: '', archived: false };
}

export function draftFromProduct(p: SellerProduct): ProductDraft {
  return {
    title: p.title,
    description: p.description,
    url: p.url ?? '',
    kind: p.kind,
    options: p.options.map((o) => ({ name: o.name, values: o.values.join(', ') })),
    variants: p.variants.map((v) => ({
      id: v.id,
      options: { ...v.options },
      price: fromMinor(v.price.amount, v.price.currency),
      compareAt: v.compareAtPrice
        ? fromMinor(v.compareAtPrice.amount, v.compareAtPrice.currency)
        : '',
      stock: v.stock === null ? '' : String(v.stock),
      sku: v.sku ?? '',
      archived: v.status === 'archived',
    })),
    images: p.images.map((i) => ({ url: i.url, alt: i.alt })),
    maxPerCheckout: p.maxPerCheckout === null ? '' : String(p.maxPerCheckout),
  };
}

/** "S, M ,L," → ["S", "M", "L"] (blank and repeated values dropped). */
export function splitValues(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,،]/)
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/** A stable key for a variant's option values, in the options' order. */
export function comboKey(options: OptionDraft[], values: Record<string, string>): string {
  return JSON.stringify(options.map((o) => values[o.name.trim()] ?? ''));
}

/**
 * The variants a new product's options make (every combination), keeping what was typed for a
 * combination that already existed. No options: one variant.
 */
export function variantsFor(options: OptionDraft[], previous: VariantDraft[]): VariantDraft[] {
  const named = options.filter((o) => o.name.trim());
  let combos: Record<string, string>[] = [{}];
  for (const o of named) {
    const values = splitValues(o.values);
    if (!values.length) continue;
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [o.name.trim()]: v })));
  }
  const byKey = new Map(previous.map((v) => [comboKey(named, v.options), v]));
  // With no combinations yet, the first variant keeps what was typed for it.
  const first = previous[0];
  return combos.map((c, i) => {
    const kept =
      byKey.get(comboKey(named, c)) ?? (i === 0 && combos.length === 1 ? first : undefined);
    return kept ? { ...kept, options: c } : emptyVariant(c);
  });
}

/** Money fields that are not a number, by field path (zod would only say "expected number"). */
export function moneyErrors(d: ProductDraft, currency: string, message: string): Errors {
  const errors: Errors = new Map();
  d.variants.forEach((v, i) => {
    if (Number.isNaN(toMinor(v.price, currency))) errors.set(`variants.${i}.price`, message);
    if (v.compareAt.trim() && Number.isNaN(toMinor(v.compareAt, currency)))
      errors.set(`variants.${i}.compareAtPrice`, message);
  });
  return errors;
}

const optionalInt = (s: string) => (s.trim() === '' ? null : Number(s.trim()));

function variantFields(v: VariantDraft, currency: string) {
  return {
    sku: v.sku.trim() || null,
    price: toMinor(v.price, currency),
    compareAtPrice: v.compareAt.trim() ? toMinor(v.compareAt, currency) : null,
    stock: optionalInt(v.stock),
  };
}

/** The body of POST /v1/seller/products (checked by the caller with CreateProductBody). */
export function createBody(d: ProductDraft, currency: string): CreateProductBody {
  return {
    title: d.title,
    description: d.description,
    url: d.url.trim() || null,
    kind: d.kind,
    options: d.options
      .filter((o) => o.name.trim() || o.values.trim())
      .map((o) => ({ name: o.name, values: splitValues(o.values) })),
    images: d.images.map((i) => ({ url: i.url, alt: i.alt })),
    variants: d.variants.map((v) => ({ options: v.options, ...variantFields(v, currency) })),
    maxPerCheckout: optionalInt(d.maxPerCheckout),
  } as CreateProductBody;
}

/** The body of PATCH /v1/seller/products/{id}: only what changed (undefined: nothing did). */
export function updateBody(d: ProductDraft, was: ProductDraft): UpdateProductBody | undefined {
  const body: Record<string, unknown> = {};
  if (d.title !== was.title) body.title = d.title;
  if (d.description !== was.description) body.description = d.description;
  if (d.url !== was.url) body.url = d.url.trim() || null;
  if (JSON.stringify(d.images) !== JSON.stringify(was.images)) body.images = d.images;
  if (d.maxPerCheckout !== was.maxPerCheckout) body.maxPerCheckout = optionalInt(d.maxPerCheckout);
  return Object.keys(body).length ? (body as UpdateProductBody) : undefined;
}

/** The variants whose fields changed, with the PATCH body of each. */
export function variantUpdates(
  d: ProductDraft,
  was: ProductDraft,
  currency: string,
): { index: number; id: string; body: UpdateVariantBody }[] {
  const out: { index: number; id: string; body: UpdateVariantBody }[] = [];
  d.variants.forEach((v, index) => {
    const old = was.variants.find((o) => o.id === v.id);
    if (!v.id || !old) return;
    const now = variantFields(v, currency);
    const before = variantFields(old, currency);
    const body: Record<string, unknown> = {};
    for (const k of Object.keys(now) as (keyof typeof now)[])
      if (now[k] !== before[k]) body[k] = now[k];
    if (v.archived !== old.archived) body.status = v.archived ? 'archived' : 'active';
    if (Object.keys(body).length) out.push({ index, id: v.id, body: body as UpdateVariantBody });
  });
  return out;
}
