import { createRoute } from '@hono/zod-openapi';
import { problem, router, security, tag, z } from '../http/openapi.ts';
import type { OrderService } from '../services/orders.ts';

const download = createRoute({
  method: 'get',
  path: '/downloads/{token}',
  operationId: 'getDownload',
  tags: tag('Downloads'),
  security: security.none,
  summary: 'The file of a paid digital order (signed, expiring link)',
  request: {
    params: z.object({
      token: z.string().max(2000).openapi({
        description: 'The signed token of the link (`order.downloadUrl` of a paid checkout)',
        example:
          'eyJhbGciOiJIUzI1NiJ9.eyJwaWQiOiJkaWdpdGFsLWFsYnVtIiwic3ViIjoib3JkX2FIMHR2In0.c2lnbmF0dXJl',
      }),
    }),
  },
  responses: {
    200: { description: 'The file' },
    404: problem('Unknown link'),
    410: problem('Link expired'),
  },
});

/** The links a paid digital order hands the buyer. */
export function downloadRoutes(orders: OrderService) {
  const app = router();
  app.openapi(download, async (c) => {
    const file = await orders.openDownload(c.req.valid('param').token);
    // Served as bytes to save, never as the type the seller gave: `text/html` or an SVG would
    // otherwise be a page on this endpoint's origin. Opened anyway, it may run and load nothing.
    return c.body(Buffer.from(file.data), 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Length': String(file.size),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'Cache-Control': 'private, no-store',
    });
  });
  return app;
}
