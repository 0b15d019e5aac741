import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import {
  json,
  problem,
  router,
  SECURITY_SCHEMES,
  security,
  TAGS,
  tag,
  z,
} from '../http/openapi.ts';
import type { Logger } from '../log.ts';
import { OrderSummary, ShippingAddress, ShippingPreview } from '../protocol/checkouts.ts';
import { Money } from '../protocol/common.ts';
import { ServiceError } from '../services/errors.ts';

/** The endpoint's version, as the health check reports it. */
export const VERSION = '0.1.0';

/**
 * The protocol major versions this endpoint serves, each under `/v{n}/` (docs/versioning.md):
 * a client reads them from `/v1/health` to know whether it can speak to the endpoint.
 */
export const PROTOCOLS = ['1'] as const;

const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: tag('Platform'),
  security: security.none,
  summary: 'Liveness, database reachability and the protocol versions served',
  responses: {
    200: json(
      z
        .object({
          status: z.literal('ok'),
          version: z.string().openapi({ description: 'The software’s own version' }),
          protocols: z.array(z.string()).openapi({
            description:
              'The protocol major versions this endpoint serves, each under `/v{n}/` (docs/versioning.md)',
          }),
          database: z.string(),
          payments: z.string(),
        })
        .openapi('Health', {
          example: {
            status: 'ok',
            version: '0.1.0',
            protocols: ['1'],
            database: 'sqlite',
            payments: 'test',
          },
        }),
      'Healthy',
    ),
    404: problem(
      'Not found: the endpoint does not serve protocol v1 at this address (a client then knows it cannot speak to it, docs/versioning.md)',
    ),
    503: problem('The database cannot be reached (`internal_error`)'),
  },
});

export interface PlatformDeps {
  /** Resolves when the database answers a query. */
  ping(): Promise<unknown>;
  /** The database's dialect and the payment provider's name, as reported. */
  database: string;
  payments: string;
  log: Logger;
}

/** What operators and load balancers call: the health check. */
export function platformRoutes(deps: PlatformDeps) {
  const app = router();
  app.openapi(health, async (c) => {
    try {
      await deps.ping();
    } catch (err) {
      deps.log.error({ err }, 'health: the database check failed');
      throw new ServiceError('internal_error', 'The database cannot be reached', { status: 503 });
    }
    const { database, payments } = deps;
    const protocols = [...PROTOCOLS];
    return c.json({ status: 'ok' as const, version: VERSION, protocols, database, payments }, 200);
  });
  return app;
}

/**
 * Serves `/openapi.json` on `v1`: the document of every route mounted on it, generated from the
 * same zod schemas that validate the requests. Its server is this endpoint's own public URL
 * (`BIP_PUBLIC_URL`), so a client generated from a running endpoint's document calls that one.
 */
export function serveOpenApiDocument<E extends Env>(v1: OpenAPIHono<E>, publicUrl: string) {
  // Called once every route is mounted: only the tags and security schemes some operation uses
  // are listed (a development-only route's tag is absent elsewhere).
  const used = usedNames(v1);
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    if (used.schemes.has(name))
      v1.openAPIRegistry.registerComponent('securitySchemes', name, { ...scheme });
  registerNullableComponentsFirst(v1);
  const config: Parameters<typeof v1.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'Commerce Endpoint Protocol',
      version: '1',
      description:
        'The HTTP protocol <buy-in-post> speaks. The rules behind these shapes (idempotency, caching, CORS, pricing, expiry) are in docs/protocol.md; check an implementation with the conformance kit, `npx buy-in-post-conformance <endpoint> --seller-key …`.',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [{ url: `${publicUrl}/v1`, description: 'This endpoint' }],
    tags: Object.entries(TAGS)
      .filter(([name]) => used.tags.has(name))
      .map(([name, description]) => ({ name, description })),
  };
  let document: unknown;
  v1.get('/openapi.json', (c) => {
    // Built on first use, once every route is mounted; the same document every time after.
    document ??= nullableRefs(v1.getOpenAPI31Document(config));
    return c.json(document as object, 200);
  });
}

/**
 * Components some schema uses as `X.nullable()` and others as plain `X`. zod-to-openapi writes a
 * component the way it first meets it: met nullable first, the component itself becomes
 * `type: ['object', 'null']` and every reference accepts null — a create body's
 * `shippingAddress: null` included, which the endpoint refuses. Registered ahead of every route,
 * each is written as it is, and its nullable uses as references beside null. A new component
 * used both ways belongs here: `npm run lint:openapi` names any nullable component.
 */
const NULLABLE_ELSEWHERE = { Money, ShippingAddress, ShippingPreview, OrderSummary };

function registerNullableComponentsFirst<E extends Env>(v1: OpenAPIHono<E>) {
  const { definitions } = v1.openAPIRegistry;
  for (const [name, schema] of Object.entries(NULLABLE_ELSEWHERE)) {
    v1.openAPIRegistry.register(name, schema);
    // Moved ahead of the routes: the generator writes components in the order it meets them.
    const registered = definitions.pop();
    if (registered) definitions.unshift(registered);
  }
}

/** The tags and security schemes the operations mounted on `v1` declare. */
function usedNames<E extends Env>(v1: OpenAPIHono<E>) {
  const tags = new Set<string>();
  const schemes = new Set<string>();
  for (const d of v1.openAPIRegistry.definitions) {
    if (d.type !== 'route') continue;
    for (const t of d.route.tags ?? []) tags.add(t);
    for (const requirement of d.route.security ?? [])
      for (const name of Object.keys(requirement)) schemes.add(name);
  }
  return { tags, schemes };
}

/**
 * zod-to-openapi writes a nullable reference (`Money.nullable()`) for 3.1 as
 * `allOf: [{$ref: Money}, {type: ['object', 'null']}]`, which no null satisfies (Money is an
 * object): generated clients and validators then refuse `"compareAtPrice": null`. Rewritten as
 * `anyOf: [{$ref}, {type: 'null'}]`, keeping the annotations beside it.
 */
export function nullableRefs<T>(node: T): T {
  if (Array.isArray(node)) return node.map(nullableRefs) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableRefs(v);
  const all = out.allOf as Record<string, unknown>[] | undefined;
  if (Array.isArray(all) && all.length === 2) {
    const ref = all.find((s) => typeof s.$ref === 'string' && Object.keys(s).length === 1);
    const nullable = all.find(
      (s) => Array.isArray(s.type) && s.type.includes('null') && Object.keys(s).length === 1,
    );
    if (ref && nullable) {
      delete out.allOf;
      out.anyOf = [ref, { type: 'null' }];
    }
  }
  return out as T;
}
