/**
 * Product pages (`GET /p/{id}`, `/p/{id}/{slug}`): what a seller shares and what the element's
 * fallback link opens — server-rendered (product-page-html.ts), readable without JavaScript,
 * under a strict Content-Security-Policy. With Stripe, a visitor without JavaScript still buys:
 * `POST /p/{id}/buy` is a plain form post that makes a checkout paid on Stripe's hosted page and
 * answers 303 to it. Also `/element/*`: the built element, for the pages and oEmbed snippets,
 * unless a CDN serves it (`BIP_ELEMENT_SCRIPT_URL`). docs/protocol.md, "Product pages".
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Config } from '../config.ts';
import { fieldErrorsFromZod, statusOf, toProblem } from '../http/problem.ts';
import { rateUnitOf } from '../http/rate-limit.ts';
import type { Logger } from '../log.ts';
import { CreateCheckoutBody } from '../protocol/checkouts.ts';
import type { FieldError } from '../protocol/common.ts';
import type { Product } from '../protocol/products.ts';
import { RETURN_PARAMS } from '../protocol/rules.ts';
import { ServiceError } from '../services/errors.ts';
import type { Services } from '../services/index.ts';
import { productPageUrl, slugOf } from '../services/product-urls.ts';
import { notFoundPage, type PurchaseForm, productPage, STYLE_HASH } from './product-page-html.ts';

const ID = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';

/** A build file named by its content (`core-D98jU3IQ.js`): it never changes. */
const isHashed = (name: string) => /^[a-z]+-[A-Za-z0-9_-]{8}\.js(\.map)?$/.test(name);

/** Where the endpoint finds the built element: the installed package, else this repository's build. */
function findElementBuild(): string | null {
  const candidates: string[] = [];
  try {
    const pkg = createRequire(import.meta.url).resolve('buy-in-post/package.json');
    candidates.push(join(dirname(pkg), 'dist'));
  } catch {
    // not installed beside the server
  }
  candidates.push(fileURLToPath(new URL('../../../dist/', import.meta.url)));
  return candidates.find((d) => existsSync(join(d, 'buy-in-post.js'))) ?? null;
}

/**
 * The built element, served under `/element/`: looked for again until found (a build may come
 * after the server starts). The chunks carry a content hash in their names, never change, and
 * are kept in memory once read; the entries are read each time.
 */
class ElementBuild {
  private dir: string | null = null;
  private readonly files = new Map<string, Uint8Array<ArrayBuffer>>();
  private warned = false;

  constructor(private readonly log: Logger) {}

  available(): boolean {
    this.dir ??= findElementBuild();
    if (!this.dir && !this.warned) {
      this.warned = true;
      this.log.warn(
        'the element is not built (npm run build) and BIP_ELEMENT_SCRIPT_URL is not set: product pages load no script, and sell only through their no-JavaScript form',
      );
    }
    return this.dir !== null;
  }

  async read(name: string): Promise<Uint8Array<ArrayBuffer> | null> {
    if (!this.available()) return null;
    const kept = this.files.get(name);
    if (kept) return kept;
    try {
      const bytes = new Uint8Array(await readFile(join(this.dir!, name)));
      // Only a chunk named by its content is kept: an entry is read again, so a rebuild while
      // the server runs never leaves it naming chunks that are gone.
      if (isHashed(name)) this.files.set(name, bytes);
      return bytes;
    } catch {
      return null;
    }
  }
}

/** The element's script URL for pages and snippets, or null when there is none to load. */
export type ElementScript = () => string | null;

/** The script URL a page or an oEmbed snippet loads, given the configuration. */
function elementScript(config: Config, build: ElementBuild): ElementScript {
  return () =>
    config.elementScriptUrl ??
    (build.available() ? `${config.publicUrl}/element/buy-in-post.js` : null);
}

/** The origin of Stripe's hosted page: Stripe's, or the API double's in tests. */
function hostedPageOrigin(config: Config): string | null {
  const stripe = config.stripe;
  if (!stripe) return null;
  return stripe.api
    ? `${stripe.api.protocol}://${stripe.api.host}:${stripe.api.port}`
    : 'https://checkout.stripe.com';
}

const originOf = (url: string) => new URL(url).origin;

/**
 * The page's policy: no inline script at all (the JSON-LD is data, not run), the one style sheet
 * by its hash, images from the product's own image hosts, and a form that may only post here
 * (and follow the answer to Stripe's page — form-action covers that redirect). Stripe's sources
 * only when Stripe takes payments, for the element's payment step.
 */
