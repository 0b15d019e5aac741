/**
 * Random traffic for the property and fault tests: actions are plain data that fast-check
 * generates and shrinks, and {@link Traffic} sends them to a real server over HTTP, checking
 * each answer as it comes (never a 5xx, problem+json with a known code, the documented body on
 * success, no answer for a request that should not have one).
 *
 * Actions name checkouts, products and orders by index ("the third checkout this run made") so
 * the same data replays the same run on any server, and a shrunk failure stays meaningful.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  CreateFulfillmentBody,
  CreateProductBody,
  Order,
  OrderList,
  Product,
  ProductBatch,
  SellerProduct,
  SellerSettings,
  UpdateCheckoutBody,
  UpdateProductBody,
  UpdateSellerBody,
  UpdateVariantBody,
  VariantInput,
} from '../../src/protocol/index.ts';
import {
  applyMutation,
  arbitraryFor,
  type Mutation,
  mutation,
  PROTOTYPE_NAMES,
} from './arbitraries.ts';
import { answerProblem } from './invariants.ts';

// ---------------------------------------------------------------------------------------------
// Actions

/** A known thing by index (modulo how many there are), or a literal id (unknown, odd, hostile). */
export type Ref = number | string;
/** Which credential goes with a checkout call. */
export type TokenChoice = 'own' | 'none' | 'other' | 'garbage' | 'seller';
export type KeyChoice = 'fresh' | 'none' | 'malformed' | { reuse: number };
export type SellerKeyChoice = 'own' | 'none' | 'garbage' | 'other';

type Body = Record<string, unknown>;

export type Action =
  | { kind: 'batch'; ids: Ref[] }
  | { kind: 'product'; id: Ref }
  | {
      kind: 'create';
      product: Ref;
      variant: Ref;
      body: Body;
      mutation: Mutation | null;
      key: KeyChoice;
      origin: 'none' | 'allowed' | 'foreign';
    }
  | {
      kind: 'patch';
      checkout: Ref;
      token: TokenChoice;
      variant: Ref;
      body: Body;
      mutation: Mutation | null;
      key: KeyChoice;
    }
  | { kind: 'get'; checkout: Ref; token: TokenChoice }
  | {
      kind: 'confirm';
      checkout: Ref;
      token: TokenChoice;
      body: Body;
      mutation: Mutation | null;
      key: KeyChoice;
    }
  | { kind: 'cancel'; checkout: Ref; token: TokenChoice; key: KeyChoice }
  /** The same request again, byte for byte, with its Idempotency-Key: the same answer. */
  | { kind: 'replay'; of: number }
  | {
      kind: 'seller';
      op: SellerOp;
      key: SellerKeyChoice;
      product: Ref;
      variant: Ref;
      order: Ref;
      body: Body;
      mutation: Mutation | null;
      query: string;
    }
  | { kind: 'odd'; method: string; path: string; body: string | null; contentType: string | null }
  /** A body over the 64 KiB limit: 413 before anything reads it. */
  | { kind: 'oversized'; route: number; bytes: number }
  | { kind: 'advance'; minutes: number }
  /** Up to four actions at once: double clicks, a change racing a payment, two tabs. */
  | { kind: 'burst'; actions: Action[] };

export const SELLER_OPS = [
  'me',
  'updateMe',
  'products',
  'createProduct',
  'product',
  'updateProduct',
  'addVariant',
  'updateVariant',
  'orders',
  'order',
  'fulfill',
  'deliveries',
] as const;
export type SellerOp = (typeof SELLER_OPS)[number];

/**
 * The highest price the random traffic sets: 99 units of it, with shipping and tax, stay within
 * the protocol's Money maximum (10^10 minor units). Higher prices make totals the documented
 * Checkout shape cannot hold — a defect with a test of its own (properties.test.ts).
 */
export const MAX_PRICE = 10_000_000;
const price = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 20_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_PRICE }) },
);

