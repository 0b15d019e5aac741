// Stripe with the built bundle in a plain page, in Debian's Chromium, offline: the endpoint's real
// `stripe` SDK talks to the fake Stripe API (server/test/doubles/stripe-api.ts), which posts
// signed webhooks back; the page's requests to js.stripe.com get the fake Stripe.js
// (test/doubles/stripe-js.js). Unlike the web-test-runner tests, the page really navigates:
// to Stripe's hosted page and back.
//
//   npm run build && node --import tsx test/e2e/dist-stripe.mjs   (prints `dist (Stripe): …`)
import { readFile } from 'node:fs/promises';
import { startFakeStripe, stripeEnv } from '../../server/test/doubles/stripe-api.ts';
import {
  check,
  keepOffline,
  launchChromium,
  payOnFakeHostedPage,
  requireBuild,
  runChecks,
  serveStatic,
  shipToSpringfield,
  startEndpoint,
  step,
} from './harness.ts';

requireBuild();

const TEE = 'tour-tee';
const page = (endpoint, mode) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <title>A post that sells something</title>
    <script type="module" src="/dist/buy-in-post.js"></script>
  </head>
  <body>
    <article>
      <p>The 2026 tour tees are here.</p>
      <buy-in-post product="${TEE}" payment-mode="${mode}"></buy-in-post>
    </article>
  </body>
</html>`;

const fake = await startFakeStripe();
const pages = { elements: '', hosted: '' };
const site = await serveStatic({
  get '/post.html'() {
    return pages.elements;
  },
  get '/hosted.html'() {
    return pages.hosted;
  },
});
const endpoint = await startEndpoint({
  corsOrigin: site.origin,
  env: stripeEnv(fake),
});
fake.webhookUrl = `${endpoint.url}/v1/webhooks/stripe`;
pages.elements = page(endpoint.url, '');
pages.hosted = page(endpoint.url, 'hosted');
const stripeJs = (
  await readFile(new URL('../doubles/stripe-js.js', import.meta.url), 'utf8')
).replaceAll('__FAKE_STRIPE_API__', fake.url);
const browser = await launchChromium();

async function withPage(path, check) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  try {
    const refused = await keepOffline(context);
    // registered last, so asked first: Stripe.js is the fake, everything else outside is refused
    const stripeJsRequests = [];
    await context.route('https://js.stripe.com/**', (route) => {
      stripeJsRequests.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: stripeJs });
    });
    const p = await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${site.origin}${path}`);
    await check(p, stripeJsRequests);
    if (refused.length) throw new Error(`requests left the machine: ${refused.join(', ')}`);
    if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
  } finally {
    await context.close();
  }
}

async function toPayment(p) {
  await p.getByRole('button', { name: /^Buy/ }).click();
  await step(p, 'product');
  await p.getByRole('button', { name: 'Continue' }).click();
  await shipToSpringfield(p);
  await step(p, 'payment');
}

async function ordersNumbered(number) {
  const res = await fetch(`${endpoint.url}/v1/seller/orders`, {
    headers: { Authorization: `Bearer ${endpoint.sellerKeys['Nour & the Night Trains']}` },
  });
  const { orders } = await res.json();
  return orders.filter((o) => o.number === number);
}

const tests = {
  'Stripe.js only at the payment step; a card that asks for 3-D Secure; the order': () =>
    withPage('/post.html', async (p, stripeJsRequests) => {
      await p.getByRole('button', { name: /^Buy/ }).waitFor();
      await p.getByRole('button', { name: /^Buy/ }).hover();
      check(stripeJsRequests.length === 0, 'Stripe.js loaded before the payment step');
      await toPayment(p);
      await p.getByLabel('Card number').fill('4000 0025 0000 3155');
      check(stripeJsRequests.length === 1, `${stripeJsRequests.length} Stripe.js requests`);
      await p.getByLabel('Expiration date').fill('12 / 34');
      await p.getByLabel('Security code').fill('123');
      await p.getByRole('button', { name: /^Continue to review/ }).click();
      await step(p, 'review');
      await p.getByRole('button', { name: /^Pay / }).click();
      // Stripe's challenge must be usable above the checkout (a real click, not a script's)
      await p.getByRole('button', { name: 'Complete authentication' }).click();
      await step(p, 'done');
      const number = (await p.locator('buy-in-post .order-number').textContent())
        .replace(/^\s*Order\s+/, '')
        .trim();
      check((await ordersNumbered(number)).length === 1, `order ${number} not at the seller`);
    }),

  'hosted mode: to Stripe’s page and back, and the element shows the order': () =>
    withPage('/hosted.html', async (p, stripeJsRequests) => {
      await toPayment(p);
      const link = p.getByRole('link', { name: /^Go to secure payment/ });
      await link.click();
      await p.waitForURL((u) => u.href.startsWith(`${fake.url}/c/pay/`));
      check(stripeJsRequests.length === 0, 'Stripe.js loaded for a hosted payment');
      await payOnFakeHostedPage(p);
      // back on the host page, which loads again: the element reopens on its own
      await p.waitForURL((u) => u.origin === site.origin);
      await step(p, 'done');
      const url = new URL(p.url());
      check(!url.searchParams.has('bip_checkout'), `return parameters left in ${url}`);
      const number = (await p.locator('buy-in-post .order-number').textContent())
        .replace(/^\s*Order\s+/, '')
        .trim();
      check((await ordersNumbered(number)).length === 1, `order ${number} not at the seller`);
    }),
};

const failed = await runChecks('dist (Stripe)', tests);
await browser.close();
await endpoint.close();
await fake.close();
await site.close();
process.exit(failed ? 1 : 0);
