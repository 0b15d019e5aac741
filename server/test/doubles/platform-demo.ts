/**
 * Platform mode end to end, against the fake Stripe API, for a person to watch (docs/stripe.md,
 * "Trying platform mode against the fake Stripe API"):
 *
 *   cd server && node --import tsx test/doubles/platform-demo.ts [--serve]
 *
 * Starts the fake, then the real endpoint in platform mode pointed at it (a fresh SQLite file in a
 * temporary folder), makes a seller, onboards it, buys two T-shirts with a test card, refunds part
 * of the order, and prints each step with the fake's ledger. `--serve` keeps both running.
 * Everything goes through HTTP as in production: the seller API, the public checkout API, the
 * Stripe calls (the real SDK) and the signed webhooks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { connectEnv, startFakeStripe } from './stripe-api.ts';

const serveAfter = process.argv.includes('--serve');
const say = (line: string) => console.log(`• ${line}`);

const fake = await startFakeStripe();
const dir = mkdtempSync(join(tmpdir(), 'bip-platform-'));
const server = await startServer(
  loadConfig({
    ...connectEnv(fake, { BIP_PLATFORM_FEE_BPS: '1000' }),
    BIP_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: process.env.PORT ?? '0',
    DATABASE_URL: join(dir, 'platform.sqlite'),
    BIP_DATA_DIR: dir,
  }),
);
server.app.config.publicUrl = server.url;
fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
fake.connectWebhookUrl = `${server.url}/v1/webhooks/stripe/connect`;
say(`fake Stripe API at ${fake.url}; endpoint (platform mode, 10 % fee) at ${server.url}`);

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

const seller = await server.app.services.sellers.create({
  name: 'Nour & the Night Trains',
  kind: 'artist',
  shippingZones: [{ name: 'Home', countries: ['US'], rate: 500, freeOver: 5000 }],
});
const asSeller = { Authorization: `Bearer ${seller.apiKey}` };
say(`seller ${seller.id}, API key ${seller.apiKey}`);

let payouts = await call('GET', '/seller/payouts', undefined, asSeller);
say(
  `payouts: ${payouts.status}, account ${payouts.accountId}; onboarding link ${payouts.onboardingUrl}`,
);
await call(
  'POST',
  '/seller/products',
  {
    id: 'tour-tee',
    title: 'Tour T-shirt',
    kind: 'physical',
    options: [{ name: 'Size', values: ['M'] }],
    variants: [{ id: 'tour-tee-m', options: { Size: 'M' }, price: 2500, stock: 10 }],
  },
  asSeller,
);
say(
  `product look-up before onboarding: available=${(await call('GET', '/products/tour-tee')).available}`,
);

fake.updateAccount(payouts.accountId); // the seller finished Stripe's onboarding
await fake.idle();
payouts = await call('GET', '/seller/payouts', undefined, asSeller);
say(
  `after account.updated: ${payouts.status}; product available=${(await call('GET', '/products/tour-tee')).available}`,
);

const checkout = await call(
  'POST',
  '/checkouts',
  {
    productId: 'tour-tee',
    variantId: 'tour-tee-m',
    quantity: 2,
    shippingAddress: {
      name: 'Ada Reader',
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
    },
  },
  { 'Idempotency-Key': crypto.randomUUID() },
);
const asBuyer = { Authorization: `Bearer ${checkout.clientToken}` };
await call(
  'POST',
  `/checkouts/${checkout.id}/confirm`,
  { payment: { provider: 'stripe' } },
  {
    ...asBuyer,
    'Idempotency-Key': crypto.randomUUID(),
  },
);
// What Stripe.js does in the page: confirm the PaymentIntent with its client secret.
const secret: string = checkout.payment.clientSecret;
await fetch(`${fake.url}/v1/payment_intents/${secret.split('_secret_')[0]}/confirm`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    key: fake.publishableKey,
    client_secret: secret,
    'payment_method_data[type]': 'card',
    'payment_method_data[card][number]': '4242424242424242',
  }),
});
await fake.idle();
const paid = await call('GET', `/checkouts/${checkout.id}`, undefined, asBuyer);
say(`checkout ${paid.status}, order ${paid.order.number}, total ${paid.totals.total.amount}`);
const balances = () =>
  `platform ${fake.balance('platform')}, seller ${fake.balance(payouts.accountId)} (minor units)`;
say(`ledger: ${balances()}`);

const refunded = await call(
  'POST',
  `/seller/orders/${paid.order.id}/refunds`,
  { amount: 2000 },
  {
    ...asSeller,
    'Idempotency-Key': crypto.randomUUID(),
  },
);
await fake.idle();
say(
  `refund ${refunded.refund.id} of ${refunded.refund.amount.amount}: order ${refunded.order.refundStatus}`,
);
say(`ledger: ${balances()}`);
for (const e of fake.ledger)
  console.log(`    ${e.account.padEnd(22)} ${String(e.amount).padStart(6)}  ${e.type} ${e.source}`);

if (serveAfter) {
  say('serving; ^C to stop. The environment of this endpoint:');
  console.log({ ...connectEnv(fake), DATABASE_URL: join(dir, 'platform.sqlite') });
} else {
  await server.close();
  await fake.close();
}