const COUNTRIES = ['US', 'FR', 'GB', 'DE', 'JP', 'LB'];
/** Mostly where the run's seller ships (US, Europe), sometimes not (JP, LB, any code). */
const country = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('US', 'FR', 'GB', 'DE') },
  { weight: 1, arbitrary: fc.constantFrom('JP', 'LB') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{2}$/) },
);
const quantity = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) },
);
/** The test provider's cards: successes, each decline, bad numbers. */
const CARDS = [
  '4242424242424242',
  '4242 4242 4242 4242',
  '5555-5555-5555-4444',
  '4000000000000002',
  '4000000000009995',
  '4000000000000069',
  '4000000000000119',
  '4242424242424241',
  '79927398713',
  '0000000000000000',
];

const ref: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 12, arbitrary: fc.nat() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'chk_doesnotexist',
      'nope',
      ...PROTOTYPE_NAMES,
      'a'.repeat(65),
      '-dash',
      'x y',
      '..',
      '%2e%2e',
      'file',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/) },
);
const token = fc.oneof(
  { weight: 12, arbitrary: fc.constant<TokenChoice>('own') },
  { weight: 1, arbitrary: fc.constantFrom<TokenChoice>('none', 'other', 'garbage', 'seller') },
);
const key = fc.oneof(
  { weight: 10, arbitrary: fc.constant<KeyChoice>('fresh') },
  { weight: 2, arbitrary: fc.constant<KeyChoice>('none') },
  { weight: 1, arbitrary: fc.constant<KeyChoice>('malformed') },
  { weight: 1, arbitrary: fc.record({ reuse: fc.nat() }) },
);
/** One body in five is mutated: most requests must be valid to reach the deeper states. */
const maybeMutation = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: mutation },
);

const address = {
  'shippingAddress.country': country,
  'shippingPreview.country': country,
};
const createBody = arbitraryFor<Body>(CreateCheckoutBody, {
  overrides: { quantity, ...address },
});
const updateBody = arbitraryFor<Body>(UpdateCheckoutBody, { overrides: { quantity, ...address } });
const confirmBody = arbitraryFor<Body>(ConfirmCheckoutBody, {
  overrides: {
    payment: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.record({
          provider: fc.constant('test'),
          // half of the attempts with a card that pays, so runs reach paid checkouts
          card: fc.oneof(fc.constantFrom(...CARDS.slice(0, 3)), fc.constantFrom(...CARDS)),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ provider: 'stripe' }) },
    ),
  },
});

/**
 * A product whose variants pick one value of each option (the catalogue refuses anything
 * else), so product creation succeeds often enough to feed later checkouts.
 */
const productBody = arbitraryFor<Body>(CreateProductBody, {
  overrides: {
    'variants.*.stock': fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
    'variants.*.price': price,
  },
}).map((p) => {
  const options = (p.options as { name: string; values: string[] }[] | undefined) ?? [];
  const variants = (p.variants as Body[]).map((v, i) => {
    const picked: Record<string, string> = {};
    let n = i;
    for (const o of options) {
      picked[o.name] = o.values[n % o.values.length]!;
      n = Math.floor(n / o.values.length);
    }
    const { id: _id, ...rest } = v; // ids are the server's (or the run's): no collisions
    return { ...rest, options: picked };
  });
  const { id: _id, ...rest } = p;
  return { ...rest, variants };
});
const sellerBodies: Record<SellerOp, fc.Arbitrary<Body>> = {
  me: fc.constant({}),
  updateMe: arbitraryFor<Body>(UpdateSellerBody, {
    overrides: {
      // No deliveries to addresses the test does not run (this machine has no internet).
      webhookUrl: fc.constant(null),
      'shippingZones.*.countries': fc.subarray(COUNTRIES, { minLength: 1 }),
      'shippingZones.*.rate': fc.integer({ min: 0, max: 5_000 }),
      'taxRates.*.country': country,
    },
  }),
  products: fc.constant({}),
  createProduct: productBody,
  product: fc.constant({}),
  updateProduct: arbitraryFor<Body>(UpdateProductBody),
  addVariant: arbitraryFor<Body>(VariantInput, {
    overrides: { id: fc.constant(undefined), price },
  }).map(({ id: _id, ...v }) => v),
  updateVariant: arbitraryFor<Body>(UpdateVariantBody, {
    overrides: {
      stock: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(null), fc.nat()),
      price,
    },
  }),
  orders: fc.constant({}),
  order: fc.constant({}),
  fulfill: arbitraryFor<Body>(CreateFulfillmentBody),
  deliveries: fc.constant({}),
};
const sellerQuery = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    'status=paid',
    'status=fulfilled',
    'limit=1',
    'limit=0',
    'limit=101',
    'limit=abc',
    'since=2026-01-01T00:00:00Z',
    'since=yesterday',
    'cursor=bm9wZQ',
    'cursor=%00',
    '__proto__=1',
    'status=paid&status=fulfilled',
  ),
);

