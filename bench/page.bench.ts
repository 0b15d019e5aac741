// Benchmark — figures, not a test: nothing here passes or fails on speed.
//
// A timeline of 1,000 posts, each with a <buy-in-post> beside it, in one plain page that loads
// only the built dist/buy-in-post.js (one script tag), in Debian's headless Chromium, against the
// real endpoint on loopback (SQLite, 200 products made through the seller API, so the posts sell
// 200 different things and the loader's batching and sharing are both exercised).
//
// Prints, for a phone-sized window:
//   - time from navigation until every button near the viewport shows its price;
//   - product requests made at load, and after scrolling the whole timeline;
//   - whether the checkout chunk was requested before any sign of interest;
//   - JS heap per element (1,000 elements minus an empty page, after GC, ÷ 1,000).
//
//   npm run build && node --import tsx bench/page.bench.ts      (or `npm run bench`)
import type { Page } from 'playwright';
import {
  keepOffline,
  launchChromium,
  requireBuild,
  serveStatic,
  startEndpoint,
} from '../test/e2e/harness.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const PRODUCTS = 200;
const RUNS = 3;

requireBuild();

const timeline = (endpoint: string, posts: number) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <title>Timeline</title>
    <style>article { block-size: 180px; border-block-end: 1px solid #ddd; padding: 8px; }</style>
    <script type="module" src="/dist/buy-in-post.js"></script>
  </head>
  <body>
    ${Array.from(
      { length: posts },
      (
        _,
        i,
      ) => `<article><p>Post ${i + 1}</p><buy-in-post product="bench-${i % PRODUCTS}" post="post-${i}">
      <a href="https://example.com/p/${i % PRODUCTS}">Buy</a></buy-in-post></article>`,
    ).join('\n')}
  </body>
</html>`;

let pages: Record<string, string> = {};
const site = await serveStatic({
  get '/timeline.html'() {
    return pages.timeline!;
  },
  get '/empty.html'() {
    return pages.empty!;
  },
});
const endpoint = await startEndpoint({ corsOrigin: site.origin });
pages = { timeline: timeline(endpoint.url, POSTS), empty: timeline(endpoint.url, 0) };

// 200 products through the seller API, as a seller would make them.
const key = Object.values(endpoint.sellerKeys)[0]!;
for (let i = 0; i < PRODUCTS; i++) {
  const res = await fetch(`${endpoint.url}/v1/seller/products`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: `bench-${i}`,
      title: `Print no. ${i}`,
      kind: 'physical',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { options: { Size: 'S' }, price: 1000 + i, stock: 5 },
        { options: { Size: 'M' }, price: 1000 + i, stock: 5 },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`product ${i}: ${res.status} ${await res.text()}`);
}

const browser = await launchChromium(['--js-flags=--expose-gc']);

/** Buttons whose box is within the element's 400 px look-ahead of the viewport. */
const NEAR_BUT_UNPRICED = `(() => {
  const margin = 400, h = innerHeight;
  return [...document.querySelectorAll('buy-in-post')].filter((el) => {
    const r = el.getBoundingClientRect();
    if (r.bottom < -margin || r.top > h + margin) return false;
    const b = el.shadowRoot?.querySelector('button[part="button"]');
    return !b || !/\\d/.test(b.textContent ?? '');
  }).length;
})()`;

async function heap(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as { gc?: () => void };
    for (let i = 0; i < 3; i++) {
      g.gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
  });
}

interface Run {
  priced: number;
  loadRequests: number;
  scrollRequests: number;
  loadedAtEnd: number;
  checkoutChunkAtLoad: boolean;
  heapPerElement: number;
}

async function once(): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await keepOffline(context);
  const page = await context.newPage();
  const productRequests: string[] = [];
  const chunks: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/v1/products') productRequests.push(u.search);
    if (u.pathname.startsWith('/dist/checkout-')) chunks.push(u.pathname);
  });

  const start = Date.now();
  await page.goto(`${site.origin}/timeline.html`);
  await page.waitForFunction(
    `customElements.get('buy-in-post') && document.querySelector('buy-in-post')?.shadowRoot && ${NEAR_BUT_UNPRICED} === 0`,
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  const priced = Date.now() - start;
  await page.waitForTimeout(300); // let any straggling batch show itself
  const loadRequests = productRequests.length;
  const checkoutChunkAtLoad = chunks.length > 0;

  // The reader scrolls the whole timeline, a screen at a time.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 800) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForFunction(NEAR_BUT_UNPRICED + ' === 0', undefined, {
      polling: 'raf',
      timeout: 30_000,
    });
  }
  const scrollRequests = productRequests.length;
  const loadedAtEnd = await page.evaluate(
    () =>
      [...document.querySelectorAll('buy-in-post')].filter((el) =>
        /\d/.test(el.shadowRoot?.querySelector('button[part="button"]')?.textContent ?? ''),
      ).length,
  );
  const full = await heap(page);

  const empty = await context.newPage();
  await empty.goto(`${site.origin}/empty.html`);
  await empty.waitForFunction(`!!customElements.get('buy-in-post')`);
  const base = await heap(empty);
  await context.close();
  return {
    priced,
    loadRequests,
    scrollRequests,
    loadedAtEnd,
    checkoutChunkAtLoad,
    heapPerElement: (full - base) / POSTS,
  };
}

const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
await browser.close();
await site.close();
await endpoint.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = (f: (r: Run) => number) => median(runs.map(f));
console.log(
  `\n<buy-in-post> page benchmark · ${POSTS} posts, ${PRODUCTS} products · 390×844 window · ` +
    `headless Chromium · median of ${RUNS} runs · node ${process.version}\n`,
);
console.log('| figure | value |');
console.log('| --- | ---: |');
console.log(
  `| time until every button near the viewport shows its price | ${m((r) => r.priced)} ms |`,
);
console.log(`| product requests at load | ${m((r) => r.loadRequests)} |`);
console.log(
  `| product requests after scrolling all ${POSTS} posts | ${m((r) => r.scrollRequests)} |`,
);
console.log(`| buttons priced at the end | ${m((r) => r.loadedAtEnd)} of ${POSTS} |`);
console.log(
  `| checkout chunk requested before interest | ${runs.some((r) => r.checkoutChunkAtLoad) ? 'yes' : 'no'} |`,
);
console.log(
  `| JS heap per element (after GC) | ${(m((r) => r.heapPerElement) / 1024).toFixed(1)} KiB |`,
);
