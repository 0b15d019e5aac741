import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { ANSWER_HEADERS, corsHeaders } from '../http/middleware.ts';
import { json, problem, router, security, tag, z } from '../http/openapi.ts';
import { Id } from '../protocol/common.ts';
import { MAX_BATCH, Product, ProductBatch } from '../protocol/products.ts';
import type { CatalogService } from '../services/catalog.ts';
import type { ProductsAnswer } from '../services/catalog-lookups.ts';
import type { OriginPolicy } from '../services/origins.ts';

// Short freshness (availability changes) but long stale-while-revalidate: a timeline repaints
// instantly from cache and refreshes behind the scenes. ETags make revalidation a 304.
const CACHE = 'public, max-age=15, stale-while-revalidate=300';

const batchRoute = createRoute({
  method: 'get',
  path: '/products',
  operationId: 'getProducts',
  tags: tag('Products'),
  security: security.none,
  summary: 'Look up several products at once (timelines)',
  request: {
    query: z.object({
      ids: z
        .string()
        .max(MAX_BATCH * 65)
        .transform((s) =>
          s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        )
        .pipe(z.array(Id).min(1).max(MAX_BATCH))
        .openapi({
          param: { description: `Comma-separated product ids, at most ${MAX_BATCH}` },
          example: 'tour-tee,vinyl',
        }),
    }),
  },
  responses: {
    200: json(ProductBatch, 'The products found, in the order asked, and the ids not found'),
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    422: problem('Bad ids'),
  },
});

const oneRoute = createRoute({
  method: 'get',
  path: '/products/{id}',
  operationId: 'getProduct',
  tags: tag('Products'),
  security: security.none,
  summary: 'One product',
  request: { params: z.object({ id: Id }) },
  responses: {
    200: json(Product, 'The product'),
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    404: problem('No such product'),
    422: problem('Bad id'),
  },
});

/**
 * Whether the client asked not to be answered from a cache: `fetch(…, { cache: 'no-cache' })`
 * sends `Cache-Control: max-age=0`; `no-cache` and `Pragma: no-cache` say the same.
 */
function wantsFresh(c: Context): boolean {
  const control = c.req.header('Cache-Control');
  if (control && /(^|,)\s*(no-cache|max-age\s*=\s*0)\s*(,|$)/i.test(control)) return true;
  return /no-cache/i.test(c.req.header('Pragma') ?? '');
}

/** RFC 9110 §13.1.2: weak comparison, any of a list, or `*`. */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const tag = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === tag);
}

/** The kept bytes as they are: nothing is parsed, validated or serialised again. */
function send(c: Context, answer: ProductsAnswer) {
  const headers = { ETag: answer.etag, 'Cache-Control': CACHE };
  if (notModified(c.req.header('If-None-Match'), answer.etag)) return c.body(null, 304, headers);
  return c.body(answer.body, 200, { ...headers, 'Content-Type': 'application/json' });
}

/**
 * Look-ups answered before (the same query string, valid then), from memory, ahead of the
 * router's middleware — to be mounted first, at `/v1/products` and `/v1/products/:id`. A
 * timeline asks for the same few answers all day: they go out before the query is validated
 * again, with the headers the middleware would have added (CORS for the page's origin,
 * nosniff), made in one plain object rather than through Fetch `Headers` after each layer: the
 * server's CPU per kept look-up 91–112 → 84–90 µs (`npm run bench`, three pairs back to back).
 * Anything else falls through to the routes. A header the middleware comes to add must be added
 * here too: product-cache.test.ts holds the two answers' headers equal.
 */
export function keptProducts(catalog: CatalogService, origins: OriginPolicy): MiddlewareHandler {
  const { lookups } = catalog;
  return async (c, next) => {
    if (wantsFresh(c)) return next();
    const id = c.req.param('id');
    const query = id === undefined ? c.req.query('ids') : undefined;
    const kept =
      id !== undefined
        ? await lookups.keptProduct(id)
        : query !== undefined
          ? await lookups.keptBatch(query)
          : undefined;
    if (!kept) return next();
    const headers: Record<string, string> = {
      ...ANSWER_HEADERS,
      ...corsHeaders(await origins.corsOrigin(c.req.header('Origin'))),
      ETag: kept.etag,
      'Cache-Control': CACHE,
    };
    // A Response of our own: Hono's c.body() turns more than one header into Fetch Headers.
    if (notModified(c.req.header('If-None-Match'), kept.etag))
      return new Response(null, { status: 304, headers });
    headers['Content-Type'] = 'application/json';
    return new Response(kept.body, { status: 200, headers });
  };
}

export function productRoutes(catalog: CatalogService) {
  const app = router();
  const { lookups } = catalog;

  app.openapi(batchRoute, async (c) => {
    const { ids } = c.req.valid('query');
    const answer = await lookups.lookUp(ids, c.req.query('ids') ?? '', { fresh: wantsFresh(c) });
    return send(c, answer) as never;
  });
  app.openapi(oneRoute, async (c) => {
    const { id } = c.req.valid('param');
    // Set first, so a 404 may be kept as long as an answer would be.
    c.header('Cache-Control', CACHE);
    return send(c, await lookups.lookUpOne(id, { fresh: wantsFresh(c) })) as never;
  });
  return app;
}