/** Requests that no route documents: they must still be answered cleanly. */
const ODD_PATHS = [
  '/checkouts',
  '/checkouts/file',
  '/checkouts/__proto__/confirm',
  '/products/',
  '/products/constructor',
  '/products?ids=',
  '/products?ids=a,,b,%00',
  '/products?ids=__proto__,constructor',
  '/seller/products/x/file?name=a.txt',
  '/seller/orders?limit=-1',
  '/nope',
  '/health',
  '/openapi.json',
  '/downloads/x.y.z',
  '/downloads/eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  '/webhooks/stripe',
];

/** Routes that take a body, for the oversized action (`{c}` is a known checkout). */
export const BODY_ROUTES: [string, string][] = [
  ['POST', '/checkouts'],
  ['PATCH', '/checkouts/{c}'],
  ['POST', '/checkouts/{c}/confirm'],
  ['PATCH', '/seller/me'],
  ['POST', '/seller/products'],
  ['PATCH', '/seller/products/{p}'],
  ['POST', '/seller/products/{p}/variants'],
];

const createAction = fc.record({
  kind: fc.constant('create' as const),
  product: ref,
  variant: ref,
  body: createBody,
  mutation: maybeMutation,
  key,
  origin: fc.oneof(
    { weight: 8, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constantFrom('allowed' as const, 'foreign' as const) },
  ),
});

const simpleAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: createAction },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('patch' as const),
      checkout: ref,
      token,
      variant: ref,
      body: updateBody,
      mutation: maybeMutation,
      key,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), checkout: ref, token }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('confirm' as const),
      checkout: ref,
      token,
      body: confirmBody,
      mutation: maybeMutation,
      key,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), checkout: ref, token, key }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), of: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      ids: fc.array(ref, { minLength: 0, maxLength: 55 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('product' as const), id: ref }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...SELLER_OPS).chain((op) =>
      fc.record({
        kind: fc.constant('seller' as const),
        op: fc.constant(op),
        key: fc.oneof(
          { weight: 10, arbitrary: fc.constant<SellerKeyChoice>('own') },
          { weight: 1, arbitrary: fc.constantFrom<SellerKeyChoice>('none', 'garbage', 'other') },
        ),
        product: ref,
        variant: ref,
        order: ref,
        body: sellerBodies[op],
        mutation: maybeMutation,
        query: sellerQuery,
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('odd' as const),
      method: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'),
      path: fc.constantFrom(...ODD_PATHS),
      body: fc.option(fc.constantFrom('{}', '{"a":1}', 'not json', ''), { nil: null }),
      contentType: fc.option(
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/merge-patch+json',
          'application/json; charset=utf-16',
          'multipart/form-data; boundary=x',
        ),
        { nil: null },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oversized' as const),
      route: fc.nat(),
      bytes: fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      minutes: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 14, max: 20 })),
    }),
  },
);

/** One action, or a burst of them sent at once. */
export const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: simpleAction },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      actions: fc.array(simpleAction, { minLength: 2, maxLength: 4 }),
    }),
  },
);

/**
 * A run: a few checkouts first (so the actions after them mostly find one to work on), then
 * anything, in any order.
 */
export const runArbitrary: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.array(createAction, { minLength: 1, maxLength: 3 }),
    // 'medium': long runs are common (fast-check's default size keeps arrays under ~10)
    fc.array(actionArbitrary, { minLength: 0, maxLength: 30, size: 'medium' }),
  )
  .map(([first, rest]) => [...first, ...rest]);

