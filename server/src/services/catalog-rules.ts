/** What a product's options and variants must satisfy, checked before anything is stored. */
import type { FieldError } from '../protocol/common.ts';
import type { CreateProductBody, VariantInput } from '../protocol/seller.ts';

/**
 * Whether `picked` (a variant's options) names a value for every option. Own keys only:
 * `name in picked` also finds what every object inherits (`constructor`, `toString`…), which
 * let a variant leave such an option out (issue 12, defect 9).
 */
export function picksEveryOption(
  options: readonly { name: string }[],
  picked: Readonly<Record<string, string>>,
): boolean {
  return options.every((o) => Object.hasOwn(picked, o.name));
}

/** Checks that each variant picks exactly one listed value of every option, and no two collide. */
export function checkVariants(
  options: CreateProductBody['options'],
  variants: VariantInput[],
  offset = 0,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    const at = `variants.${i + offset}.options`;
    for (const [name, value] of Object.entries(v.options)) {
      const option = options.find((o) => o.name === name);
      if (!option)
        errors.push({
          field: `${at}.${name}`,
          message: `"${name}" is not an option of this product`,
        });
      else if (!option.values.includes(value))
        errors.push({ field: `${at}.${name}`, message: `"${value}" is not a value of ${name}` });
    }
    for (const o of options) {
      if (!picksEveryOption([o], v.options))
        errors.push({ field: `${at}.${o.name}`, message: `a value for ${o.name} is required` });
    }
    const key = JSON.stringify(
      options.map((o) => (Object.hasOwn(v.options, o.name) ? v.options[o.name] : null)),
    );
    if (seen.has(key)) errors.push({ field: at, message: 'another variant has the same options' });
    seen.add(key);
  });
  // A "__proto__" key is lost whenever an object is filled by assignment (zod's records do), so
  // no variant could ever carry a value for such an option.
  options.forEach((o, i) => {
    if (o.name === '__proto__')
      errors.push({ field: `options.${i}.name`, message: '"__proto__" cannot name an option' });
  });
  const names = options.map((o) => o.name);
  if (new Set(names).size !== names.length)
    errors.push({ field: 'options', message: 'option names must be unique' });
  return errors;
}

/**
 * The product versions an `If-Match` header accepts: undefined without the header (no
 * precondition), null-free list otherwise — `*` accepts any version, an unknown tag none.
 * Weak tags (`W/"v3"`) are compared as strong: a product's versions are exact.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    const m = /^\s*(?:W\/)?"v(\d{1,15})"\s*$/.exec(tag);
    if (m) versions.push(Number(m[1]));
  }
  return versions;
}
