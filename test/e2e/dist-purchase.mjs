// The built bundle in a plain page: dist/buy-in-post.js loaded with one script tag from a tiny
// static server (no dev server, no transform: what a site would serve), against the real endpoint
// on another loopback origin with the demo catalogue, in Debian's Chromium, offline.
//
//   npm run build && npm run test:dist      (prints `dist: N passed, N failed`)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compactCss } from '../../vite.config.ts';
import {
  check,
  keepOffline,
  launchChromium,
  requireBuild,
  runChecks,
  serveStatic,
  shipToSpringfield,
  startEndpoint,
  step,
  testCardToReview,
} from './harness.ts';

requireBuild();

const TEE = 'tour-tee';
const page = (endpoint) => `<!doctype html>
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
      <buy-in-post product="${TEE}" post="https://social.example/@nour/101">
        <a href="https://example.com/nour/tour-tee">Get the tour T-shirt</a>
      </buy-in-post>
    </article>
  </body>
</html>`;

/**
 * The script-tag files by other addresses than their own, as WordPress's script functions write
 * them (`?ver=…`): the element's tag and the links module's, and a pasted product link.
 */
const versionedPage = (endpoint) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <meta name="buy-in-post-links" content="${endpoint}" />
    <title>A blog that versions its scripts</title>
    <script type="module" src="/dist/buy-in-post-links.js?ver=6.9"></script>
    <script type="module" src="/dist/buy-in-post.js?ver=3"></script>
  </head>
  <body>
    <article>
      <buy-in-post product="${TEE}"><a href="https://example.com/nour/tour-tee">Get the tour T-shirt</a></buy-in-post>
      <p>And the record: <a href="${endpoint}/p/vinyl-lp">Night Trains — vinyl LP</a></p>
    </article>
  </body>