/** The products a run starts with: stock small enough that runs sell out. */
export const catalogueArbitrary = fc.record({
  teeStock: fc.tuple(
    fc.option(fc.integer({ min: 0, max: 12 }), { nil: null, freq: 6 }),
    fc.option(fc.integer({ min: 0, max: 12 }), { nil: null, freq: 6 }),
  ),
  // See MAX_PRICE.
  price: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, MAX_PRICE) },
  ),
  downloadStock: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
});
export type CatalogueSpec = typeof catalogueArbitrary extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Sending

export interface KnownProduct {
  id: string;
  variants: string[];
}

interface KnownCheckout {
  id: string;
  token: string;
  productId: string;
}

interface Sent {
  method: string;
  path: string;
  text: string | undefined;
  headers: Record<string, string>;
  status: number;
  body: unknown;
}

export interface Answer {
  status: number;
  contentType: string | null;
  body: any;
}

export interface TrafficOptions {
  url: string;
  sellerKey: string;
  /** Another seller's key: it must see none of this seller's things. */
  otherSellerKey: string;
  /** An origin the seller allows, for the Origin header. */
  allowedOrigin: string;
  products: KnownProduct[];
  /** Moves the server's clock (a property run), when the server has one the test controls. */
  advance?: (ms: number) => void;
  /** Fault tests: a 5xx is honest while the database is away (still problem+json). */
  allow5xx?: boolean;
  /** Per-request timeout; a hang is a failure too. */
  timeoutMs?: number;
  /** Called after each answer (a fault test kills the server after the n-th). */
  onAnswer?: () => void;
}

/**
 * Sends a request on a connection of its own, closed after it. For bodies the server refuses
 * before reading them: it answers early and drops the rest of the connection (@hono/node-server
 * stops draining after 500 ms), so a kept-alive socket shared with other requests would fail
 * them with "other side closed" — noise unrelated to what they test. An answer that arrives
 * before the connection drops counts even if sending the rest of the body then fails.
 */
export function sendOnOwnConnection(
  url: string,
  method: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    let answered = false;
    const req = httpRequest(
      url,
      { method, agent: false, headers: { ...headers, Connection: 'close' } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const finish = () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = raw;
          try {
            parsed = raw ? JSON.parse(raw) : null;
          } catch {}
          done({
            status: res.statusCode ?? 0,
            contentType: (res.headers['content-type'] as string | undefined) ?? null,
            body: parsed,
          });
        };
        res.on('end', finish);
        res.on('error', finish);
        res.on('close', finish);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!answered) done({ status: 0, contentType: null, body: `no answer (${err.code})` });
    });
    req.end(body);
  });
}

const newKey = () => `key-${randomBytes(12).toString('hex')}`;
const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length ? list[n % list.length] : undefined;
/**
 * True when the protocol's schema refuses the body as the server reads it: UTF-8 decoding (the
 * Fetch standard's, which Request.json() uses) drops a leading byte order mark first.
 */
const schemaRefuses = (schema: { safeParse(v: unknown): { success: boolean } }, text: string) => {
  try {
    return !schema.safeParse(JSON.parse(text.replace(/^\uFEFF/, ''))).success;
  } catch {
    return true;
  }
};

/** The answer each route documents on success, to parse 2xx bodies with. */
const SELLER_ANSWERS: Record<SellerOp, { safeParse(v: unknown): { success: boolean } }> = {
  me: SellerSettings,
  updateMe: SellerSettings,
  products: {
    safeParse: (v) => ({
      success:
        Array.isArray((v as Body)?.products) &&
        ((v as Body).products as unknown[]).every((p) => SellerProduct.safeParse(p).success),
    }),
  },
  createProduct: SellerProduct,
  product: SellerProduct,
  updateProduct: SellerProduct,
  addVariant: SellerProduct,
  updateVariant: SellerProduct,
  orders: OrderList,
  order: Order,
  fulfill: Order,
  deliveries: { safeParse: (v) => ({ success: Array.isArray((v as Body)?.deliveries) }) },
};

