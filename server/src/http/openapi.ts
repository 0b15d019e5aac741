// ─── What every route must declare (issue 16) ───────────────────────────────────────────────
// The OpenAPI document is generated from the `createRoute({...})` of each route and is part of
// the protocol others implement; `npm test` lints it with Redocly's recommended ruleset (0 errors,
// 0 warnings: `npm run lint:openapi`) and the conformance kit validates answers against it. So
// every `createRoute({...})` declares:
//   - `operationId`: stable, camelCase, unique (`getProduct`, `createCheckout`): generated clients
//     name their methods after it, so never rename one within v1;
//   - `tags`: one of TAGS below (add yours there, with a description);
//   - `security`: `security.none` for public routes (explicitly empty), otherwise the scheme that
//     guards it (`security.clientToken`, `security.sellerKey`, `security.buyerSession`, …);
//   - a 4xx answer (`problem('…')`) and a 2xx answer;
//   - examples: on the zod schemas (`.openapi({ example })`) of bodies and parameters.
// A route that is being retired also says `...deprecatedOperation(…)` and is mounted behind the
// `deprecation(…)` middleware (http/deprecation.ts, docs/versioning.md).
// After changing a route or a protocol schema: `npm run openapi:write` refreshes the kit's copy
// of the document (conformance/openapi.json; `npm run lint:openapi` fails until it matches), and
// a change a v1 client would notice follows docs/versioning.md (additions only within v1).
// ────────────────────────────────────────────────────────────────────────────────────────────
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { Problem } from '../protocol/common.ts';
import { problemResponse, validationProblem } from './problem.ts';

/** A router whose validation failures come out as problem+json (422, per-field errors). */
export function router<E extends Env = Env>() {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const prefix = result.target === 'json' ? undefined : result.target;
        return problemResponse(c, validationProblem(result.error, prefix));
      }
    },
  });
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: Problem } },
  description,
});

export const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** The tags operations are grouped by (the document lists them in this order). */
export const TAGS = {
  Platform: 'Health and this document',
  Products: 'Product look-ups: what the element shows next to a post (public, cacheable)',
  Checkouts: 'A buyer’s checkout: reserve, price, change, pay, cancel',
  Downloads: 'The files of paid digital orders (the signed link is the credential)',
  Buyer: 'The buyer’s saved details (wallet): sign-in codes, sessions, erasure',
  Seller: 'The seller API: settings, products, stock, orders, fulfilments, webhooks',
  Payments: 'Events from the payment provider (Stripe), not called by clients',
  Dashboard: 'The seller dashboard’s sign-in (a browser session, not the API key)',
  Development: 'Development-mode helpers; not part of the protocol',
} as const;
export type Tag = keyof typeof TAGS;

/** The tag list of an operation: `tags: tag('Checkouts')`. */
export const tag = (name: Tag) => [name];

/**
 * The security schemes the document declares ({@link serveOpenApiDocument} registers them) and
 * the `security` value of an operation for each. Public routes say `security.none`: explicitly
 * empty, so a generated client knows nothing is needed rather than guessing.
 */
export const SECURITY_SCHEMES = {
  clientToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The checkout’s `clientToken` (`ct_…`), returned once by `POST /checkouts`: `Authorization: Bearer ct_…`.',
  },
  sellerKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'A seller’s API key (`bip_sk_…`): `Authorization: Bearer bip_sk_…`.',
  },
  buyerSession: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A signed-in buyer’s session (`bip_sess_…`, from `POST /buyer/sessions`): `Authorization: Bearer bip_sess_…`.',
  },
  sellerSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-bip_seller',
    description:
      'The seller dashboard’s session cookie (`POST /dashboard/sessions`), same origin only, with `X-CSRF-Token` on every write (`bip_seller` on plain-http localhost in development mode).',
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: 'Stripe’s signature of the raw body, checked with the webhook endpoint’s secret.',
  },
} as const;

type Requirement = Record<string, string[]>[];
const scheme = (name: keyof typeof SECURITY_SCHEMES): Requirement => [{ [name]: [] }];

export const security = {
  /** Public: nothing is required (explicitly empty). */
  none: [] as Requirement,
  clientToken: scheme('clientToken'),
  sellerKey: scheme('sellerKey'),
  buyerSession: scheme('buyerSession'),
  stripeSignature: scheme('stripeSignature'),
  sellerSession: scheme('sellerSession'),
  /** The seller API: an API key, or the dashboard's session cookie (either one). */
  seller: [...scheme('sellerKey'), ...scheme('sellerSession')],
};

export { z };
