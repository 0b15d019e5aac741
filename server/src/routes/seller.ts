/**
 * The seller API (`/v1/seller/*`): its route declarations first — the OpenAPI document is made
 * from them, so each declares its answers in full, which is why this file passes 300 lines —
 * then thin handlers. How a seller signs in (API key or dashboard cookie) is in
 * dashboard-session.ts, the CSV export in dashboard-csv.ts, payouts and refunds in
 * seller-payments.ts.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Config } from '../config.ts';
import type { SellerRow } from '../db/schema.ts';
import { noStore, UPLOAD_LIMIT_BYTES } from '../http/middleware.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import { Id, text } from '../protocol/common.ts';
import {
  CreateFulfillmentBody,
  CreateProductBody,
  Order,
  OrderList,
  OrdersQuery,
  RotatedApiKey,
  RotatedWebhookSecret,
  SellerProduct,
  SellerSettings,
  UpdateProductBody,
  UpdateSellerBody,
  UpdateVariantBody,
  VariantInput,
  WebhookDelivery,
  WebhookSecret,
} from '../protocol/seller.ts';
import type { CatalogService } from '../services/catalog.ts';
import type { ProductImages } from '../services/catalog-images.ts';
import { ServiceError } from '../services/errors.ts';
import type { OrderService } from '../services/orders.ts';
import type { WebhookDispatcher } from '../services/outbox.ts';
import type { SellerSessions } from '../services/seller-sessions.ts';
import type { SellerService } from '../services/sellers.ts';
import { ordersCsv } from './dashboard-csv.ts';
import { sellerAuth } from './dashboard-session.ts';
import { type SellerPaymentDeps, sellerPaymentRoutes } from './seller-payments.ts';

type SellerEnv = { Variables: { seller: SellerRow } };

const auth = { 401: problem('Missing or unknown API key') };
const notFound = { 404: problem('Not found (or another seller’s)') };
const invalid = { 422: problem('Invalid request') };
const stale = {
  412: problem('If-Match names an older version of the product (precondition_failed)'),
};
const ProductParams = z.object({ id: Id });
const VariantParams = z.object({ id: Id, variantId: Id });
const ImageParams = z.object({ id: Id, imageId: z.string().regex(/^img_[A-Za-z0-9]{1,40}$/) });
/** If-Match: the product's ETag as last read; without it, the last write wins. */
const IfMatch = z.object({ 'if-match': z.string().max(500).optional() });