/** Sends actions to one server for one seller, checking every answer; see the module comment. */
export class Traffic {
  readonly products: KnownProduct[];
  readonly checkouts: KnownCheckout[] = [];
  readonly orders: string[] = [];
  /** Checkouts a confirm answered 200 "paid" for: each must be exactly one order. */
  readonly paid = new Set<string>();
  readonly failures: string[] = [];
  requests = 0;
  /** How often each route answered each status and code: what the run actually exercised. */
  readonly outcomes = new Map<string, number>();
  private readonly keyed: Sent[] = [];
  private readonly keys: string[] = [];

  constructor(private readonly o: TrafficOptions) {
    this.products = [...o.products];
  }

  async run(a: Action): Promise<void> {
    switch (a.kind) {
      case 'burst':
        await Promise.all(a.actions.map((x) => this.run(x)));
        return;
      case 'advance':
        this.o.advance?.(a.minutes * 60_000);
        return;
      case 'batch':
        return this.batch(a.ids);
      case 'product': {
        const res = await this.send('GET', `/products/${this.productId(a.id)}`);
        this.expectBody(res, 200, Product, 'GET /products/{id}');
        return;
      }
      case 'create':
        return this.create(a);
      case 'patch':
        return this.patch(a);
      case 'get': {
        const c = this.checkout(a.checkout, a.token);
        const res = await this.send('GET', `/checkouts/${c.path}`, undefined, c.headers);
        this.expectCheckout(res, 200, c, 'GET /checkouts/{id}');
        return;
      }
      case 'confirm':
        return this.confirm(a);
      case 'cancel': {
        const c = this.checkout(a.checkout, a.token);
        const res = await this.send('DELETE', `/checkouts/${c.path}`, undefined, {
          ...c.headers,
          ...this.key(a.key),
        });
        this.expectCheckout(res, 200, c, 'DELETE /checkouts/{id}');
        return;
      }
      case 'replay':
        return this.replay(a.of);
      case 'seller':
        return this.seller(a);
      case 'odd': {
        const headers: Record<string, string> = a.contentType
          ? { 'Content-Type': a.contentType }
          : {};
        const body = a.method === 'GET' || a.method === 'HEAD' ? undefined : (a.body ?? undefined);
        await this.send(a.method, a.path, body, headers);
        return;
      }
      case 'oversized':
        return this.oversized(a.route, a.bytes);
    }
  }

  // ---- buyers ------------------------------------------------------------------------------

  private async batch(ids: Ref[]) {
    const list = ids.map((id) => this.productId(id)).join(',');
    const res = await this.send('GET', `/products?ids=${list}`);
    this.expectBody(res, 200, ProductBatch, 'GET /products');
  }

  private async create(a: Extract<Action, { kind: 'create' }>) {
    const body: Body = { ...a.body };
    if (typeof a.product === 'number' && this.products.length) {
      const p = pick(this.products, a.product)!;
      body.productId = p.id;
      body.variantId = typeof a.variant === 'number' ? pick(p.variants, a.variant) : a.variant;
    } else if (typeof a.product === 'string') {
      body.productId = a.product;
    }
    const text = a.mutation ? applyMutation(body, a.mutation) : JSON.stringify(body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...this.key(a.key),
    };
    if (a.origin === 'allowed') headers.Origin = this.o.allowedOrigin;
    if (a.origin === 'foreign') headers.Origin = 'https://evil.example';
    const res = await this.send('POST', '/checkouts', text, headers);
    if (res.status === 201) {
      if (a.mutation && schemaRefuses(CreateCheckoutBody, text))
        this.fail('POST /checkouts', text, res, 'accepted a body the schema refuses');
      if (a.key === 'none')
        this.fail('POST /checkouts', text, res, 'created without an Idempotency-Key');
      if (a.origin === 'foreign')
        this.fail('POST /checkouts', text, res, 'created from an origin the seller does not allow');
      if (this.checkCheckout(res, 'POST /checkouts'))
        this.checkouts.push({
          id: res.body.id,
          token: res.body.clientToken,
          productId: res.body.productId,
        });
    } else if (res.status < 300) {
      this.fail('POST /checkouts', text, res, 'a success other than 201');
    }
  }

