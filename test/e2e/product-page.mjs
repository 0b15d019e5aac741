// The endpoint's product pages (issue 15) in Debian's Chromium, offline: every demo product's page
// carries the cards a shared link shows (meta tags read in the page), is axe-clean with and
// without JavaScript under its strict policy, and a reader without JavaScript buys through
// Stripe's hosted page — the endpoint's real `stripe` SDK against the fake Stripe API
// (server/test/doubles/stripe-api.ts), which posts signed webhooks back.
//
//   npm run build && node --import tsx test/e2e/product-page.mjs   (prints `product pages: …`)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startFakeStripe, stripeEnv } from '../../server/test/doubles/stripe-api.ts';
import {
  check,
  keepOffline,
  launchChromium,
  payOnFakeHostedPage,
  requireBuild,
  runChecks,
  serveStatic,
  startEndpoint,
} from './harness.ts';

requireBuild();

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const fake = await startFakeStripe();
// the placeholder images the seeded catalogue names live on a site of their own
const images = await serveStatic({});
const endpoint = await startEndpoint({ corsOrigin: images.origin, env: stripeEnv(fake) });
fake.webhookUrl = `${endpoint.url}/v1/webhooks/stripe`;
const catalogue = await endpoint.server.app.services.catalog.lookups.lookUp(
  ['tour-tee', 'vinyl-lp', 'digital-album', 'runner-sneakers', 'shore-tote', 'shore-donation'],
  'e2e',
  { fresh: true },
);
const { products } = JSON.parse(Buffer.from(catalogue.body).toString('utf8'));
const browser = await launchChromium();

/** Every `securitypolicyviolation` the page reports, from the first script on. */
function recordViolations() {
  window.__violations = [];
  document.addEventListener(
    'securitypolicyviolation',
    (e) => window.__violations.push(`${e.violatedDirective} (${e.blockedURI || 'inline'})`),
    true,
  );
}

/**
 * Opens the product page of `id` (by its short address: the canonical one is reached by a
 * redirect) and runs `inspect`; fails on CSP violations, page errors or requests leaving the
 * machine. `javaScript: false` is a reader without JavaScript.
 */
async function visit(id, inspect, { javaScript = true } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    viewport: { width: 420, height: 860 },
  });
  try {
    const refused = await keepOffline(context);
    if (javaScript) await context.addInitScript(recordViolations);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(`${endpoint.url}/p/${id}`);
    check(res.status() === 200, `/p/${id}: ${res.status()}`);
    await inspect(page);
    if (javaScript) {
      const violations = await page.evaluate(() => window.__violations);
      if (violations.length) throw new Error(`CSP violations: ${violations.join(' | ')}`);
    }
    if (refused.length) throw new Error(`requests left the machine: ${refused.join(', ')}`);
    if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
  } finally {
    await context.close();
  }
}

/** axe-core's findings on the page (evaluated through DevTools: the page's policy runs no such script). */
async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  );
}

const content = (page, selector) => page.locator(selector).getAttribute('content');

