// The demo as `npm start` serves it (demo/site.ts in front of the real endpoint, one origin,
// seeded catalogue), in Debian's Chromium, offline: every page loads under its strict
// Content-Security-Policy with no violation, the timeline's elements price themselves, and the
// seller page refuses to be framed.
//
//   npm run build && node --import tsx test/e2e/demo-pages.mjs   (prints `demo: …`)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { DEMO_JWKS_PATH, demoHost, demoSite } from '../../demo/site.ts';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { seedDemo } from '../../server/src/seed.ts';
import { freePort } from '../helpers/endpoint.mjs';
import {
  check,
  keepOffline,
  launchChromium,
  requireBuild,
  runChecks,
  serveStatic,
} from './harness.ts';

requireBuild();

const dir = mkdtempSync(join(tmpdir(), 'bip-demo-'));
// As serve.ts does in development: the timeline is a host platform whose issuer the endpoint
// trusts, its JWKS served by the same site (so the port is chosen first).
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const issuer = `${origin}/demo`;
const app = await createApp(
  loadConfig({
    BIP_MODE: 'development',
    DATABASE_URL: join(dir, 'demo.sqlite'),
    BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [issuer]: `${origin}${DEMO_JWKS_PATH}` }),
  }),
);
app.config.publicUrl = origin;
const host = await demoHost({ issuer, audience: () => app.config.publicUrl });
const server = await new Promise((ready) => {
  const s = serve({ fetch: demoSite(app.app, host).fetch, port, hostname: '127.0.0.1' }, () =>
    ready(s),
  );
});
const seeded = await seedDemo(app, { imageBase: `${origin}/img` });
const browser = await launchChromium();

/** Every `securitypolicyviolation` the page reports, from the first script on. */
function recordViolations() {
  window.__violations = [];
  document.addEventListener(
    'securitypolicyviolation',
    (e) =>
      window.__violations.push(
        `${e.violatedDirective} (${e.blockedURI || 'inline'}) at ${e.composedPath()[0]?.outerHTML?.slice(0, 80) ?? e.sourceFile}`,
      ),
    true,
  );
}

/** Opens `path`, runs `check`, then fails on CSP violations, page errors or outside requests. */
async function visit(path, check) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  try {
    const refused = await keepOffline(context);
    await context.addInitScript(recordViolations);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(`${origin}${path}`);
    await check(page, res);
    const violations = await page.evaluate(() => window.__violations);
    if (violations.length) throw new Error(`CSP violations: ${violations.join(' | ')}`);
    if (refused.length) throw new Error(`requests left the machine: ${refused.join(', ')}`);
    if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
  } finally {
    await context.close();
  }
}

