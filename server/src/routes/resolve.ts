import { createRoute } from '@hono/zod-openapi';
import { json, problem, router, security, tag, z } from '../http/openapi.ts';
import { MAX_RESOLVE, ResolveAnswer } from '../protocol/products.ts';
import type { CatalogService } from '../services/catalog.ts';
import { utf8, weakEtag } from '../services/product-cache.ts';

// Which URL names which product changes only when a seller edits a product's `url` or archives
// it: a minute fresh, ten more served while revalidating (a 304 through the ETag).
const CACHE = 'public, max-age=60, stale-while-revalidate=600';

const MAX_URL = 2048;

const resolveRoute = createRoute({
  method: 'get',
  path: '/resolve',
  operationId: 'resolveProductUrls',
  tags: tag('Products'),
  security: security.none,
  summary: 'Which of these URLs are product pages (the links module of social clients)',
  request: {
    query: z.object({
      urls: z
        .string()
        .max(MAX_RESOLVE * (MAX_URL + 1))
        // URLs may hold commas of their own: a comma separates two only before the next scheme.
        .transform((s) =>
          s
            .split(/,(?=https?:\/\/)/i)
            .map((u) => u.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().max(MAX_URL)).min(1).max(MAX_RESOLVE))
        .openapi({
          param: {
            description: `Absolute http(s) URLs joined by commas (each percent-encoded in the query string), at most ${MAX_RESOLVE}`,
          },
          example: 'https://shop.example/p/tour-tee,https://news.example/story',
        }),
    }),
  },
  responses: {
    200: json(ResolveAnswer, 'The URLs that name an active product, and the rest'),
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    422: problem('No URLs, too many, or one too long'),
  },
});

/** `GET /v1/resolve?urls=…`: product-page URLs to product ids (docs/protocol.md). */
export function resolveRoutes(catalog: CatalogService) {
  const app = router();
  app.openapi(resolveRoute, async (c) => {
    const answer = await catalog.lookups.resolve(c.req.valid('query').urls);
    const body = utf8(JSON.stringify(answer));
    const etag = weakEtag(body);
    const headers = { ETag: etag, 'Cache-Control': CACHE };
    const asked = c.req.header('If-None-Match');
    if (asked?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag.slice(2)))
      return c.body(null, 304, headers) as never;
    return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' }) as never;
  });
  return app;
}
