import type { PaymentProvider } from '../payments/provider.ts';
import { createWallet } from '../wallet/index.ts';
import { CatalogService } from './catalog.ts';
import { ProductImages } from './catalog-images.ts';
import { CheckoutBuyers } from './checkouts/buyer.ts';
import { CheckoutService } from './checkouts/index.ts';
import { ConnectService } from './connect.ts';
import type { ServiceContext } from './context.ts';
import { IdempotencyService } from './idempotency.ts';
import { OrderService } from './orders.ts';
import { OriginPolicy } from './origins.ts';
import { WebhookDispatcher } from './outbox.ts';
import { PaymentEventService } from './payment-events.ts';
import { RefundService } from './refunds.ts';
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
  // Platform mode (Stripe Connect): a seller's readiness shows on every product it sells.
  const connect = new ConnectService(ctx, payments.connect, (id) =>
    catalog.lookups.sellerChanged(id),
  );
  const refunds = new RefundService(ctx, payments, orders, () => webhooks.poke());
  const origins = new OriginPolicy(ctx.config, (origin) => sellers.isOriginAllowedAnywhere(origin));
  const checkouts = new CheckoutService(
    ctx,
    payments,
    orders,
    origins,
    () => webhooks.poke(),
    buyers,
    connect.enabled ? connect : null,
  );
  const idempotency = new IdempotencyService(ctx);
  const retention = new Retention(ctx);
  const paymentEvents = payments.events
    ? new PaymentEventService(ctx, payments, payments.events, checkouts, { refunds, connect })
    : null;
  // Events of connected accounts come to an endpoint of their own, with a secret of its own.
  const connectEvents = payments.connect?.events
    ? new PaymentEventService(ctx, payments, payments.connect.events, checkouts, {
        refunds,
        connect,
      })
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
      { name: 'reverse refunded transfers left to do', run: () => refunds.retryReversals() },
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
    connectEvents,
    connect,
    refunds,
    origins,
    sweeper,
    wallet: wallet.service,
    /** Codes "mailed" in development without SMTP (GET /v1/dev/mailbox); null otherwise. */
    devMailbox: wallet.mailbox,
  };
}