function contentSecurityPolicy(config: Config, product: Product, script: string | null): string {
  const self = `'self' ${originOf(config.publicUrl)}`;
  const stripe = config.stripe ? ' https://js.stripe.com https://*.js.stripe.com' : '';
  const images = [...new Set(product.images.map((i) => originOf(i.url)))].join(' ');
  const hosted = hostedPageOrigin(config);
  return [
    "default-src 'none'",
    `script-src ${self}${script ? ` ${originOf(script)}` : ''}${stripe}`,
    `style-src ${STYLE_HASH}`,
    `img-src ${self} ${images}${config.stripe ? ' https://*.stripe.com' : ''}`.trim(),
    `connect-src ${self}${config.stripe ? ' https://api.stripe.com' : ''}`,
    `frame-src${config.stripe ? `${stripe} https://hooks.stripe.com` : " 'none'"}`,
    `form-action ${self}${hosted ? ` ${hosted}` : ''}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The fields of the no-JavaScript form, with the names the checkout's rules give them. */
const FIELD_NAMES: Record<string, string> = {
  variantId: 'Choice',
  quantity: 'Quantity',
  email: 'Email',
  'shippingAddress.name': 'Full name',
  'shippingAddress.line1': 'Address',
  'shippingAddress.line2': 'Apartment, suite',
  'shippingAddress.city': 'City',
  'shippingAddress.region': 'State or region',
  'shippingAddress.postalCode': 'Postal code',
  'shippingAddress.country': 'Country',
};

const named = (errors: FieldError[]): FieldError[] =>
  errors.map((e) => ({ ...e, field: FIELD_NAMES[e.field] ?? 'Form' }));

/** What one form field says, trimmed; undefined when left empty. */
function formValue(form: Record<string, unknown>, name: string): string | undefined {
  const v = form[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export interface ProductPageDeps {
  config: Config;
  log: Logger;
  /** The checkout creation rate limit (the same count as `POST /v1/checkouts`). */
  limit: MiddlewareHandler;
  /** Who a request is (http/client-ip.ts). */
  clientKey: (c: Context) => string;
}

export function productPageRoutes(services: Services, deps: ProductPageDeps) {
  const { config } = deps;
  const app = new Hono();
  const build = new ElementBuild(deps.log.child({ scope: 'product-pages' }));
  const script = elementScript(config, build);
  // Stripe's hosted page is the only way to pay without running the element.
  const sellsWithoutJs = services.payments.name === 'stripe';

  /** An active product, or null (unknown or archived): the look-ups' kept answers. */
  async function product(id: string): Promise<Product | null> {
    try {
      const answer = await services.catalog.lookups.lookUpOne(id, { fresh: false });
      return JSON.parse(Buffer.from(answer.body).toString('utf8')) as Product;
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') return null;
      throw err;
    }
  }

  function page(c: Context, p: Product, status: ContentfulStatusCode, form: PurchaseForm | null) {
    const canonical = productPageUrl(config.publicUrl, p.id, p.title);
    const returned = c.req.query(RETURN_PARAMS.result);
    const src = script();
    const body = productPage({
      product: p,
      canonical,
      oembed: `${config.publicUrl}/v1/oembed?url=${encodeURIComponent(canonical)}&format=json`,
      endpoint: config.publicUrl,
      script: src,
      form,
      returned: returned === 'done' || returned === 'canceled' ? returned : null,
    });
    return c.html(body, status, {
      'Content-Security-Policy': contentSecurityPolicy(config, p, src),
      // A page with a form carries a nonce of its own: never shared by a cache. Without one,
      // link previews and readers may share a minute-old copy.
      'Cache-Control': form
        ? 'private, no-cache'
        : 'public, max-age=60, stale-while-revalidate=600',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
    });
  }

  const missing = (c: Context) =>
    c.html(notFoundPage(), 404, {
      'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; frame-ancestors 'none'`,
      'Cache-Control': 'public, max-age=60',
    });

  const newForm = (id: string): PurchaseForm => ({
    action: `${config.publicUrl}/p/${id}/buy`,
    nonce: randomUUID(),
    values: {},
    errors: [],
  });

  async function show(c: Context) {
    const id = c.req.param('id')!;
    const p = await product(id);
    if (!p) return missing(c);
    // One address per product: any other spelling (no slug, an old title's) moves there.
    const slug = slugOf(p.title);
    const asked = c.req.param('slug');
    if ((asked ?? '') !== slug) {
      const search = new URL(c.req.url).search;
      return c.redirect(`${productPageUrl(config.publicUrl, p.id, p.title)}${search}`, 301);
    }
    return page(c, p, 200, sellsWithoutJs && p.available ? newForm(p.id) : null);
  }

  app.get(`/p/:id{${ID}}`, show);
  app.get(`/p/:id{${ID}}/`, show);
  app.get(`/p/:id{${ID}}/:slug`, show);

  if (sellsWithoutJs) {
    app.post(
      `/p/:id{${ID}}/buy`,
      bodyLimit({
        maxSize: 16 * 1024,
        onError: () => {
          throw new ServiceError('payload_too_large', 'The form is limited to 16 kB');
        },
      }),
      deps.limit,
      async (c) => {
        const p = await product(c.req.param('id')!);
        if (!p) return missing(c);
        const form = await c.req.parseBody();
        const values = Object.fromEntries(
          Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
        const nonce = formValue(form, 'nonce') ?? '';
        // Shown again with what was typed. A refusal the key now stands for needs a new one.
        const again = (errors: FieldError[], status: ContentfulStatusCode, sameKey: boolean) =>
          page(c, p, status, { ...newForm(p.id), ...(sameKey ? { nonce } : {}), values, errors });
        const canonical = productPageUrl(config.publicUrl, p.id, p.title);
        const address =
          p.kind === 'physical'
            ? {
                name: formValue(form, 'name') ?? '',
                line1: formValue(form, 'line1') ?? '',
                line2: formValue(form, 'line2'),
                city: formValue(form, 'city') ?? '',
                region: formValue(form, 'region'),
                postalCode: formValue(form, 'postalCode'),
                country: formValue(form, 'country') ?? '',
              }
            : undefined;
        const parsed = CreateCheckoutBody.safeParse(
          JSON.parse(
            JSON.stringify({
              productId: p.id,
              variantId: formValue(form, 'variant') ?? '',
              quantity: Number(formValue(form, 'quantity') ?? 'NaN'),
              email: formValue(form, 'email'),
              shippingAddress: address,
              postRef: canonical,
              paymentMode: 'hosted',
              returnUrl: canonical,
            }),
          ),
        );
        if (!parsed.success) return again(named(fieldErrorsFromZod(parsed.error)), 422, true);
        // The endpoint's own page is not a seller's site: its Origin says nothing about which
        // seller may sell there. A post from any other page is judged as the protocol's would be.
        const origin = c.req.header('Origin');
        const foreign = origin && origin !== originOf(config.publicUrl) ? origin : undefined;
        let answer: { status: number; body: unknown };
        try {
          answer = await services.idempotency.run(
            `POST /p/${p.id}/buy`,
            nonce,
            parsed.data,
            { required: true },
            async () => {
              try {
                const checkout = await services.checkouts.create(parsed.data, {
                  origin: foreign,
                  client: deps.clientKey(c),
                  rateUnit: rateUnitOf(c),
                });
                const url = checkout.payment.provider === 'redirect' ? checkout.payment.url : null;
                if (!url) throw new Error(`checkout ${checkout.id}: no hosted page to go to`);
                return { status: 303, body: { location: url } };
              } catch (err) {
                // A refusal (sold out, does not ship…) is the answer to this form: kept, so a
                // second press of the same form shows the same refusal.
                if (
                  err instanceof ServiceError &&
                  statusOf(err) < 500 &&
                  err.code !== 'rate_limited'
                )
                  return { status: statusOf(err), body: toProblem(err) };
                throw err;
              }
            },
          );
        } catch (err) {
          if (err instanceof ServiceError && statusOf(err) < 500 && err.code !== 'rate_limited')
            answer = { status: statusOf(err), body: toProblem(err) };
          else throw err;
        }
        if (answer.status === 303)
          return c.redirect((answer.body as { location: string }).location, 303);
        const problem = answer.body as { code: string; detail?: string; title: string };
        const errors = (answer.body as { errors?: FieldError[] }).errors;
        return again(
          errors?.length
            ? named(errors)
            : [{ field: 'Form', message: problem.detail ?? problem.title, code: problem.code }],
          answer.status as ContentfulStatusCode,
          false,
        );
      },
    );
  }

  app.get('/element/:file{[A-Za-z0-9_.-]+\\.js(\\.map)?}', async (c) => {
    if (config.elementScriptUrl) return c.notFound();
    const name = c.req.param('file');
    const bytes = await build.read(name);
    if (!bytes) return c.notFound();
    const hashed = isHashed(name);
    return c.body(bytes, 200, {
      'Content-Type': name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      // oEmbed snippets load it on other sites' pages: a module script is fetched with CORS.
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
  });

  return app;
}

/** What oembed.ts needs of the pages: the script a snippet loads. */
export function snippetScript(config: Config, log: Logger): ElementScript {
  return elementScript(config, new ElementBuild(log.child({ scope: 'oembed' })));
}
