import { createRoute } from '@hono/zod-openapi';
import { etag } from 'hono/etag';
import { json, problem, router, z } from '../http/openapi.ts';
import { Id } from '../protocol/common.ts';
import { MAX_BATCH, Product, ProductBatch } from '../protocol/products.ts';
import type { CatalogService } from '../services/catalog.ts';

// Short freshness (availability changes) but long stale-while-revalidate: a timeline repaints
// instantly from cache and refreshes behind the scenes. ETags make revalidation a 304.
const CACHE = 'public, max-age=15, stale-while-revalidate=300';

const batchRoute = createRoute({
  method: 'get',
  path: '/products',
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
    422: problem('Bad ids'),
  },
});

const oneRoute = createRoute({
  method: 'get',
  path: '/products/{id}',
  summary: 'One product',
  request: { params: z.object({ id: Id }) },
  responses: {
    200: json(Product, 'The product'),
    404: problem('No such product'),
    422: problem('Bad id'),
  },
});

export function productRoutes(catalog: CatalogService) {
  const app = router();
  app.use('/products/*', etag({ weak: true }));
  app.use('/products', etag({ weak: true }));
  app.openapi(batchRoute, async (c) => {
    const { ids } = c.req.valid('query');
    c.header('Cache-Control', CACHE);
    return c.json(await catalog.getPublicProducts(ids), 200);
  });
  app.openapi(oneRoute, async (c) => {
    c.header('Cache-Control', CACHE);
    return c.json(await catalog.getPublicProduct(c.req.valid('param').id), 200);
  });
  return app;
}