  private async patch(a: Extract<Action, { kind: 'patch' }>) {
    const c = this.checkout(a.checkout, a.token);
    const body: Body = { ...a.body };
    if ('variantId' in body && typeof a.variant === 'number' && c.own) {
      const product = this.products.find((p) => p.id === c.own?.productId);
      if (product) body.variantId = pick(product.variants, a.variant);
    }
    const text = a.mutation ? applyMutation(body, a.mutation) : JSON.stringify(body);
    const res = await this.send('PATCH', `/checkouts/${c.path}`, text, {
      ...c.headers,
      'Content-Type': 'application/json',
      ...this.key(a.key),
    });
    if (res.status < 300 && a.mutation && schemaRefuses(UpdateCheckoutBody, text))
      this.fail('PATCH /checkouts/{id}', text, res, 'accepted a body the schema refuses');
    this.expectCheckout(res, 200, c, 'PATCH /checkouts/{id}');
  }

  private async confirm(a: Extract<Action, { kind: 'confirm' }>) {
    const c = this.checkout(a.checkout, a.token);
    const text = a.mutation ? applyMutation(a.body, a.mutation) : JSON.stringify(a.body);
    const res = await this.send('POST', `/checkouts/${c.path}/confirm`, text, {
      ...c.headers,
      'Content-Type': 'application/json',
      ...this.key(a.key),
    });
    if (res.status < 300 && a.mutation && schemaRefuses(ConfirmCheckoutBody, text))
      this.fail('POST /checkouts/{id}/confirm', text, res, 'accepted a body the schema refuses');
    if (this.expectCheckout(res, 200, c, 'POST /checkouts/{id}/confirm')) {
      if (res.body.status === 'paid') {
        this.paid.add(res.body.id);
        if (res.body.order?.id && !this.orders.includes(res.body.order.id))
          this.orders.push(res.body.order.id);
        else if (!res.body.order)
          this.fail('POST /checkouts/{id}/confirm', text, res, 'paid without an order');
      }
    }
  }

  private async replay(of: number) {
    const first = pick(this.keyed, of);
    if (!first) return;
    const res = await this.send(first.method, first.path, first.text, first.headers, false);
    const settled =
      first.status > 0 &&
      first.status < 500 &&
      !(first.status === 409 && (first.body as Body)?.code === 'idempotency_in_progress');
    if (!settled) return;
    const what = `replay of ${first.method} ${first.path}`;
    if (res.status !== first.status)
      this.fail(what, first.text, res, `answered ${res.status}, the first time ${first.status}`);
    else if (res.status < 300 && res.body?.id !== (first.body as Body)?.id)
      this.fail(what, first.text, res, 'answered with another object than the first time');
  }

