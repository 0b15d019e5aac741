/**
 * fast-check arbitraries derived from the protocol's zod schemas (server/src/protocol), so the
 * property tests send what the protocol allows — and, mutated, what it does not — without a
 * hand-kept copy of each body that would drift from the schemas.
 *
 * The walker reads zod 4's public definition objects (`schema._zod.def`) for the kinds the
 * protocol uses: object (strict or not), string (length, regex, email and URL formats), number
 * (integer, bounds), boolean, enum, literal, optional, nullable, default, pipe/transform (the
 * `text()` helper trims and normalises, then checks), array, record and discriminated union.
 * Every generated value is finally checked with the schema itself, so a kind the walker reads
 * loosely can only cost a filtered value, never an invalid "valid" body.
 */
import fc from 'fast-check';

/** zod 4's definition object (`_zod.def`): untyped here, read by `type` and checks. */
type Def = { type: string; [key: string]: any };
interface ZodLike {
  safeParse(value: unknown): { success: boolean };
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

export interface SchemaArbitraryOptions {
  /**
   * Arbitraries used instead of the schema's, by dotted path: `shippingAddress.country`;
   * array elements and record values are `*` (`variants.*.options`).
   */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Strings are mostly at most this long (now and then up to the schema's maximum). */
  shortStrings?: number;
  /** Arrays are at most this long when the schema allows more. */
  maxItems?: number;
}

interface Bounds {
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  int: boolean;
  pattern?: RegExp;
  format?: string;
}

function boundsOf(def: Def): Bounds {
  const b: Bounds = { int: false };
  if (def.format) b.format = def.format;
  if (def.pattern) b.pattern = def.pattern;
  for (const check of def.checks ?? []) {
    const c = defOf(check);
    switch (c.check) {
      case 'min_length':
        b.minLength = Math.max(b.minLength ?? 0, c.minimum);
        break;
      case 'max_length':
        b.maxLength = Math.min(b.maxLength ?? Number.POSITIVE_INFINITY, c.maximum);
        break;
      case 'length_equals':
        b.minLength = c.length;
        b.maxLength = c.length;
        break;
      case 'greater_than':
        b.min = c.inclusive ? c.value : c.value + 1;
        break;
      case 'less_than':
        b.max = c.inclusive ? c.value : c.value - 1;
        break;
      case 'number_format':
        if (/int/.test(c.format)) b.int = true;
        break;
      case 'string_format':
        b.format = c.format;
        if (c.pattern) b.pattern = c.pattern;
        break;
    }
  }
  return b;
}

/**
 * Printable text as people type it: mostly ASCII, with Latin accents, Arabic (the project's
 * second language), CJK, emoji (surrogate pairs) and combining marks mixed in.
 */
function textArbitrary(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('é', 'ß', 'Ø', 'ñ', 'ç', 'Å') },
    { weight: 2, arbitrary: fc.constantFrom('م', 'ر', 'ح', 'ب', 'ا', '؟', '٣') },
    { weight: 1, arbitrary: fc.constantFrom('東', '京', '한', '글') },
    { weight: 1, arbitrary: fc.constantFrom('🎸', '👩‍🎤', '🇱🇧', 'e\u0301', '\u200d', '\u202e') },
  );
  return fc.string({ unit, minLength, maxLength });
}

function stringArbitrary(b: Bounds, short: number): fc.Arbitrary<string> {
  const min = b.minLength ?? 0;
  const max = b.maxLength ?? 10_000;
  const fits = (s: string) => s.length >= min && s.length <= max;
  if (b.format === 'email') {
    return fc
      .stringMatching(
        /^[a-z0-9]([a-z0-9._+-]{0,14}[a-z0-9])?@[a-z0-9]{1,10}\.(com|org|fr|lb|example)$/,
      )
      .filter(fits);
  }
  if (b.format === 'url') {
    return fc
      .tuple(
        fc.constantFrom('https', 'http'),
        fc.domain(),
        fc.webPath(),
        fc.option(fc.webQueryParameters(), { nil: undefined }),
      )
      .map(([scheme, host, path, query]) => `${scheme}://${host}${path}${query ? `?${query}` : ''}`)
      .filter(fits);
  }
  if (b.pattern) return fc.stringMatching(b.pattern).filter(fits);
  const shortMax = Math.max(min, Math.min(max, short));
  if (shortMax === max) return textArbitrary(min, max);
  return fc.oneof(
    { weight: 12, arbitrary: textArbitrary(min, shortMax) },
    // now and then close to the limit: where off-by-one and storage limits hide
    { weight: 1, arbitrary: textArbitrary(Math.max(min, max - 3), max) },
  );
}