const tests = {
  'every demo product has a page with its cards: Open Graph, Twitter, JSON-LD, oEmbed':
    async () => {
      for (const product of products) {
        await visit(product.id, async (page) => {
          const canonical = page.url();
          check(
            canonical.startsWith(`${endpoint.url}/p/${product.id}/`),
            `${product.id}: at ${canonical}`,
          );
          check(
            (await page.locator('link[rel="canonical"]').getAttribute('href')) === canonical,
            `${product.id}: canonical link`,
          );
          const og = {
            type: await content(page, 'meta[property="og:type"]'),
            title: await content(page, 'meta[property="og:title"]'),
            image: await content(page, 'meta[property="og:image"]'),
            url: await content(page, 'meta[property="og:url"]'),
            price: await content(page, 'meta[property="product:price:amount"]'),
          };
          check(og.type === 'product' && og.title === product.title, `${product.id}: ${og.title}`);
          check(og.image === product.images[0].url && og.url === canonical, JSON.stringify(og));
          const decimal = (product.priceFrom.amount / 100).toFixed(2);
          check(og.price === decimal, `${product.id}: og price ${og.price}, not ${decimal}`);
          check(
            (await content(page, 'meta[name="twitter:card"]')) === 'summary_large_image',
            `${product.id}: twitter:card`,
          );
          const ld = JSON.parse(
            await page.locator('script[type="application/ld+json"]').textContent(),
          );
          check(ld['@type'] === 'Product' && ld.name === product.title, JSON.stringify(ld));
          check(ld.offers.priceCurrency === product.priceFrom.currency, JSON.stringify(ld.offers));
          const oembed = await page
            .locator('link[type="application/json+oembed"]')
            .getAttribute('href');
          const answer = await (await fetch(oembed)).json();
          check(answer.type === 'rich' && answer.title === product.title, JSON.stringify(answer));
        });
      }
    },

  'with JavaScript: the element sells on the page, under the page’s policy, axe-clean': () =>
    visit('tour-tee', async (page) => {
      await page.getByRole('button', { name: /^Buy/ }).waitFor();
      check(!(await page.locator('form').isVisible()), 'the no-JavaScript form still shows');
      const found = await axeViolations(page);
      check(found.length === 0, `axe: ${found.join(' | ')}`);
    }),

  'without JavaScript: the page as such a reader sees it (the form) is axe-clean': async () => {
    // axe is a script: it runs in a page whose element never loads, which is what a reader
    // without JavaScript gets (an unknown element shows its content: the form).
    const context = await browser.newContext({ bypassCSP: true });
    try {
      await keepOffline(context);
      await context.route(`${endpoint.url}/element/**`, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(`${endpoint.url}/p/tour-tee`);
      await page.getByRole('button', { name: 'Continue to payment' }).waitFor();
      check(
        (await page.evaluate(() => customElements.get('buy-in-post'))) === undefined,
        'the element loaded',
      );
      const found = await axeViolations(page);
      check(found.length === 0, `axe: ${found.join(' | ')}`);
    } finally {
      await context.close();
    }
  },

  'without JavaScript: bought through Stripe’s hosted page, back on the product page': () =>
    visit(
      'tour-tee',
      async (page) => {
        await page.getByRole('heading', { level: 1, name: 'World Tour 2026 T-shirt' }).waitFor();
        const canonical = page.url();
        await page.getByLabel('Size / Colour').selectOption('tour-tee-m-sand');
        await page.getByLabel('Quantity').fill('2');
        await page.getByLabel('Email for your receipt').fill('ada@example.com');
        await page.getByLabel('Full name').fill('Ada Reader');
        await page.getByLabel('Address', { exact: true }).fill('1 Main Street');
        await page.getByLabel('City').fill('Springfield');
        await page.getByLabel('Country').selectOption('US');
        await page.getByRole('button', { name: 'Continue to payment' }).click();
        await page.waitForURL((u) => u.href.startsWith(`${fake.url}/c/pay/`));
        await payOnFakeHostedPage(page);
        await page.waitForURL((u) => u.href.startsWith(`${canonical}?`));
        await page.getByRole('status').filter({ hasText: 'your payment went through' }).waitFor();
        await fake.idle(); // the webhook that says it is paid
        const res = await fetch(`${endpoint.url}/v1/seller/orders`, {
          headers: { Authorization: `Bearer ${endpoint.sellerKeys['Nour & the Night Trains']}` },
        });
        const { orders } = await res.json();
        const mine = orders.filter((o) => o.postRef === canonical);
        check(mine.length === 1, `${mine.length} orders from the product page`);
        check(
          mine[0].quantity === 2 && mine[0].variantId === 'tour-tee-m-sand',
          JSON.stringify(mine[0]),
        );
      },
      { javaScript: false },
    ),
};

const failed = await runChecks('product pages', tests);
await browser.close();
await endpoint.close();
await fake.close();
await images.close();
process.exit(failed ? 1 : 0);
