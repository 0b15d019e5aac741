import { createRoute } from '@hono/zod-openapi';
import type { SellerRow } from '../db/schema.ts';
import { bearerToken } from '../http/auth.ts';
import { noStore, UPLOAD_LIMIT_BYTES } from '../http/middleware.ts';
import { body, json, problem, router, security, tag, z } from '../http/openapi.ts';
import { Id, text } from '../protocol/common.ts';
import {
  CreateFulfillmentBody,
  CreateProductBody,
  Order,
  OrderList,
  OrdersQuery,
  SellerProduct,
  SellerSettings,
  UpdateProductBody,
  UpdateSellerBody,
  UpdateVariantBody,
  VariantInput,
  WebhookDelivery,
} from '../protocol/seller.ts';
import type { CatalogService } from '../services/catalog.ts';
import { ServiceError } from '../services/errors.ts';
import type { OrderService } from '../services/orders.ts';
import type { WebhookDispatcher } from '../services/outbox.ts';
import { type SellerService, sellerSettings } from '../services/sellers.ts';

type SellerEnv = { Variables: { seller: SellerRow } };

const auth = { 401: problem('Missing or unknown API key') };
const notFound = { 404: problem('Not found (or another seller’s)') };
const invalid = { 422: problem('Invalid request') };
const ProductParams = z.object({ id: Id });
const VariantParams = z.object({ id: Id, variantId: Id });

const r = {
  me: createRoute({
    method: 'get',
    path: '/me',
    operationId: 'getSeller',
    tags: tag('Seller'),
    summary: 'The seller’s settings',
    security: security.sellerKey,
    responses: { 200: json(SellerSettings, 'Settings'), ...auth },
  }),
  updateMe: createRoute({
    method: 'patch',
    path: '/me',
    operationId: 'updateSeller',
    tags: tag('Seller'),
    summary: 'Change name, webhook URL, allowed origins, shipping zones, tax rates',
    security: security.sellerKey,
    request: body(UpdateSellerBody),
    responses: { 200: json(SellerSettings, 'Settings'), ...auth, ...invalid },
  }),
  listProducts: createRoute({
    method: 'get',
    path: '/products',
    operationId: 'listSellerProducts',
    tags: tag('Seller'),
    summary: 'All the seller’s products, with stock',
    security: security.sellerKey,
    responses: { 200: json(z.object({ products: z.array(SellerProduct) }), 'Products'), ...auth },
  }),
  createProduct: createRoute({
    method: 'post',
    path: '/products',
    operationId: 'createSellerProduct',
    tags: tag('Seller'),
    summary: 'Create a product with its variants',
    security: security.sellerKey,
    request: body(CreateProductBody),
    responses: { 201: json(SellerProduct, 'Created'), ...auth, ...invalid },
  }),
  getProduct: createRoute({
    method: 'get',
    path: '/products/{id}',
    operationId: 'getSellerProduct',
    tags: tag('Seller'),
    summary: 'One product',
    security: security.sellerKey,
    request: { params: ProductParams },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound },
  }),
  updateProduct: createRoute({
    method: 'patch',
    path: '/products/{id}',
    operationId: 'updateSellerProduct',
    tags: tag('Seller'),
    summary: 'Change a product (archive it with status)',
    security: security.sellerKey,
    request: { params: ProductParams, ...body(UpdateProductBody) },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound, ...invalid },
  }),
  addVariant: createRoute({
    method: 'post',
    path: '/products/{id}/variants',
    operationId: 'addSellerVariant',
    tags: tag('Seller'),
    summary: 'Add a variant',
    security: security.sellerKey,
    request: { params: ProductParams, ...body(VariantInput) },
    responses: { 201: json(SellerProduct, 'The product'), ...auth, ...notFound, ...invalid },
  }),
  updateVariant: createRoute({
    method: 'patch',
    path: '/products/{id}/variants/{variantId}',
    operationId: 'updateSellerVariant',
    tags: tag('Seller'),
    summary: 'Change a variant’s price, stock or status',
    security: security.sellerKey,
    request: { params: VariantParams, ...body(UpdateVariantBody) },
    responses: { 200: json(SellerProduct, 'The product'), ...auth, ...notFound, ...invalid },
  }),
  putFile: createRoute({
    method: 'put',
    path: '/products/{id}/file',
    operationId: 'putSellerProductFile',
    tags: tag('Seller'),
    summary: 'Upload the file a digital product delivers (raw body; name in ?name=)',
    security: security.sellerKey,
    request: {
      params: ProductParams,
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
    security: security.sellerKey,
    request: { query: OrdersQuery },
    responses: { 200: json(OrderList, 'A page of orders'), ...auth, ...invalid },
  }),
  getOrder: createRoute({
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getSellerOrder',
    tags: tag('Seller'),
    summary: 'One order',
    security: security.sellerKey,
    request: { params: ProductParams },
    responses: { 200: json(Order, 'The order'), ...auth, ...notFound },
  }),
  fulfill: createRoute({
    method: 'post',
    path: '/orders/{id}/fulfillments',
    operationId: 'createFulfillment',
    tags: tag('Seller'),
    summary: 'Record a shipment with its tracking number',
    security: security.sellerKey,
    request: { params: ProductParams, ...body(CreateFulfillmentBody) },
    responses: { 201: json(Order, 'The order'), ...auth, ...notFound, ...invalid },
  }),
  deliveries: createRoute({
    method: 'get',
    path: '/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    tags: tag('Seller'),
    summary: 'The webhook delivery log, newest first',
    security: security.sellerKey,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: json(z.object({ deliveries: z.array(WebhookDelivery) }), 'Deliveries'),
      ...auth,
    },
  }),
};

