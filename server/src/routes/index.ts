import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { clientIp, clientKey } from '../http/client-ip.ts';
import { errorProblem, notFoundProblem } from '../http/errors.ts';
import { answerHeaders, jsonBodies, PUBLIC_PATHS, publicCors } from '../http/middleware.ts';
import { router } from '../http/openapi.ts';
import { checkoutRateLimits } from '../http/rate-limit.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services/index.ts';
import type { Clock } from '../util.ts';
import { buyerRoutes, devMailboxRoutes } from './buyer.ts';
import { checkoutRoutes } from './checkouts.ts';
import { dashboardRoutes, imageRoutes } from './dashboard.ts';
import { dashboardApp } from './dashboard-app.ts';
import { downloadRoutes } from './downloads.ts';
import { oembedRoutes } from './oembed.ts';
import { platformRoutes, serveOpenApiDocument } from './platform.ts';
import { productPageRoutes } from './product-pages.ts';
import { keptProducts, productRoutes } from './products.ts';
import { resolveRoutes } from './resolve.ts';
import { sellerRoutes } from './seller.ts';
import { webhookRoutes } from './webhooks.ts';

/**
 * The HTTP face of the endpoint: protocol v1 under `/v1` — its middleware first, in the order it
 * runs, then every route — and the answers for unknown paths and errors.
 */
export function httpApp(
  services: Services,
  deps: { config: Config; db: Db; log: Logger; clock: Clock },
) {
  const { config, db } = deps;
  const v1 = router();
  const client = clientKey(config);

  const cors = publicCors(services.origins);
  for (const path of PUBLIC_PATHS) v1.use(path, cors);
  v1.use('*', jsonBodies(config));
  const limits = checkoutRateLimits({
    config,
    db: db.kysely,
    clock: deps.clock,
    clientKey: client,
  });
  v1.post('/checkouts', limits.create);
  v1.patch('/checkouts/:id', limits.change);

  v1.route(
    '/',
    platformRoutes({
      ping: () => db.kysely.selectFrom('sellers').select('id').limit(1).execute(),
      database: db.dialect,
      payments: services.payments.name,
      log: deps.log,
    }),
  );
  v1.route('/', downloadRoutes(services.orders));
  v1.route('/', productRoutes(services.catalog));
  v1.route('/', resolveRoutes(services.catalog));
  v1.route('/', oembedRoutes(services.catalog, deps));
  v1.route('/', checkoutRoutes(services.checkouts, services.idempotency, { clientKey: client }));
  v1.route('/', dashboardRoutes({ config, sessions: services.sellerSessions }));
  v1.route('/', imageRoutes(services.images));
  v1.route('/seller', sellerRoutes(services, config));
  v1.route('/', webhookRoutes(services.paymentEvents, services.connectEvents));
  v1.route('/', buyerRoutes(services.wallet, { clientIp: clientIp(config) }));
  if (config.mode === 'development' && services.devMailbox)
    v1.route('/', devMailboxRoutes(services.devMailbox));
  serveOpenApiDocument(v1, config.publicUrl);

  const app = router();
  // Before every other middleware: it answers with what they would add.
  const kept = keptProducts(services.catalog, services.origins);
  app.get('/v1/products', kept);
  app.get('/v1/products/:id', kept);
  app.use('*', answerHeaders());
  app.route('/v1', v1);
  app.route('/', dashboardApp(config));
  app.route('/', productPageRoutes(services, { ...deps, limit: limits.create, clientKey: client }));
  app.notFound(notFoundProblem);
  app.onError(errorProblem(deps.log.child({ scope: 'http' })));
  return app;
}
