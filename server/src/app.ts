import { getConnInfo } from '@hono/node-server/conninfo';
import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from './config.ts';
import { type Db, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { json, problem, router, z } from './http/openapi.ts';
import { problemResponse } from './http/problem.ts';
import { createLogger, type Logger } from './log.ts';
import { createPaymentProvider } from './payments/index.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { checkoutRoutes } from './routes/checkouts.ts';
import { productRoutes } from './routes/products.ts';
import { sellerRoutes } from './routes/seller.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { CatalogService } from './services/catalog.ts';
import { CheckoutService } from './services/checkouts/index.ts';
import type { ServiceContext } from './services/context.ts';
import { ServiceError } from './services/errors.ts';
import { IdempotencyService } from './services/idempotency.ts';
import { OrderService } from './services/orders.ts';
import { OriginPolicy } from './services/origins.ts';
import { WebhookDispatcher } from './services/outbox.ts';
import { PaymentEventService } from './services/payment-events.ts';
import { SellerService } from './services/sellers.ts';
import { type Clock, systemClock } from './util.ts';

export const VERSION = '0.1.0';

export interface AppOptions {
  /** An already-open database (tests share one); otherwise `config.databaseUrl` is opened. */
  db?: Db;
  clock?: Clock;
  payments?: PaymentProvider;
  /** The server's logger; by default one for `config.mode` writing to stdout. */
  log?: Logger;
}

export type App = Awaited<ReturnType<typeof createApp>>;

/**
 * Builds the endpoint: opens and migrates the database, wires the services, mounts protocol v1.
 * Listens nowhere — `server.ts` does that — so tests and embedders can mount `app.fetch`.
 */
export async function createApp(config: Config, options: AppOptions = {}) {
  const db = options.db ?? openDatabase(config.databaseUrl);
  await migrateToLatest(db.kysely as never, db.dialect);
  const ctx: ServiceContext = {
    db: db.kysely,
    dialect: db.dialect,
    config,
    clock: options.clock ?? systemClock,
    log: options.log ?? createLogger({ mode: config.mode }),
  };
  const payments = options.payments ?? createPaymentProvider(config);

  const sellers = new SellerService(ctx);
  const catalog = new CatalogService(ctx);
  const orders = new OrderService(ctx);
  const webhooks = new WebhookDispatcher(ctx);
  const origins = new OriginPolicy(config, (origin) => sellers.isOriginAllowedAnywhere(origin));
  const checkouts = new CheckoutService(ctx, payments, orders, origins, () => webhooks.poke());
  const idempotency = new IdempotencyService(ctx);
  const paymentEvents = payments.events
    ? new PaymentEventService(ctx, payments, payments.events, checkouts)
    : null;

  const clientIp = (c: Parameters<typeof getConnInfo>[0]) =>
    (config.trustProxy ? c.req.header('X-Forwarded-For')?.split(',')[0]?.trim() : undefined) ??
    getConnInfo(c).remote.address ??
    'unknown';

  const v1 = router();

  // The public protocol is called from any page that embeds the element (see OriginPolicy).
  const publicCors = cors({
    origin: (origin) => origins.corsOrigin(origin),
    allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    exposeHeaders: ['ETag', 'Idempotent-Replayed', 'Retry-After'],
    maxAge: 600,
  });
  for (const path of [
    '/products',
    '/products/*',
    '/checkouts',
    '/checkouts/*',
    '/downloads/*',
    '/health',
    '/openapi.json',
  ]) {
    v1.use(path, publicCors);
  }

  v1.use('*', async (c, next) => {
    if (c.req.method !== 'POST' && c.req.method !== 'PATCH' && c.req.method !== 'PUT')
      return next();
    if (c.req.path.endsWith('/file')) return next(); // raw upload, its own limit
    const type = c.req.header('Content-Type') ?? '';
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      throw new ServiceError(
        'unsupported_media_type',
        'Send the body as JSON with "Content-Type: application/json"',
      );
    }
    return bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: () => {
        throw new ServiceError(
          'payload_too_large',
          `Bodies are limited to ${config.bodyLimitBytes} bytes`,
        );
      },
    })(c, next);
  });

  v1.post(
    '/checkouts',
    rateLimiter({
      windowMs: 60_000,
      limit: config.checkoutRateLimit,
      standardHeaders: 'draft-7',
      keyGenerator: (c) => clientIp(c),
      handler: () => {
        throw new ServiceError(
          'rate_limited',
          'Too many checkouts from this address; wait a minute',
          { extra: { retryAfter: 60 } },
        );
      },
    }),
  );

  v1.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      summary: 'Liveness and database reachability',
      responses: {
        200: json(
          z.object({
            status: z.literal('ok'),
            version: z.string(),
            database: z.string(),
            payments: z.string(),
          }),
          'Healthy',
        ),
        503: problem('The database cannot be reached'),
      },
    }),
    async (c) => {
      try {
        await db.kysely.selectFrom('sellers').select('id').limit(1).execute();
      } catch (err) {
        console.error('[health] database check failed:', err);
        throw new ServiceError('internal_error', 'The database cannot be reached', { status: 503 });
      }
      return c.json(
        { status: 'ok' as const, version: VERSION, database: db.dialect, payments: payments.name },
        200,
      );
    },
  );

  v1.openapi(
    createRoute({
      method: 'get',
      path: '/downloads/{token}',
      summary: 'The file of a paid digital order (signed, expiring link)',
      request: { params: z.object({ token: z.string().max(2000) }) },
      responses: {
        200: { description: 'The file' },
        404: problem('Unknown link'),
        410: problem('Link expired'),
      },
    }),
    async (c) => {
      const file = await orders.openDownload(c.req.valid('param').token);
      return c.body(Buffer.from(file.data), 200, {
        'Content-Type': file.content_type,
        'Content-Length': String(file.size),
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'Cache-Control': 'private, no-store',
      });
    },
  );

  v1.route('/', productRoutes(catalog));
  v1.route('/', checkoutRoutes(checkouts, idempotency));
  v1.route('/seller', sellerRoutes({ sellers, catalog, orders, webhooks }));
  v1.route('/', webhookRoutes(paymentEvents));

  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
  });
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Commerce Endpoint Protocol',
      version: '1',
      description: 'The HTTP protocol <buy-in-post> speaks. See docs/protocol.md.',
    },
    servers: [{ url: `${config.publicUrl}/v1` }],
  });

  const app = router();
  app.route('/v1', v1);
  app.notFound((c) =>
    problemResponse(c, new ServiceError('not_found', `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => {
    if (err instanceof ServiceError) return problemResponse(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx (malformed JSON, a JSON type the validator refuses, and the like)
      if (err.status === 413 || err.status === 415) {
        const code = err.status === 413 ? 'payload_too_large' : 'unsupported_media_type';
        return problemResponse(c, new ServiceError(code));
      }
      const detail = err.message || 'The body is not valid JSON';
      return problemResponse(
        c,
        new ServiceError('validation_failed', detail, {
          status: 400,
          errors: [{ field: '(body)', message: detail }],
        }),
      );
    }
    // Never leak internals: log them, answer with a stable code only.
    console.error('[http] unhandled error on', c.req.method, c.req.path, err);
    return problemResponse(c, new ServiceError('internal_error'));
  });

  let sweeper: NodeJS.Timeout | null = null;
  return {
    app,
    config,
    db,
    services: {
      sellers,
      catalog,
      orders,
      checkouts,
      webhooks,
      idempotency,
      payments,
      paymentEvents,
    },
    /** Starts the background work: webhook delivery and expiry of lapsed reservations. */
    startBackground() {
      webhooks.start();
      sweeper = setInterval(() => {
        checkouts.releaseExpired().catch((err) => console.error('[sweeper] failed:', err));
        idempotency.purgeOld().catch((err) => console.error('[sweeper] failed:', err));
        paymentEvents?.purgeOld().catch((err) => console.error('[sweeper] failed:', err));
      }, config.sweepIntervalMs);
      sweeper.unref();
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      await webhooks.stop();
      if (!options.db) await db.close();
    },
  };
}
