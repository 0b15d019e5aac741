import { createRoute } from '@hono/zod-openapi';
import { html } from 'hono/html';
import type { Config } from '../config.ts';
import { json, problem, router, security, tag, z } from '../http/openapi.ts';
import type { Logger } from '../log.ts';
import { OEmbedAnswer, type Product } from '../protocol/products.ts';
import type { CatalogService } from '../services/catalog.ts';
import { notFound, ServiceError } from '../services/errors.ts';
import { productPageUrl } from '../services/product-urls.ts';
import { formatMoney } from './product-page-html.ts';
import { snippetScript } from './product-pages.ts';

/** The snippet is a Buy button: as wide and tall as one, unless the consumer allows less. */
const WIDTH = 400;
const HEIGHT = 56;
/** A consumer may keep an answer this long (seconds); the button prices itself when shown. */
const CACHE_AGE = 3600;

const Dimension = z.coerce.number().int().min(1).max(10_000).optional();

const oembedRoute = createRoute({
  method: 'get',
  path: '/oembed',
  operationId: 'getOEmbed',
  tags: tag('Products'),
  security: security.none,
  summary: 'oEmbed 1.0 for product URLs: the snippet that turns a pasted link into a Buy button',
  request: {
    query: z.object({
      url: z
        .string()
        .min(1)
        .max(2048)
        .openapi({
          param: { description: 'A product page of this endpoint, or a product’s own `url`' },
          example: 'https://shop.example/p/tour-tee',
        }),
      format: z
        .string()
        .optional()
        .openapi({ param: { description: '`json` (the only format; `xml` is answered 501)' } }),
      maxwidth: Dimension,
      maxheight: Dimension,
    }),
  },
  responses: {
    200: json(OEmbedAnswer, 'A `rich` oEmbed answer'),
    404: problem('The URL names no product here'),
    422: problem('No url, or a bad maxwidth/maxheight'),
    501: problem('A format other than json'),
  },
});

/** `GET /v1/oembed?url=…&format=json` (https://oembed.com; docs/protocol.md, docs/cms.md). */
export function oembedRoutes(catalog: CatalogService, deps: { config: Config; log: Logger }) {
  const { config } = deps;
  const script = snippetScript(config, deps.log);
  const app = router();
  app.openapi(oembedRoute, async (c) => {
    const q = c.req.valid('query');
    // oEmbed §2.3.4: a format the provider does not serve is a 501.
    if (q.format !== undefined && q.format !== 'json')
      throw new ServiceError('unsupported_media_type', 'Only format=json is served', {
        status: 501,
      });
    const [found] = (await catalog.lookups.resolve([q.url])).resolved;
    if (!found) throw notFound('Product');
    const answer = await catalog.lookups.lookUpOne(found.productId, { fresh: false });
    const product = JSON.parse(Buffer.from(answer.body).toString('utf8')) as Product;
    const page = productPageUrl(config.publicUrl, product.id, product.title);
    const price = formatMoney(product.priceFrom).text;
    const src = script();
    // The same markup the embedding docs show: the element, and inside it a plain link that
    // is what shows where scripts are stripped or not run.
    const snippet = html`${src ? html`<script type="module" src="${src}"></script>` : ''}<buy-in-post product="${product.id}" endpoint="${config.publicUrl}"><a href="${page}">${product.title} — ${price}</a></buy-in-post>`;
    const body: OEmbedAnswer = {
      version: '1.0',
      type: 'rich',
      title: product.title,
      author_name: product.seller.name,
      provider_name: new URL(config.publicUrl).host,
      provider_url: config.publicUrl,
      cache_age: CACHE_AGE,
      html: snippet.toString(),
      width: Math.min(WIDTH, q.maxwidth ?? WIDTH),
      height: Math.min(HEIGHT, q.maxheight ?? HEIGHT),
    };
    return c.json(body, 200, { 'Cache-Control': `public, max-age=${CACHE_AGE / 12}` });
  });
  return app;
}
