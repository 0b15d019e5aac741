// Takes the README's picture of the seller dashboard (docs/dashboard.png): the demo catalogue's
// T-shirt in its editor beside the live preview, on a laptop-sized window, offline Chromium.
// Not a test; run it after changing the dashboard's look:
//
//   npm run build && node --import tsx test/e2e/dashboard-screenshot.mjs
import { join } from 'node:path';
import { placeholderSvg } from '../../demo/images.ts';
import { keepOffline, launchChromium, requireBuild, root, startEndpoint } from './harness.ts';

requireBuild();
const endpoint = await startEndpoint({ corsOrigin: 'http://127.0.0.1:1' });
const key = endpoint.sellerKeys['Nour & the Night Trains'];
const browser = await launchChromium();
let page;
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 960 },
    colorScheme: 'light',
  });
  await keepOffline(context);
  page = await context.newPage();
  page.setDefaultTimeout(15_000);

  // The demo's images live on the demo site, which the dashboard's policy does not load from:
  // upload each product's picture to the endpoint, as a seller would (drawn by Chromium as PNG).
  const { products } = await (
    await fetch(`${endpoint.url}/v1/seller/products`, {
      headers: { Authorization: `Bearer ${key}` },
    })
  ).json();
  for (const p of products) {
    const slug = p.images[0]?.url.match(/\/img\/([\w-]+)\.svg$/)?.[1] ?? p.id;
    await page.setContent(`<body style="margin:0">${placeholderSvg(slug)}</body>`);
    const png = await page.locator('svg').screenshot();
    const form = new FormData();
    form.set('file', new Blob([png], { type: 'image/png' }), `${slug}.png`);
    form.set('alt', p.images[0]?.alt ?? p.title);
    const url = `${endpoint.url}/v1/seller/products/${p.id}`;
    const auth = { Authorization: `Bearer ${key}` };
    const up = await fetch(`${url}/images`, { method: 'POST', headers: auth, body: form });
    if (up.status !== 201) throw new Error(`upload ${p.id}: ${up.status} ${await up.text()}`);
    const uploaded = (await up.json()).images.at(-1);
    await fetch(url, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ images: [uploaded] }),
    });
  }

  await page.goto(`${endpoint.url}/seller/`);
  await page.getByRole('button', { name: 'Developers: sign in with an API key' }).click();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in with the key' }).click();
  await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
  await page.locator('.product-card a', { hasText: 'World Tour 2026' }).click();
  await page.locator('.preview-pane.dark buy-in-post').getByRole('button').waitFor();
  await page.locator('.preview-pane.light buy-in-post').getByRole('button').waitFor();
  await page.waitForLoadState('networkidle');
  const path = join(root, 'docs/dashboard.png');
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
} catch (err) {
  console.error(err);
  console.error(
    await page
      ?.locator('body')
      .ariaSnapshot()
      .catch(() => ''),
  );
  process.exitCode = 1;
} finally {
  await browser.close();
  await endpoint.close();
}