const tests = {
  'every demo page is served with a strict policy, nosniff and no framing': async () => {
    for (const path of [
      '/demo/index.html',
      '/demo/blog.html',
      '/demo/seller.html',
      '/demo/mailbox.html',
    ]) {
      const res = await fetch(`${origin}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      check(res.status === 200, `${path}: ${res.status}`);
      check(!csp.includes('unsafe-inline'), `${path}: ${csp}`);
      check(/script-src 'self'/.test(csp) && /style-src 'self'/.test(csp), `${path}: ${csp}`);
      check(/frame-ancestors 'none'/.test(csp), `${path} may be framed: ${csp}`);
      check(res.headers.get('x-frame-options') === 'DENY', `${path}: X-Frame-Options`);
      check(res.headers.get('x-content-type-options') === 'nosniff', `${path}: nosniff`);
    }
  },

  'the timeline prices its posts and opens a checkout under its policy': () =>
    visit('/demo/index.html', async (page) => {
      await page.getByRole('button', { name: /^Buy/ }).first().waitFor();
      await page.getByRole('button', { name: /^Theme/ }).click();
      await page.getByRole('button', { name: /^Buy/ }).first().click();
      await page.locator('buy-in-post [data-step="product"]').first().waitFor();
    }),

  'the "signed-in reader" switch: the timeline signs its reader in, one tap to saved details': () =>
    visit('/demo/index.html', async (page) => {
      await page.getByRole('button', { name: /^Buy/ }).first().waitFor();
      // the switch reloads the page as the host's reader signs in (or out)
      const reloaded = (on) =>
        page.waitForFunction(
          (on) =>
            performance.getEntriesByType('navigation')[0]?.type === 'reload' &&
            document.querySelector('#signed-in')?.checked === on &&
            document.readyState === 'complete',
          on,
        );
      await page.getByLabel('Signed-in reader').click();
      await reloaded(true);
      await page.getByRole('button', { name: /^Buy/ }).first().click();
      await page
        .locator('buy-in-post [part="wallet"]')
        .filter({ hasText: 'Signed in through this site' })
        .first()
        .waitFor();
      // and off again: the reader signed out of the host, the checkout forgets them
      await page.keyboard.press('Escape');
      await page.getByLabel('Signed-in reader').click();
      await reloaded(false);
      const kept = await page.evaluate(() =>
        Object.keys(sessionStorage).filter((k) => k.startsWith('buy-in-post:buyer:')),
      );
      check(kept.length === 0, `sessions kept: ${kept}`);
    }),

  'the mailbox page shows the code the endpoint "sent"': async () => {
    const res = await fetch(`${origin}/v1/buyer/codes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'newcomer@example.com' }),
    });
    check(res.status === 202, `POST /v1/buyer/codes: ${res.status}`);
    await visit('/demo/mailbox.html', async (page) => {
      await page.getByRole('heading', { name: /^\d{6} is your buy-in-post code$/ }).waitFor();
      await page.getByText('To newcomer@example.com').waitFor();
    });
  },

  'the blog page works with one script tag under its policy': () =>
    visit('/demo/blog.html', async (page) => {
      await page.getByRole('button', { name: /^Buy/ }).first().waitFor();
    }),

  'the timeline: a post’s plain product link became a Buy button beside it': () =>
    visit('/demo/index.html', async (page) => {
      await page
        .locator('a.product-link + buy-in-post[product="runner-sneakers"]')
        .getByRole('button', { name: /^Buy/ })
        .waitFor();
    }),

  'the blog: a pasted product link became a Buy button beside it': () =>
    visit('/demo/blog.html', async (page) => {
      await page
        .locator('a[href="/p/vinyl-lp"] + buy-in-post[product="vinyl-lp"]')
        .getByRole('button', { name: /^Buy/ })
        .waitFor();
    }),

  'the demo product pages render, with their cards': async () => {
    for (const id of ['tour-tee', 'vinyl-lp', 'shore-donation']) {
      const res = await fetch(`${origin}/p/${id}`);
      const html = await res.text();
      check(res.status === 200 && res.url.startsWith(`${origin}/p/${id}/`), `${id}: ${res.url}`);
      for (const tag of ['og:title', 'og:image', 'og:url', 'twitter:card'])
        check(
          new RegExp(`<meta (property|name)="${tag}" content="[^"]+"`).test(html),
          `${id}: ${tag}`,
        );
    }
  },

  'the seller page loads its script from a file and shows the API answer': () =>
    visit('/demo/seller.html', async (page) => {
      await page.getByLabel(/Seller API key/).fill(seeded.sellers[0].apiKey);
      await page.getByRole('button', { name: 'Show orders' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^0 order\(s\)$/ })
        .waitFor();
    }),

  'a page on another origin that frames the seller page gets nothing': async () => {
    const framer = await serveStatic({
      '/framer.html': `<!doctype html><iframe src="${origin}/demo/seller.html"></iframe>`,
    });
    const context = await browser.newContext();
    try {
      await keepOffline(context);
      const page = await context.newPage();
      await page.goto(`${framer.origin}/framer.html`, { waitUntil: 'load' });
      const frame = page.frames().find((f) => f !== page.mainFrame());
      const shown = frame
        ? await frame
            .locator('#login')
            .count()
            .catch(() => 0)
        : 0;
      check(shown === 0, 'the seller page was shown in a frame on another origin');
    } finally {
      await context.close();
      await framer.close();
    }
  },
};

const failed = await runChecks('demo', tests);
await browser.close();
server.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