  /** An over-limit body: refused with 413 whatever the route, token or content. */
  private async oversized(route: number, bytes: number) {
    const [method, template] = pick(BODY_ROUTES, route)!;
    const c = pick(this.checkouts, route) ?? { id: 'chk_x', token: 'x' };
    const p = this.products.length ? pick(this.products, route)!.id : 'p';
    const path = template.replace('{c}', c.id).replace('{p}', p);
    const auth = path.startsWith('/seller') ? this.o.sellerKey : c.token;
    const text = JSON.stringify({ padding: 'x'.repeat(bytes) });
    this.requests++;
    const res = await sendOnOwnConnection(`${this.o.url}/v1${path}`, method, text, {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${auth}`,
      'Idempotency-Key': newKey(),
    });
    this.count(method, path, res.status, res.body?.code);
    const wrong = answerProblem({ method, path, ...res }, { allow5xx: this.o.allow5xx });
    if (wrong) this.fail(`${method} ${template}`, `(${text.length} bytes)`, res, wrong);
    else if (res.status !== 413 || res.body?.code !== 'payload_too_large')
      this.fail(
        `${method} ${template}`,
        `(${text.length} bytes)`,
        res,
        'an over-limit body not refused with 413',
      );
  }

  // ---- seller ------------------------------------------------------------------------------

  private async seller(a: Extract<Action, { kind: 'seller' }>) {
    const keys = {
      own: this.o.sellerKey,
      other: this.o.otherSellerKey,
      garbage: `bip_sk_${randomBytes(16).toString('hex')}`,
      none: null,
    };
    const k = keys[a.key];
    const product = typeof a.product === 'number' ? pick(this.products, a.product) : undefined;
    const pid = product?.id ?? this.productId(a.product);
    const vid =
      product && typeof a.variant === 'number'
        ? pick(product.variants, a.variant)!
        : encodeURIComponent(String(a.variant));
    const oid =
      typeof a.order === 'number'
        ? (pick(this.orders, a.order) ?? 'ord_none')
        : encodeURIComponent(a.order);
    const routes: Record<SellerOp, [string, string, boolean]> = {
      me: ['GET', '/seller/me', false],
      updateMe: ['PATCH', '/seller/me', true],
      products: ['GET', '/seller/products', false],
      createProduct: ['POST', '/seller/products', true],
      product: ['GET', `/seller/products/${pid}`, false],
      updateProduct: ['PATCH', `/seller/products/${pid}`, true],
      addVariant: ['POST', `/seller/products/${pid}/variants`, true],
      updateVariant: ['PATCH', `/seller/products/${pid}/variants/${vid}`, true],
      orders: ['GET', `/seller/orders${a.query ? `?${a.query}` : ''}`, false],
      order: ['GET', `/seller/orders/${oid}`, false],
      fulfill: ['POST', `/seller/orders/${oid}/fulfillments`, true],
      deliveries: ['GET', `/seller/webhook-deliveries${a.query ? `?${a.query}` : ''}`, false],
    };
    const [method, path, hasBody] = routes[a.op];
    const text = hasBody
      ? a.mutation
        ? applyMutation(a.body, a.mutation)
        : JSON.stringify(a.body)
      : undefined;
    const headers: Record<string, string> = hasBody ? { 'Content-Type': 'application/json' } : {};
    if (k) headers.Authorization = `Bearer ${k}`;
    const res = await this.send(method, path, text, headers);
    const what = `${method} ${path.replace(/\/seller\/(\w+)\/[^/?]+/, '/seller/$1/{id}')}`;
    if (res.status >= 300) return;
    if (a.key !== 'own') {
      // The other seller may read its own settings and lists; never this seller's things.
      const ownThing =
        a.op !== 'me' &&
        a.op !== 'updateMe' &&
        a.op !== 'products' &&
        a.op !== 'orders' &&
        a.op !== 'deliveries' &&
        a.op !== 'createProduct';
      if (a.key !== 'other' || ownThing)
        this.fail(
          what,
          text,
          res,
          `answered ${res.status} to ${a.key === 'other' ? "another seller's key" : `a ${a.key} key`}`,
        );
      return;
    }
    if (!SELLER_ANSWERS[a.op].safeParse(res.body).success)
      this.fail(what, text, res, 'a success body that is not the documented shape');
    if (a.op === 'createProduct' && res.status === 201) {
      this.products.push({
        id: res.body.id,
        variants: res.body.variants.map((v: { id: string }) => v.id),
      });
    }
    if (a.op === 'addVariant' && res.status === 201 && product) {
      product.variants = res.body.variants.map((v: { id: string }) => v.id);
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private productId(r: Ref): string {
    if (typeof r === 'number') return pick(this.products, r)?.id ?? 'none';
    return encodeURIComponent(r);
  }

  /** Resolves a checkout reference and the credential the action chose for it. */
  private checkout(r: Ref, t: TokenChoice) {
    const own = typeof r === 'number' ? pick(this.checkouts, r) : undefined;
    const path = own ? own.id : typeof r === 'number' ? 'chk_none' : encodeURIComponent(r);
    let credential: string | null = null;
    if (t === 'own') credential = own?.token ?? `ct_${randomBytes(8).toString('hex')}`;
    if (t === 'other') {
      const others = this.checkouts.filter((c) => c !== own);
      credential = pick(others, typeof r === 'number' ? r : 0)?.token ?? 'ct_other';
    }
    if (t === 'garbage') credential = `ct_${randomBytes(24).toString('base64url')}`;
    if (t === 'seller') credential = this.o.sellerKey;
    const headers: Record<string, string> = credential
      ? { Authorization: `Bearer ${credential}` }
      : {};
    /** `entitled`: the request carries the checkout's own token; only then may it succeed. */
    return { path, headers, own, entitled: own !== undefined && t === 'own' };
  }

  private key(choice: KeyChoice): Record<string, string> {
    if (choice === 'none') return {};
    if (choice === 'malformed') return { 'Idempotency-Key': 'short' };
    if (choice === 'fresh' || !this.keys.length) {
      const k = newKey();
      this.keys.push(k);
      return { 'Idempotency-Key': k };
    }
    return { 'Idempotency-Key': pick(this.keys, choice.reuse)! };
  }

  /** Checks a checkout answer: the documented body, and only for the holder of its token. */
  private expectCheckout(
    res: Answer,
    ok: number,
    c: ReturnType<Traffic['checkout']>,
    what: string,
  ): boolean {
    if (res.status >= 300) return false;
    if (!c.entitled) {
      this.fail(what, undefined, res, `answered ${res.status} without the checkout's own token`);
      return false;
    }
    if (res.status !== ok) this.fail(what, undefined, res, `a success other than ${ok}`);
    return this.checkCheckout(res, what);
  }

  private checkCheckout(res: Answer, what: string): boolean {
    const parsed = Checkout.safeParse(res.body);
    if (!parsed.success) {
      this.fail(what, undefined, res, 'a success body that is not a Checkout');
      return false;
    }
    const { totals, unitPrice, quantity } = parsed.data;
    const sum = totals.subtotal.amount + (totals.shipping?.amount ?? 0) + totals.tax.amount;
    if (totals.total.amount !== sum || unitPrice.amount * quantity !== totals.subtotal.amount)
      this.fail(what, undefined, res, 'totals that do not add up');
    return true;
  }

  private expectBody(
    res: Answer,
    ok: number,
    schema: { safeParse(v: unknown): { success: boolean } },
    what: string,
  ) {
    if (res.status >= 300) return;
    if (res.status !== ok) this.fail(what, undefined, res, `a success other than ${ok}`);
    else if (!schema.safeParse(res.body).success)
      this.fail(what, undefined, res, 'a success body that is not the documented shape');
  }

  private fail(what: string, sent: string | undefined, res: Answer, why: string) {
    const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    this.failures.push(
      `${what}: ${why} — sent ${sent?.slice(0, 200) ?? '(no body)'} — got ${res.status} ${body?.slice(0, 300)}`,
    );
  }

  private count(method: string, path: string, status: number, code: string | undefined) {
    const route = path
      .replace(/\?.*/, '')
      .replace(/\/(checkouts|orders)\/[^/]+/, '/$1/{id}')
      .replace(/\/products\/[^/]+/, '/products/{id}')
      .replace(/\/variants\/[^/]+/, '/variants/{id}');
    const k = `${method} ${route} ${status}${code ? ` ${code}` : ''}`;
    this.outcomes.set(k, (this.outcomes.get(k) ?? 0) + 1);
  }

  /** One request; every answer is checked against the HTTP invariants here. */
  async send(
    method: string,
    path: string,
    text?: string,
    headers: Record<string, string> = {},
    record = true,
  ): Promise<Answer> {
    this.requests++;

    let res: Response;
    try {
      res = await fetch(`${this.o.url}/v1${path}`, {
        method,
        headers,
        ...(text !== undefined ? { body: text } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const answer = {
        status: 0,
        contentType: null,
        body: `${String(err)} (${cause?.code ?? ''} ${cause?.message ?? ''})`,
      };
      this.count(method, path, 0, cause?.code ?? 'error');
      if (!this.o.allow5xx) this.fail(`${method} ${path}`, text, answer, 'no answer');
      return answer;
    }
    const raw = await res.text().catch((err) => `(body cut: ${err})`);
    this.o.onAnswer?.();
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {}
    const answer = { status: res.status, contentType: res.headers.get('Content-Type'), body };
    this.count(method, path, res.status, (body as Body | null)?.code as string | undefined);
    const wrong = answerProblem({ method, path, ...answer }, { allow5xx: this.o.allow5xx });
    if (wrong) this.fail(`${method} ${path}`, text, answer, wrong);
    if (record && headers['Idempotency-Key'] && method !== 'GET')
      this.keyed.push({ method, path, text, headers, status: answer.status, body });
    return answer;
  }
}