export function sellerRoutes(deps: {
  sellers: SellerService;
  catalog: CatalogService;
  orders: OrderService;
  webhooks: WebhookDispatcher;
}) {
  const { sellers, catalog, orders, webhooks } = deps;
  const app = router<SellerEnv>();
  // Orders carry buyers' names, addresses and emails; no seller answer is kept by any cache.
  app.use('*', noStore());
  app.use('*', async (c, next) => {
    c.set('seller', await sellers.authenticate(bearerToken(c)));
    await next();
  });
  const sellerId = (c: { get(k: 'seller'): SellerRow }) => c.get('seller').id;

  app.openapi(r.me, (c) => c.json(sellerSettings(c.get('seller')), 200));
  app.openapi(r.updateMe, async (c) =>
    c.json(await sellers.update(c.get('seller'), c.req.valid('json')), 200),
  );
  app.openapi(r.listProducts, async (c) =>
    c.json({ products: await catalog.listSellerProducts(sellerId(c)) }, 200),
  );
  app.openapi(r.createProduct, async (c) =>
    c.json(await catalog.createProduct(sellerId(c), c.req.valid('json')), 201),
  );
  app.openapi(r.getProduct, async (c) =>
    c.json(await catalog.getSellerProduct(sellerId(c), c.req.valid('param').id), 200),
  );
  app.openapi(r.updateProduct, async (c) =>
    c.json(
      await catalog.updateProduct(sellerId(c), c.req.valid('param').id, c.req.valid('json')),
      200,
    ),
  );
  app.openapi(r.addVariant, async (c) =>
    c.json(
      await catalog.addVariant(sellerId(c), c.req.valid('param').id, c.req.valid('json')),
      201,
    ),
  );
  app.openapi(r.updateVariant, async (c) => {
    const { id, variantId } = c.req.valid('param');
    return c.json(
      await catalog.updateVariant(sellerId(c), id, variantId, c.req.valid('json')),
      200,
    );
  });
  app.openapi(r.putFile, async (c) => {
    // jsonBodies() has checked the declared length against UPLOAD_LIMIT_BYTES; Node reads no
    // more than it, and this is read only now, once the seller is known.
    const data = new Uint8Array(await c.req.arrayBuffer());
    if (data.byteLength > UPLOAD_LIMIT_BYTES) throw new ServiceError('payload_too_large');
    const contentType = c.req.header('Content-Type') ?? 'application/octet-stream';
    return c.json(
      await catalog.putFile(sellerId(c), c.req.valid('param').id, {
        name: c.req.valid('query').name,
        contentType,
        data,
      }),
      200,
    );
  });
  app.openapi(r.listOrders, async (c) =>
    c.json(await orders.list(sellerId(c), c.req.valid('query')), 200),
  );
  app.openapi(r.getOrder, async (c) =>
    c.json(await orders.get(sellerId(c), c.req.valid('param').id), 200),
  );
  app.openapi(r.fulfill, async (c) => {
    const order = await orders.fulfill(sellerId(c), c.req.valid('param').id, c.req.valid('json'));
    webhooks.poke();
    return c.json(order, 201);
  });
  app.openapi(r.deliveries, async (c) =>
    c.json({ deliveries: await webhooks.deliveries(sellerId(c), c.req.valid('query').limit) }, 200),
  );
  return app;
}
