import type { PaymentProvider } from '../payments/provider.ts';
import { createWallet } from '../wallet/index.ts';
import { CatalogService } from './catalog.ts';
import { ProductImages } from './catalog-images.ts';
import { CheckoutBuyers } from './checkouts/buyer.ts';
import { CheckoutService } from './checkouts/index.ts';
import type { ServiceContext } from './context.ts';
import { IdempotencyService } from './idempotency.ts';
import { OrderService } from './orders.ts';
import { OriginPolicy } from './origins.ts';
import { WebhookDispatcher } from './outbox.ts';
import { PaymentEventService } from './payment-events.ts';
import { Retention } from './retention.ts';
import { SellerSessions } from './seller-sessions.ts';
import { SellerService } from './sellers.ts';
import { Sweeper } from './sweeper.ts';

export type Services = ReturnType<typeof createServices>;

/** Every service of the endpoint, wired to one context and one payment provider. */
export function createServices(ctx: ServiceContext, payments: PaymentProvider) {
  const catalog = new CatalogService(ctx);
  const webhooks = new WebhookDispatcher(ctx);
  // A seller's name and shipping zones show on every product it sells.
  const sellers = new SellerService(ctx, (id) => catalog.lookups.sellerChanged(id));
  const wallet = createWallet(ctx, { onEvent: () => webhooks.poke() });
  // The dashboard's codes go through the wallet's mailer: one way codes are mailed.
  const sellerSessions = new SellerSessions(ctx, sellers, wallet.mailer);
  const images = new ProductImages(ctx, catalog);
  const buyers = new CheckoutBuyers(ctx, wallet.service, payments);
  const orders = new OrderService(ctx, buyers.orderHooks());
  const origins = new OriginPolicy(ctx.config, (origin) => sellers.isOriginAllowedAnywhere(origin));
  const checkouts = new CheckoutService(
    ctx,
    payments,
    orders,
    origins,
    () => webhooks.poke(),
    buyers,
  );
  const idempotency = new IdempotencyService(ctx);
  const retention = new Retention(ctx);
  const paymentEvents = payments.events
    ? new PaymentEventService(ctx, payments, payments.events, checkouts)
    : null;
  const sweeper = new Sweeper(
    [
      { name: 'expire lapsed holds', run: () => checkouts.releaseExpired() },
      { name: 'forget old idempotency keys', run: () => idempotency.purgeOld() },
      {
        name: 'forget closed checkouts’ personal data',
        run: () => retention.forgetClosedCheckouts(),
      },
      { name: 'forget old webhook payloads', run: () => retention.forgetOldEvents() },
      { name: 'forget lapsed wallet codes and sessions', run: () => wallet.service.purgeExpired() },
      {
        name: 'forget lapsed dashboard codes and sessions',
        run: () => sellerSessions.purgeExpired(),
      },
      ...(paymentEvents
        ? [{ name: 'forget old payment events', run: () => paymentEvents.purgeOld() }]
        : []),
    ],
    ctx.config.sweepIntervalMs,
    ctx.log.child({ scope: 'sweeper' }),
  );
  return {
    sellers,
    catalog,
    sellerSessions,
    images,
    orders,
    checkouts,
    webhooks,
    idempotency,
    payments,
    paymentEvents,
    origins,
    sweeper,
    wallet: wallet.service,
    /** Codes "mailed" in development without SMTP (GET /v1/dev/mailbox); null otherwise. */
    devMailbox: wallet.mailbox,
  };
}