</html>`;

// The page's origin must be known before the endpoint starts (its CORS list names it).
let html = '';
let versioned = '';
const site = await serveStatic({
  get '/post.html'() {
    return html;
  },
  get '/versioned.html'() {
    return versioned;
  },
  // the same page, the element's script by an address that redirects (a CDN's "latest")
  get '/redirected.html'() {
    return html.replace('/dist/buy-in-post.js', '/latest/buy-in-post.js');
  },
});
const endpoint = await startEndpoint({ corsOrigin: site.origin });
html = page(endpoint.url);
versioned = versionedPage(endpoint.url);
const browser = await launchChromium();

/**
 * Runs `check` on a fresh context showing the test page, then fails if the page had a script
 * error or tried to reach outside the machine. The context is closed whatever happens.
 */
async function withPage(check, { javaScriptEnabled = true, path = '/post.html' } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width: 420, height: 860 },
  });
  try {
    const refused = await keepOffline(context);
    await context.route(`${site.origin}/latest/*.js`, (route) =>
      route.fulfill({
        status: 302,
        headers: { location: route.request().url().replace('/latest/', '/dist/') },
      }),
    );
    const page = await context.newPage();
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => requests.push(new URL(r.url())));
    await page.goto(`${site.origin}${path}`);
    await check({ page, requests });
    if (refused.length) throw new Error(`requests left the machine: ${refused.join(', ')}`);
    if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
  } finally {
    await context.close();
  }
}

const chunk = (requests, prefix) =>
  requests.filter((u) => u.origin === site.origin && u.pathname.startsWith(`/dist/${prefix}`));

const tests = {
  'one script tag registers <buy-in-post> and the button shows the price': () =>
    withPage(async ({ page, requests }) => {
      await page.getByRole('button', { name: 'Buy · $25.00' }).waitFor();
      check(await page.evaluate(() => !!customElements.get('buy-in-post')), 'tag not defined');
      // One file, imported by nothing else: the browser need not wait for the page's parse to
      // end before it can ask for a second one (docs/embedding.md, "Performance timeline").
      const scripts = requests.filter((u) => u.pathname.endsWith('.js')).map((u) => u.pathname);
      check(scripts.join() === '/dist/buy-in-post.js', `scripts before interest: ${scripts}`);
      const lookups = requests.filter((u) => u.pathname === '/v1/products');
      check(lookups.length === 1, `${lookups.length} product requests, expected one batch`);
    }),

  'the checkout chunk loads on the first sign of interest, not before': () =>
    withPage(async ({ page, requests }) => {
      const buy = page.getByRole('button', { name: /^Buy/ });
      await buy.waitFor();
      check(chunk(requests, 'checkout-').length === 0, 'checkout chunk loaded at page load');
      const loaded = page.waitForRequest((r) =>
        new URL(r.url()).pathname.startsWith('/dist/checkout-'),
      );
      await buy.hover();
      await loaded;
    }),

  'a T-shirt in size M: open, pick, ship, test card, review, pay, order number': () =>
    withPage(async ({ page: p }) => {
      const purchased = p.evaluate(
        () =>
          new Promise((resolve) =>
            document.addEventListener('buy-in-post-purchase', (e) =>
              resolve({ orderNumber: e.orderNumber, total: e.total, variantId: e.variantId }),
            ),
          ),
      );
      purchased.catch(() => {}); // a failure below is the one to report

      await p.getByRole('button', { name: /^Buy/ }).click();
      await step(p, 'product');
      const dialog = p.getByRole('dialog', { name: 'Choose your item' });
      await dialog.waitFor();
      // Click the drawn label of size M, as a reader would; the native radio carries the state.
      await dialog
        .locator('label')
        .filter({ hasText: /^\s*M\s*$/ })
        .click();
      check(await p.getByRole('radio', { name: 'M', exact: true }).isChecked(), 'M not chosen');
      await p.getByRole('button', { name: 'Continue' }).click();

      await shipToSpringfield(p);

      await testCardToReview(p);
      const pay = p.getByRole('button', { name: /^Pay / });
      check((await pay.textContent()).includes('$30.00'), `pay button: ${await pay.textContent()}`);
      await pay.click();

      await step(p, 'done');
      const event = await purchased;
      await p.getByText(`Order ${event.orderNumber}`).waitFor();
      check(event.total.amount === 3000, `total ${JSON.stringify(event.total)}`);

      // …and the seller has it.
      const res = await fetch(`${endpoint.url}/v1/seller/orders`, {
        headers: { Authorization: `Bearer ${endpoint.sellerKeys['Nour & the Night Trains']}` },
      });
      const { orders } = await res.json();
      const order = orders.find((o) => o.number === event.orderNumber);
      check(order, `order ${event.orderNumber} not in the seller's orders`);
      check(order.variantOptions.Size === 'M', `size ${order.variantOptions.Size}`);
      check(order.postRef === 'https://social.example/@nour/101', `postRef ${order.postRef}`);
      check(order.shippingAddress?.city === 'Springfield', 'shipping address');
    }),

  'loaded as buy-in-post.js?ver=3 (and the links module as ?ver=6.9): one copy of the element, its checkout chunk takes that copy':
    () =>
      withPage(
        async ({ page, requests }) => {
          const buy = page.getByRole('button', { name: /^Buy/ });
          await buy.first().waitFor();
          await page.locator('buy-in-post[product="vinyl-lp"]').getByRole('button').waitFor();
          await buy.first().click();
          await step(page, 'product');
          const entries = requests.filter((u) => u.pathname === '/dist/buy-in-post.js');
          check(
            entries.length === 1 && entries[0].search === '?ver=3',
            `the entry was fetched by ${entries.map((u) => u.pathname + u.search).join(', ')}`,
          );
          check(chunk(requests, 'checkout-').length === 1, 'checkout chunk');
          const lit = await page.evaluate(() => globalThis.litHtmlVersions?.length);
          check(lit === 1, `Lit ran ${lit} times`);
        },
        { path: '/versioned.html' },
      ),

  'loaded through an address that redirects (/latest/ → /dist/): one copy, the checkout takes it':
    () =>
      withPage(
        async ({ page, requests }) => {
          await page.getByRole('button', { name: /^Buy/ }).click();
          await step(page, 'product');
          const entries = requests.filter((u) => u.pathname.endsWith('/buy-in-post.js'));
          check(
            entries.map((u) => u.pathname).join() === '/latest/buy-in-post.js,/dist/buy-in-post.js',
            `the entry was fetched by ${entries.map((u) => u.pathname).join(', ')}`,
          );
          const lit = await page.evaluate(() => globalThis.litHtmlVersions?.length);
          check(lit === 1, `Lit ran ${lit} times`);
        },
        { path: '/redirected.html' },
      ),

  // The build compacts the element's css`` templates (vite.config.ts, compactCss): every source
  // template, before and after, read by Chromium's own CSS parser, gives the same rules.
  'the build’s CSS compaction keeps every rule as the browser reads it': () =>
    withPage(async ({ page }) => {
      const template = /\bcss`([^`$\\]*)`/g;
      const files = readdirSync('src', { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join('src', f));
      const pairs = [];
      for (const file of files) {
        const code = readFileSync(file, 'utf8');
        const out = compactCss().transform.call({}, code, resolve(file));
        if (!out) continue;
        const before = [...code.matchAll(template)].map((m) => m[1]);
        const after = [...out.code.matchAll(template)].map((m) => m[1]);
        check(
          before.length === after.length,
          `${file}: ${before.length} → ${after.length} templates`,
        );
        // (An empty one is a comment's "css``", not a template.)
        for (const [i, css] of before.entries())
          if (css.trim()) pairs.push({ file, before: css, after: after[i] });
      }
      check(pairs.length >= 4, `only ${pairs.length} templates compacted`);
      const size = (key) => pairs.reduce((n, p) => n + p[key].length, 0);
      check(size('after') < size('before') * 0.9, `compacted ${size('before')} → ${size('after')}`);
      for (const { file, before, after } of pairs) {
        const [was, is] = await page.evaluate(
          (sources) =>
            sources.map((css) => {
              const sheet = new CSSStyleSheet();
              sheet.replaceSync(css);
              // A value with var() keeps its tokens as written, whitespace included: only the
              // space next to punctuation, which never separates two tokens, is left out.
              return [...sheet.cssRules].map((r) =>
                r.cssText.replace(/\s+/g, ' ').replace(/ ?([,(){}:;]) ?/g, '$1'),
              );
            }),
          [before, after],
        );
        check(was.length > 0, `${file}: no rules read`);
        const at = was.findIndex((rule, i) => rule !== is[i]);
        check(
          at === -1 && was.length === is.length,
          `${file}: rule ${at} differs after compaction\n  ${was[at]}\n  ${is[at]}`,
        );
      }
    }),

  'without JavaScript the light-DOM link is the way to buy': () =>
    withPage(
      async ({ page }) => {
        const link = page.getByRole('link', { name: 'Get the tour T-shirt' });
        check(await link.isVisible(), 'fallback link not visible');
      },
      { javaScriptEnabled: false },
    ),
};

const failed = await runChecks('dist', tests);
await browser.close();
await endpoint.close();
await site.close();
process.exit(failed ? 1 : 0);