const r = {
  me: createRoute({
    method: 'get',
    path: '/me',
    operationId: 'getSeller',
    tags: tag('Seller'),
    summary: 'The seller’s settings',
    security: security.seller,
    responses: { 200: json(SellerSettings, 'Settings'), ...auth },
  }),
  updateMe: createRoute({
    method: 'patch',
    path: '/me',
    operationId: 'updateSeller',
    tags: tag('Seller'),
    summary: 'Change name, webhook URL, allowed origins, shipping zones, tax rates',
    security: security.seller,
    request: body(UpdateSellerBody),
    responses: { 200: json(SellerSettings, 'Settings'), ...auth, ...invalid },
  }),
  listProducts: createRoute({
    method: 'get',
    path: '/products',
    operationId: 'listSellerProducts',
    tags: tag('Seller'),
    summary: 'All the seller’s products, with stock',
    security: security.seller,
    responses: { 200: json(z.object({ products: z.array(SellerProduct) }), 'Products'), ...auth },
  }),
  createProduct: createRoute({
    method: 'post',
    path: '/products',
    operationId: 'createSellerProduct',
    tags: tag('Seller'),
    summary: 'Create a product with its variants',
    security: security.seller,
    request: body(CreateProductBody),
    responses: { 201: json(SellerProduct, 'Created'), ...auth, ...invalid },
  }),
  getProduct: createRoute({
    method: 'get',
    path: '/products/{id}',
    operationId: 'getSellerProduct',
    tags: tag('Seller'),
    summary: 'One product',
    security: security.seller,
    request: { params: ProductParams },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound },
  }),
  updateProduct: createRoute({
    method: 'patch',
    path: '/products/{id}',
    operationId: 'updateSellerProduct',
    tags: tag('Seller'),
    summary: 'Change a product (archive it with status)',
    security: security.seller,
    request: { params: ProductParams, headers: IfMatch, ...body(UpdateProductBody) },
    responses: {
      200: json(SellerProduct, 'The product'),
      ...auth,
      ...notFound,
      ...invalid,
      ...stale,
    },
  }),
  addVariant: createRoute({
    method: 'post',
    path: '/products/{id}/variants',
    operationId: 'addSellerVariant',
    tags: tag('Seller'),
    summary: 'Add a variant',
    security: security.seller,
    request: { params: ProductParams, headers: IfMatch, ...body(VariantInput) },
    responses: {
      201: json(SellerProduct, 'The product'),
      ...auth,
      ...notFound,
      ...invalid,
      ...stale,
    },
  }),
  updateVariant: createRoute({
    method: 'patch',
    path: '/products/{id}/variants/{variantId}',
    operationId: 'updateSellerVariant',
    tags: tag('Seller'),
    summary: 'Change a variant’s price, stock or status',
    security: security.seller,
    request: { params: VariantParams, headers: IfMatch, ...body(UpdateVariantBody) },
    responses: {
      200: json(SellerProduct, 'The product'),
      ...auth,
      ...notFound,
      ...invalid,
      ...stale,
    },
  }),
  putFile: createRoute({
    method: 'put',
    path: '/products/{id}/file',
    operationId: 'putSellerProductFile',
    tags: tag('Seller'),
    summary: 'Upload the file a digital product delivers (raw body; name in ?name=)',
    security: security.seller,
    request: {
      params: ProductParams,
      headers: IfMatch,
      query: z.object({
        name: text(200).refine((n) => !/[/\\]/.test(n), 'must be a file name, not a path'),
      }),
    },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound, ...invalid },
  }),
  listOrders: createRoute({
    method: 'get',
    path: '/orders',
    operationId: 'listSellerOrders',
    tags: tag('Seller'),
    summary: 'Orders, newest first, filterable',
    security: security.seller,
    request: { query: OrdersQuery },
    responses: { 200: json(OrderList, 'A page of orders'), ...auth, ...invalid },
  }),
  getOrder: createRoute({
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getSellerOrder',
    tags: tag('Seller'),
    summary: 'One order',
    security: security.seller,
    request: { params: ProductParams },
    responses: { 200: json(Order, 'The order'), ...auth, ...notFound },
  }),
  fulfill: createRoute({
    method: 'post',
    path: '/orders/{id}/fulfillments',
    operationId: 'createFulfillment',
    tags: tag('Seller'),
    summary: 'Record a shipment with its tracking number',
    security: security.seller,
    request: { params: ProductParams, ...body(CreateFulfillmentBody) },
    responses: { 201: json(Order, 'The order'), ...auth, ...notFound, ...invalid },
  }),
  addImage: createRoute({
    method: 'post',
    path: '/products/{id}/images',
    operationId: 'addSellerProductImage',
    tags: tag('Seller'),
    summary:
      'Upload an image (multipart/form-data: file, alt): PNG, JPEG, WebP, GIF or AVIF by its bytes, within BIP_IMAGE_LIMIT_BYTES',
    security: security.seller,
    request: { params: ProductParams, headers: IfMatch },
    responses: {
      201: json(SellerProduct, 'The product, the image appended'),
      ...auth,
      ...notFound,
      ...invalid,
      ...stale,
      413: problem('Too large (payload_too_large)'),
      415: problem('Not an accepted image (unsupported_image_type)'),
    },
  }),
  removeImage: createRoute({
    method: 'delete',
    path: '/products/{id}/images/{imageId}',
    operationId: 'deleteSellerProductImage',
    tags: tag('Seller'),
    summary: 'Remove an uploaded image from the product, and its bytes',
    security: security.seller,
    request: { params: ImageParams, headers: IfMatch },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound, ...stale },
  }),
  ordersCsv: createRoute({
    method: 'get',
    path: '/orders.csv',
    operationId: 'exportSellerOrdersCsv',
    tags: tag('Seller'),
    summary: 'The orders the filters select, as CSV (newest first)',
    security: security.seller,
    request: { query: OrdersQuery.omit({ limit: true, cursor: true }) },
    responses: {
      200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
      ...auth,
      ...invalid,
    },
  }),
  rotateApiKey: createRoute({
    method: 'post',
    path: '/api-key/rotate',
    operationId: 'rotateSellerApiKey',
    tags: tag('Seller'),
    summary: 'A new API key; the old one works for the grace period (BIP_SELLER_KEY_GRACE_SECONDS)',
    security: security.seller,
    responses: { 201: json(RotatedApiKey, 'The new key, shown once'), ...auth },
  }),
  webhookSecret: createRoute({
    method: 'get',
    path: '/webhook-secret',
    operationId: 'getWebhookSecret',
    tags: tag('Seller'),
    summary: 'The secret webhook deliveries are signed with',
    security: security.seller,
    responses: { 200: json(WebhookSecret, 'The secret'), ...auth },
  }),
  rotateWebhookSecret: createRoute({
    method: 'post',
    path: '/webhook-secret/rotate',
    operationId: 'rotateWebhookSecret',
    tags: tag('Seller'),
    summary: 'A new webhook secret; deliveries carry both signatures for the grace period',
    security: security.seller,
    responses: { 201: json(RotatedWebhookSecret, 'The new secret'), ...auth },
  }),
  deliveries: createRoute({
    method: 'get',
    path: '/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    tags: tag('Seller'),
    summary: 'The webhook delivery log, newest first',
    security: security.seller,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: json(z.object({ deliveries: z.array(WebhookDelivery) }), 'Deliveries'),
      ...auth,
    },
  }),
};

