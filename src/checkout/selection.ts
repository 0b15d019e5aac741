import type { Product, Variant } from '../internal/types.ts';

/*
 * Which variant a choice of options means, and which choices can be made: pure functions over
 * the product as the endpoint described it (re-exported by machine.ts).
 */

/**
 * The value chosen for option `name`: own properties only, so an option the seller called
 * `constructor` or `toString` is not "chosen" by every object's prototype.
 */
export function optionValue(options: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(options, name) ? options[name] : undefined;
}

/** The variant matching a selection, or null when the combination does not exist. */
export function variantFor(product: Product, options: Record<string, string>): Variant | null {
  return (
    product.variants.find((v) =>
      product.options.every((o) => optionValue(v.options, o.name) === optionValue(options, o.name)),
    ) ?? null
  );
}

/**
 * Why a value of the option at `index` cannot be chosen, judged against the options before it
 * (cascading: the first option is judged alone, the second with the first, …), or null.
 */
export function unavailability(
  product: Product,
  options: Record<string, string>,
  index: number,
  value: string,
): 'not-made' | 'sold-out' | null {
  const fixed = product.options.slice(0, index).map((o) => o.name);
  const name = product.options[index]!.name;
  const matching = product.variants.filter(
    (v) =>
      optionValue(v.options, name) === value &&
      fixed.every((n) => optionValue(v.options, n) === optionValue(options, n)),
  );
  if (matching.length === 0) return 'not-made';
  return matching.some((v) => v.maxQuantity > 0) ? null : 'sold-out';
}

/**
 * Sets one option; when that leaves no purchasable variant, the later options move to the
 * first combination that can be bought, so every variant in stock stays one press away.
 */
export function selectOption(
  product: Product,
  options: Record<string, string>,
  name: string,
  value: string,
): Record<string, string> {
  const next = { ...options, [name]: value };
  const current = variantFor(product, next);
  if (current && current.maxQuantity > 0) return next;
  const index = product.options.findIndex((o) => o.name === name);
  const fixed = product.options.slice(0, index + 1).map((o) => o.name);
  const candidate = product.variants.find(
    (v) =>
      v.maxQuantity > 0 && fixed.every((n) => optionValue(v.options, n) === optionValue(next, n)),
  );
  return candidate ? { ...candidate.options } : next;
}

/** The quantity bounded by what the variant allows (at least 1, so the field never empties). */
export function clampQuantity(q: number, variant: Variant | null): number {
  const max = Math.max(1, variant?.maxQuantity ?? 1);
  return Math.min(Math.max(1, Math.floor(q) || 1), max);
}