function numberArbitrary(b: Bounds): fc.Arbitrary<number> {
  if (b.int) {
    return fc.integer({
      min: Math.max(b.min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
      max: Math.min(b.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    });
  }
  return fc.double({
    min: b.min ?? -1e12,
    max: b.max ?? 1e12,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

function walk(
  schema: unknown,
  path: string[],
  opts: Required<SchemaArbitraryOptions>,
): fc.Arbitrary<unknown> {
  const override = opts.overrides[path.join('.')];
  if (override) return override;
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
        const inner = defOf(value);
        // optional and defaulted keys may be absent: the server must fill the default in
        if (inner.type !== 'optional' && inner.type !== 'default') required.push(key);
        model[key] = walk(value, [...path, key], opts);
      }
      return fc.record(model, { requiredKeys: required });
    }
    case 'optional':
    case 'default':
    case 'prefault':
      return walk(def.innerType, path, opts);
    case 'nullable':
      return fc.option(walk(def.innerType, path, opts), { nil: null, freq: 6 });
    case 'pipe': {
      // `a.transform(f)` is pipe(a, transform): generate for `a`. `x.pipe(y)` checks `y`
      // last: generate for `y` (the final word on what is accepted).
      const out = defOf(def.out);
      return walk(out.type === 'transform' ? def.in : def.out, path, opts);
    }
    case 'string':
      return stringArbitrary(boundsOf(def), opts.shortStrings);
    case 'number':
      return numberArbitrary(boundsOf(def));
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'array': {
      const b = boundsOf(def);
      const minLength = b.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(b.maxLength ?? opts.maxItems, opts.maxItems));
      return fc.array(walk(def.element, [...path, '*'], opts), { minLength, maxLength });
    }
    case 'record':
      return fc.dictionary(
        walk(def.keyType, [...path, '(key)'], opts) as fc.Arbitrary<string>,
        walk(def.valueType, [...path, '*'], opts),
        { maxKeys: 3 },
      );
    case 'union':
      return fc.oneof(
        ...(def.options as unknown[]).map((o): fc.Arbitrary<unknown> => walk(o, path, opts)),
      );
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`arbitraries: no generator for zod type "${def.type}" at ${path.join('.')}`);
  }
}

