// What the end-to-end checks of the built bundle (test/e2e/) and the page benchmark
// (bench/page.bench.ts) share: the real endpoint on a free port, a plain static file server (no
// dev-server transform of any kind: the browser gets dist/ byte for byte), and Debian's Chromium
// kept offline. Runs in Node through tsx (`node --import tsx …`).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/browser.mjs';
import { loadConfig } from '../../server/src/config.ts';
import { seedDemo } from '../../server/src/seed.ts';
import { type RunningServer, startServer } from '../../server/src/server.ts';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Chromium flags for these machines (see TOOLCHAIN.md), kept with the browser's discovery. */
export { CHROMIUM_ARGS };

/** Fails early, with the fix, when the bundle has not been built. */
export function requireBuild(): void {
  if (!existsSync(join(root, 'dist/buy-in-post.js'))) {
    console.error('✖ dist/buy-in-post.js is missing: run `npm run build` first');
    process.exit(1);
  }
}

export interface Endpoint {
  url: string;
  server: RunningServer;
  /** API keys of the seeded demo sellers, by seller name. */
  sellerKeys: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The reference endpoint on a free loopback port over a fresh SQLite file, seeded with the demo
 * catalogue, test payments on. `corsOrigin` is the page's origin: the endpoint is another origin,
 * as on a real site, so CORS is exercised for real.
 */
export async function startEndpoint(opts: {
  corsOrigin: string;
  env?: Record<string, string>;
}): Promise<Endpoint> {
  const dir = mkdtempSync(join(tmpdir(), 'bip-e2e-'));
  const server = await startServer(
    loadConfig({
      BIP_MODE: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: join(dir, 'e2e.sqlite'),
      BIP_DEV_CORS_ORIGINS: opts.corsOrigin,
      ...opts.env,
    }),
  );
  // The public URL (download links, images) is known only once the port is.
  server.app.config.publicUrl = server.url;
  const seeded = await seedDemo(server.app, { imageBase: `${opts.corsOrigin}/img` });
  return {
    url: server.url,
    server,
    sellerKeys: Object.fromEntries(seeded.sellers.map((s) => [s.name, s.apiKey])),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};
const PLACEHOLDER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="#888"/></svg>';

export interface StaticSite {
  origin: string;
  /** Every path asked for, in order (`/dist/buy-in-post.js`, …). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A plain static server on a free loopback port: the given pages (path → HTML), the files of
 * dist/ as they are on disk, and a grey placeholder for any `/img/*.svg`. Nothing else.
 * `headers` go on every answer (a page's Content-Security-Policy, say).
 */
export async function serveStatic(
  pages: Record<string, string>,
  { headers = {} }: { headers?: Record<string, string> } = {},
): Promise<StaticSite> {
  const requests: string[] = [];
  const dist = join(root, 'dist');
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    };
    if (pages[path] !== undefined) return send(200, TYPES['.html']!, pages[path]);
    if (/^\/img\/[\w-]+\.svg$/.test(path)) return send(200, TYPES['.svg']!, PLACEHOLDER_SVG);
    const file = resolve(root, `.${path}`);
    const type = TYPES[extname(file)];
    if (!type || !file.startsWith(dist + sep)) return send(404, 'text/plain', 'Not found');
    try {
      send(200, type, await readFile(file));
    } catch {
      send(404, 'text/plain', 'Not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * Chromium, headless: CHROME_PATH, else a system Chromium or Chrome, else Playwright's own
 * (scripts/browser.mjs; with none the run stops with how to get one). Never downloaded here.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Refuses every request that leaves the machine: the page must work from loopback alone.
 * Returns the refused URLs so a check can fail on them.
 */
export async function keepOffline(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route(
    (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname),
    (route) => {
      refused.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return refused;
}

/** Fails a check with `message` unless `ok`. */
export function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(message);
}

/** Waits until the element shows the checkout step `name`. */
export function step(page: Page, name: string): Promise<void> {
  return page.locator(`buy-in-post [data-step="${name}"]`).waitFor();
}

/** The element's shipping step, filled in as a reader in Springfield, US; then Continue. */
export async function shipToSpringfield(page: Page, email = 'ada@example.com'): Promise<void> {
  await step(page, 'shipping');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Full name' }).fill('Ada Reader');
  await page.getByRole('textbox', { name: 'Address', exact: true }).fill('1 Main Street');
  await page.getByRole('textbox', { name: 'City' }).fill('Springfield');
  await page.getByRole('combobox', { name: 'Country' }).selectOption('US');
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The element's payment step with the test provider's card that succeeds; on to the review. */
export async function testCardToReview(page: Page): Promise<void> {
  await step(page, 'payment');
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByRole('button', { name: /^Continue to review/ }).click();
  await step(page, 'review');
}

/** The fake Stripe API's hosted page (server/test/doubles/stripe-api.ts), filled in and paid. */
export async function payOnFakeHostedPage(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Full name' }).fill('Ada Reader');
  await page.getByRole('textbox', { name: 'Address', exact: true }).fill('1 Main Street');
  await page.getByRole('textbox', { name: 'City' }).fill('Springfield');
  await page.getByRole('textbox', { name: 'Postal code' }).fill('62701');
  await page.getByRole('button', { name: 'Pay' }).click();
}

/**
 * Runs the checks one after another, printing ✔ or ✖ (with the reason) for each and a last
 * plain line the CI can read, `<label>: N passed, N failed`. Returns how many failed.
 */
export async function runChecks(
  label: string,
  tests: Record<string, () => Promise<void>>,
): Promise<number> {
  let passed = 0;
  let failed = 0;
  for (const [name, run] of Object.entries(tests)) {
    try {
      await run();
      passed++;
      console.log(`  ✔ ${name}`);
    } catch (err) {
      failed++;
      const message = String((err as Error)?.message ?? err);
      console.log(`  ✖ ${name}\n      ${message.split('\n').join('\n      ')}`);
    }
  }
  console.log(`\n${label}: ${passed} passed, ${failed} failed`);
  return failed;
}