/** A product answer with its version as the ETag header (If-Match sends it back). */
function product<S extends 200 | 201>(c: Context, p: SellerProduct, status: S) {
  c.header('ETag', p.etag);
  return c.json(p, status);
}

export function sellerRoutes(
  deps: {
    sellers: SellerService;
    catalog: CatalogService;
    orders: OrderService;
    webhooks: WebhookDispatcher;
    sellerSessions: SellerSessions;
    images: ProductImages;
  } & SellerPaymentDeps,
  config: Config,
) {
  const { sellers, catalog, orders, webhooks, images } = deps;
  const app = router<SellerEnv>();
  // Orders carry buyers' names, addresses and emails; no seller answer is kept by any cache.
  app.use('*', noStore());
  // An API key, or the dashboard's cookie from this origin with its CSRF token on writes.
  app.use('*', sellerAuth({ config, sellers, sessions: deps.sellerSessions }));
  const sellerId = (c: { get(k: 'seller'): SellerRow }) => c.get('seller').id;

  app.openapi(r.me, (c) => c.json(sellers.settings(c.get('seller')), 200));
  app.openapi(r.updateMe, async (c) =>
    c.json(await sellers.update(c.get('seller'), c.req.valid('json')), 200),
  );
  app.openapi(r.listProducts, async (c) =>
    c.json({ products: await catalog.listSellerProducts(sellerId(c)) }, 200),
  );
  app.openapi(r.createProduct, async (c) =>
    product(c, await catalog.createProduct(sellerId(c), c.req.valid('json')), 201),
  );
  app.openapi(r.getProduct, async (c) =>
    product(c, await catalog.getSellerProduct(sellerId(c), c.req.valid('param').id), 200),
  );
  const ifMatch = (c: Context) => c.req.header('If-Match');
  app.openapi(r.updateProduct, async (c) =>
    product(
      c,
      await catalog.updateProduct(
        sellerId(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        ifMatch(c),
      ),
      200,
    ),
  );
  app.openapi(r.addVariant, async (c) =>
    product(
      c,
      await catalog.addVariant(
        sellerId(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        ifMatch(c),
      ),
      201,
    ),
  );
  app.openapi(r.updateVariant, async (c) => {
    const { id, variantId } = c.req.valid('param');
    return product(
      c,
      await catalog.updateVariant(sellerId(c), id, variantId, c.req.valid('json'), ifMatch(c)),
      200,
    );
  });
  app.openapi(r.addImage, async (c) => {
    const limit = config.dashboard.imageLimitBytes;
    // Judged from the declared length before anything is read (jsonBodies insisted on one);
    // the multipart envelope around the image gets 64 KiB.
    if (Number(c.req.header('Content-Length')) > limit + 65_536)
      throw new ServiceError('payload_too_large', `Images are limited to ${limit} bytes`);
    if (!/^multipart\/form-data\s*;/i.test(c.req.header('Content-Type') ?? ''))
      throw new ServiceError(
        'unsupported_media_type',
        'Send the image as multipart/form-data with a "file" field',
      );
    const form = await c.req.parseBody();
    const file = form.file;
    const alt = typeof form.alt === 'string' ? form.alt.trim() : '';
    const errors = [];
    if (!(file instanceof File)) errors.push({ field: 'file', message: 'is required (a file)' });
    if (alt.length > 300) errors.push({ field: 'alt', message: 'is at most 300 characters' });
    if (errors.length || !(file instanceof File))
      throw new ServiceError('validation_failed', undefined, { errors });
    const data = new Uint8Array(await file.arrayBuffer());
    return product(
      c,
      await images.add(sellerId(c), c.req.valid('param').id, { data, alt }, ifMatch(c)),
      201,
    );
  });
  app.openapi(r.removeImage, async (c) => {
    const { id, imageId } = c.req.valid('param');
    return product(c, await images.remove(sellerId(c), id, imageId, ifMatch(c)), 200);
  });
  app.openapi(r.putFile, async (c) => {
    // jsonBodies() has checked the declared length against UPLOAD_LIMIT_BYTES; Node reads no
    // more than it, and this is read only now, once the seller is known.
    const data = new Uint8Array(await c.req.arrayBuffer());
    if (data.byteLength > UPLOAD_LIMIT_BYTES) throw new ServiceError('payload_too_large');
    const contentType = c.req.header('Content-Type') ?? 'application/octet-stream';
    return product(
      c,
      await catalog.putFile(
        sellerId(c),
        c.req.valid('param').id,
        { name: c.req.valid('query').name, contentType, data },
        ifMatch(c),
      ),
      200,
    );
  });
  app.openapi(r.listOrders, async (c) =>
    c.json(await orders.list(sellerId(c), c.req.valid('query')), 200),
  );
  app.openapi(r.ordersCsv, async (c) => {
    const filter = c.req.valid('query');
    const day = new Date().toISOString().slice(0, 10);
    return c.body(await ordersCsv(orders, sellerId(c), filter), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="orders-${day}.csv"`,
    });
  });
  app.openapi(r.getOrder, async (c) =>
    c.json(await orders.get(sellerId(c), c.req.valid('param').id), 200),
  );
  app.openapi(r.fulfill, async (c) => {
    const order = await orders.fulfill(sellerId(c), c.req.valid('param').id, c.req.valid('json'));
    webhooks.poke();
    return c.json(order, 201);
  });
  app.route('/', sellerPaymentRoutes(deps));
  app.openapi(r.rotateApiKey, async (c) => c.json(await sellers.rotateApiKey(sellerId(c)), 201));
  app.openapi(r.webhookSecret, (c) =>
    c.json({ webhookSecret: c.get('seller').webhook_secret }, 200),
  );
  app.openapi(r.rotateWebhookSecret, async (c) =>
    c.json(await sellers.rotateWebhookSecret(sellerId(c)), 201),
  );
  app.openapi(r.deliveries, async (c) =>
    c.json({ deliveries: await webhooks.deliveries(sellerId(c), c.req.valid('query').limit) }, 200),
  );
  return app;
}