/** Values the schema accepts, generated from its definition (see the module comment). */
export function arbitraryFor<T = unknown>(
  schema: ZodLike,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<T> {
  const opts: Required<SchemaArbitraryOptions> = {
    overrides: options.overrides ?? {},
    shortStrings: options.shortStrings ?? 24,
    maxItems: options.maxItems ?? 4,
  };
  return walk(schema, [], opts).filter(
    (v: unknown) => schema.safeParse(v).success,
  ) as fc.Arbitrary<T>;
}

// ---------------------------------------------------------------------------------------------
// Mutations: a valid body made invalid in one place, described as data so fast-check can shrink
// it and a failure prints what was sent.

/** Names that are special on JavaScript objects: as keys they must be data, nothing more. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'then',
] as const;

/** Values that break naive code: wrong types, limits, control characters, injections. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0,
      1.5,
      -99,
      100,
      2 ** 31,
      2 ** 53 + 2,
      1e21,
      -1e308,
      1e308,
      '',
      ' ',
      '   \t',
      'x'.repeat(5_000),
      '\u0000',
      'bell\u0007',
      '\u001b[31mred',
      'nel\u0085',
      'line\nbreak',
      '\u202egnp.exe',
      '\ud800',
      'lone \udc00 low',
      '<script>alert(1)</script>',
      "' OR 1=1; DROP TABLE checkouts; --",
      '../../etc/passwd',
      '%00',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe
      '${7*7}',
      '1',
      'NaN',
      'Infinity',
      ...PROTOTYPE_NAMES,
      [],
      {},
      [1, 2, 3],
      JSON.parse('{"__proto__": {"polluted": true}}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

export type Mutation =
  /** Delete the key at the `at`-th path. */
  | { op: 'remove'; at: number }
  /** Replace the value at the `at`-th path. */
  | { op: 'replace'; at: number; value: unknown }
  /** Add an own property (may be `__proto__`) to the `at`-th object. */
  | { op: 'addKey'; at: number; key: string; value: unknown }
  /** Control characters, or a very long run, inserted into the `at`-th string. */
  | { op: 'corruptString'; at: number; insert: string }
  /** The whole body replaced by this text (not even JSON, perhaps). */
  | { op: 'raw'; text: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), at: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('replace' as const),
      at: fc.nat(),
      value: hostileValue,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 10 })),
      value: hostileValue,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('corruptString' as const),
      at: fc.nat(),
      insert: fc.constantFrom(
        '\u0000',
        '\u0008',
        '\r\n',
        '\u001f',
        '\u007f',
        '\u009b',
        '\ud83d',
        ' '.repeat(300),
        'ü'.repeat(3_000),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('raw' as const),
      text: fc.oneof(
        fc.constantFrom(
          '',
          'null',
          '[]',
          '"x"',
          '42',
          '{',
          '{"a":1,}',
          "{'a':1}",
          'NaN',
          '{"quantity": 1e999}',
          '{"quantity": 1, "quantity": "two"}',
          '\uFEFF{}',
          `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
          `{"a":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`,
        ),
        fc.string({ maxLength: 40 }),
      ),
    }),
  },
);

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container | null;
  key: string | number | null;
  value: unknown;
}

/** Every place in a JSON value, the root first, in a stable order. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: null, key: null, value: root }];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        out.push({ parent: value, key: i, value: v });
        visit(v);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        out.push({ parent: value as Record<string, unknown>, key: k, value: v });
        visit(v);
      }
    }
  };
  visit(root);
  return out;
}

/** Sets an own, enumerable property, even one called `__proto__` (JSON.stringify then sends it). */
function setOwn(target: Container, key: string | number, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Applies a mutation to a copy of `body`; returns the JSON text to send. The copy comes from
 * JSON.parse, so a key named `__proto__` stays an own property all the way to the wire.
 */
export function applyMutation(body: unknown, m: Mutation): string {
  if (m.op === 'raw') return m.text;
  const copy: unknown = JSON.parse(JSON.stringify(body ?? {}));
  const all = slots(copy);
  const pick = (candidates: Slot[]) => candidates[m.at % candidates.length];
  switch (m.op) {
    case 'remove': {
      const s = pick(all.filter((x) => x.parent !== null));
      if (s?.parent) {
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete s.parent[s.key as string];
      }
      return JSON.stringify(copy);
    }
    case 'replace': {
      const s = pick(all)!;
      if (!s.parent) return JSON.stringify(m.value);
      setOwn(s.parent, s.key!, m.value);
      return JSON.stringify(copy);
    }
    case 'addKey': {
      const objects = all.filter(
        (x) => x.value !== null && typeof x.value === 'object' && !Array.isArray(x.value),
      );
      const s = pick(objects);
      if (s) setOwn(s.value as Container, m.key, m.value);
      return JSON.stringify(copy);
    }
    case 'corruptString': {
      const strings = all.filter((x) => typeof x.value === 'string' && x.parent);
      const s = pick(strings);
      if (s?.parent) {
        const v = s.value as string;
        const at = m.at % (v.length + 1);
        setOwn(s.parent, s.key!, v.slice(0, at) + m.insert + v.slice(at));
      }
      return JSON.stringify(copy);
    }
  }
}
