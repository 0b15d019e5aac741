// Subresource Integrity as docs/embedding.md tells script-tag users to use it: the entry (Lit and
// the element, one file) pinned with `integrity` on its tag, the chunks it loads itself (the
// checkout reached by import(), and what that loads) pinned in an import map's "integrity"
// section, every hash from dist/sri.json. The page works with the right hashes, and a file whose
// bytes differ from its hash is not run.
// The built bundle from a plain static server, the real endpoint, Chromium, offline.
//
//   npm run build && node --import tsx test/e2e/dist-sri.mjs   (prints `sri: N passed, N failed`)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  check,
  keepOffline,
  launchChromium,
  requireBuild,
  root,
  runChecks,
  serveStatic,
  startEndpoint,
  step,
} from './harness.ts';

requireBuild();

/** @type {Record<string, string>} file → sha384-… */
const sri = JSON.parse(readFileSync(join(root, 'dist/sri.json'), 'utf8'));
const ENTRY = 'buy-in-post.js';
const fileLike = (prefix) => {
  const file = Object.keys(sri).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`dist/sri.json lists no ${prefix}*.js`);
  return file;
};
const CHECKOUT = fileLike('checkout-');
/** A well-formed hash of other bytes: what a changed file on a CDN amounts to. */
const WRONG = `sha384-${Buffer.alloc(48, 7).toString('base64')}`;

/** The page of docs/embedding.md, "Subresource Integrity", with `hashes` in place of sri.json. */
const page = (origin, endpoint, hashes) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <title>A post on a page that pins its scripts</title>
    <script type="importmap">${JSON.stringify({
      integrity: Object.fromEntries(
        Object.entries(hashes)
          .filter(([file]) => file !== ENTRY)
          .map(([file, hash]) => [`${origin}/dist/${file}`, hash]),
      ),
    })}</script>
    <script type="module" crossorigin="anonymous" src="/dist/${ENTRY}" integrity="${hashes[ENTRY]}"></script>
  </head>
  <body>
    <article>
      <buy-in-post product="tour-tee"><a href="https://example.com/tour-tee">Get the tour T-shirt</a></buy-in-post>
    </article>
  </body>
</html>`;

const pages = {};
const site = await serveStatic(pages);
const endpoint = await startEndpoint({ corsOrigin: site.origin });
pages['/pinned.html'] = page(site.origin, endpoint.url, sri);
pages['/changed-entry.html'] = page(site.origin, endpoint.url, { ...sri, [ENTRY]: WRONG });
pages['/changed-checkout.html'] = page(site.origin, endpoint.url, { ...sri, [CHECKOUT]: WRONG });
const browser = await launchChromium();

/**
 * Opens `path` in a fresh offline context; `run` gets the page, its console errors, and
 * `refusal`: settles when the browser reports a file refused for its integrity.
 */
async function withPage(path, run) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  try {
    const refused = await keepOffline(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const refusal = page.waitForEvent('console', {
      predicate: (m) => m.type() === 'error' && /integrity/i.test(m.text()),
      timeout: 20_000,
    });
    refusal.catch(() => {}); // awaited only by the checks that expect one
    await page.goto(`${site.origin}${path}`);
    await run({ page, errors, refusal });
    check(refused.length === 0, `requests left the machine: ${refused.join(', ')}`);
  } finally {
    await context.close();
  }
}

const buy = (page) => page.locator('buy-in-post').getByRole('button', { name: /Buy/ });

const failed = await runChecks('sri', {
  'every hash right: the price shows and Buy opens the checkout (its chunk pinned too)': () =>
    withPage('/pinned.html', async ({ page, errors }) => {
      await buy(page).waitFor();
      await buy(page).click();
      await step(page, 'product');
      check(errors.length === 0, `errors in the page: ${errors.join(' | ')}`);
    }),
  'the entry changed: not run, the reader sees the fallback link': () =>
    withPage('/changed-entry.html', async ({ page, refusal }) => {
      await refusal;
      check(
        await page.evaluate(() => customElements.get('buy-in-post') === undefined),
        '<buy-in-post> was defined from a file whose hash does not match',
      );
      check(await page.getByRole('link', { name: 'Get the tour T-shirt' }).isVisible(), 'no link');
    }),
  'the lazily loaded checkout changed: refused by the import map, the checkout never opens': () =>
    withPage('/changed-checkout.html', async ({ page, refusal }) => {
      await buy(page).waitFor();
      await buy(page).click();
      const message = await refusal;
      check(message.text().includes(CHECKOUT), `refused another file: ${message.text()}`);
      check(
        (await page.locator('buy-in-post [data-step="product"]').count()) === 0,
        'the checkout opened from a file whose hash does not match',
      );
    }),
});

await browser.close();
await endpoint.close();
await site.close();
process.exit(failed ? 1 : 0);
