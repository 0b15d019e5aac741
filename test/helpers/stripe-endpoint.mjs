// The reference endpoint configured for Stripe, for the browser tests of the Stripe adapter: the
// real server (its own SQLite file) whose real `stripe` SDK talks to the fake Stripe API from
// server/test/doubles/stripe-api.ts, which posts signed webhooks back to it. The fake Stripe.js
// the test browser gets for js.stripe.com (test/doubles/stripe-js.js) talks to the same fake.
//
// Runs in the web-test-runner process (Node); TypeScript loads through tsx.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sellerCall, ZONES } from './endpoint.mjs';
import { hostIssuer, walletCommands } from './host-issuer.mjs';

/**
 * @param {{ dir: string, pageOrigin: string }} opts
 */
export async function createStripeEndpoint({ dir, pageOrigin }) {
  const { loadConfig } = await import('../../server/src/config.ts');
  const { startServer } = await import('../../server/src/server.ts');
  const { startFakeStripe, stripeEnv } = await import('../../server/test/doubles/stripe-api.ts');

  const fake = await startFakeStripe();
  const server = await startServer(
    loadConfig({
      BIP_MODE: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: join(dir, 'stripe.sqlite'),
      BIP_DEV_CORS_ORIGINS: pageOrigin,
      BIP_CHECKOUT_RATE_LIMIT: '100000',
      // one browser on 127.0.0.1 plays every reader of the run: no per-client caps
      BIP_CHECKOUT_CHANGE_RATE_LIMIT: '100000',
      BIP_CLIENT_MAX_HOLDS: '100000',
      BIP_CLIENT_MAX_UNITS: '100000',
      ...(await hostIssuer()).env,
      ...stripeEnv(fake),
    }),
  );
  const base = server.url;
  server.app.config.publicUrl = base;
  fake.webhookUrl = `${base}/v1/webhooks/stripe`;

  const { apiKey: key } = await server.app.services.sellers.create({
    name: 'Nour & the Night Trains',
    kind: 'artist',
    shippingZones: ZONES,
    taxRates: [{ country: 'FR', rateBps: 2000 }],
  });
  const api = (method, path, body) => sellerCall(base, key, method, path, body);

  let seq = 0;
  /** A poster in one size: each test makes its own, so orders and stock are its own. */
  async function newPoster({ price = 2500, stock = 10, kind = 'physical' } = {}) {
    const id = `stripe-poster-${++seq}`;
    await api('POST', '/seller/products', {
      id,
      title: 'Night Trains poster',
      kind,
      images: [{ url: `${pageOrigin}/__bip/img/poster.svg`, alt: 'A poster of a night train' }],
      variants: [{ id: `${id}-a2`, price, stock: kind === 'digital' ? null : stock }],
    });
    return { id, variant: `${id}-a2` };
  }

  /** Stripe.js as the test browser gets it: the fake, told where the fake API is. */
  const stripeJs = (
    await readFile(new URL('../doubles/stripe-js.js', import.meta.url), 'utf8')
  ).replaceAll('__FAKE_STRIPE_API__', fake.url);

  const intentOf = (clientSecret) => fake.paymentIntents.get(clientSecret.split('_secret_')[0]);

  const commands = {
    ...walletCommands('stripe', async () => server),
    /** The cards the fake Stripe holds for a customer's buyer (what the Payment Element lists). */
    'stripe-saved-cards': () =>
      [...fake.paymentMethods.values()]
        .filter((pm) => pm.customer)
        .map((pm) => ({ id: pm.id, customer: pm.customer, last4: pm.card.last4 })),
    'stripe-new-poster': (p) => newPoster(p ?? {}),
    'stripe-orders': async ({ productId }) =>
      (await api('GET', `/seller/orders?productId=${encodeURIComponent(productId)}`)).orders,
    'stripe-stock': async ({ productId }) =>
      (await api('GET', `/seller/products/${productId}`)).variants.map((v) => ({
        stock: v.stock,
        reserved: v.reserved,
      })),
    'stripe-checkouts': ({ productId }) =>
      server.app.db.kysely
        .selectFrom('checkouts')
        .select(['id', 'status', 'total', 'payment_ref', 'payment_mode'])
        .where('product_id', '=', productId)
        .orderBy('created_at')
        .execute(),
    /** The PaymentIntent behind a checkout's client secret, as the fake Stripe holds it. */
    'stripe-intent': ({ clientSecret }) => {
      const pi = intentOf(clientSecret);
      return pi ? { id: pi.id, amount: pi.amount, status: pi.status, currency: pi.currency } : null;
    },
    /** How webhooks are delivered from now on: `{ mode, duplicates, delayMs }`. */
    'stripe-webhooks': async (policy) => {
      fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0, ...policy };
      return true;
    },
    'stripe-deliveries': () => fake.deliveries,
    /** Pays a hosted page as the buyer would on Stripe's site; returns where Stripe sends them. */
    'stripe-pay-hosted': async ({ url, card = '4242424242424242', address }) => {
      const form = new URLSearchParams({ card, ...(address ?? {}) });
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      const text = await res.text();
      await fake.idle();
      return { status: res.status, location: res.headers.get('location'), text };
    },
  };

  return {
    info: { endpoint: base, publishableKey: fake.publishableKey, api: fake.url },
    stripeJs,
    plugin: {
      name: 'bip-stripe-endpoint',
      async executeCommand({ command, payload }) {
        const fn = commands[command];
        return fn ? fn(payload) : undefined;
      },
    },
    async close() {
      await server.close();
      await fake.close();
    },
  };
}
