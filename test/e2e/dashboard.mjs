// The seller dashboard as the endpoint serves it at /seller/ (dist-dashboard/), against the real
// endpoint over a fresh SQLite file, in Debian's Chromium, offline, at a phone's width (390 px):
// a new seller signs in with the code mailed to a real SMTP server, sets up the shop, creates a
// product with two options and an image, copies the snippet into a blank page on another origin
// where a reader buys it, finds the order, fulfils it, and the seller's webhook receiver hears
// `order.fulfilled`. Also: a stale edit shows the 412 message, another seller's product is not
// found by URL tampering, and axe finds nothing on any page, in English and in Arabic.
//
//   npm run build && node --import tsx test/e2e/dashboard.mjs   (prints `dashboard: …`)
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import {
  check,
  keepOffline,
  launchChromium,
  requireBuild,
  root,
  runChecks,
  serveStatic,
  shipToSpringfield,
  startEndpoint,
  step,
  testCardToReview,
} from './harness.ts';

requireBuild();
if (!existsSync(join(root, 'dist-dashboard/index.html'))) {
  console.error('✖ dist-dashboard/index.html is missing: run `npm run build` first');
  process.exit(1);
}

const EMAIL = 'mira@studio.example';
const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
// A 2×2 PNG: enough bytes for the endpoint to read its type from.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR42mNk+M9QzwAEjDAGNzYAAB6VAw1uX+qMAAAAAElFTkSuQmCC',
  'base64',
);

/** A real SMTP server: the endpoint mails codes through nodemailer to it; the test reads them. */
async function startSmtp() {
  const waiting = new Map();
  const inbox = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = {
          to: session.envelope.rcptTo[0]?.address,
          code: /Your code: (\d{6})/.exec(raw)?.[1],
        };
        const w = waiting.get(mail.to);
        if (w) {
          waiting.delete(mail.to);
          w(mail);
        } else inbox.push(mail);
        done();
      });
    },
  });
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${smtp.server.address().port}`,
    next: (to) => {
      const i = inbox.findIndex((m) => m.to === to);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      return new Promise((r) => waiting.set(to, r));
    },
    close: () => new Promise((r) => smtp.close(r)),
  };
}

/** The seller's webhook receiver: records every event posted to it. */
async function startReceiver() {
  const events = [];
  const listeners = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      events.push(event);
      for (const l of listeners.splice(0)) l();
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/bip`,
    events,
    /** The first event of `type` for the order `number`, waited for (the outbox delivers it). */
    async waitFor(type, number) {
      for (;;) {
        const found = events.find((e) => e.type === type && e.data?.order?.number === number);
        if (found) return found;
        await new Promise((r) => listeners.push(r));
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Fails with `what` if `promise` takes longer than `ms`. */
function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
    }),
  ]);
}

// The reader's blog: a blank page on another origin, which gets the copied snippet.
let post = '';
const blog = await serveStatic({
  get '/post.html'() {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog post</title></head><body><article><h1>New prints</h1>${post}</article></body></html>`;
  },
});
const smtp = await startSmtp();
const receiver = await startReceiver();
const endpoint = await startEndpoint({
  corsOrigin: blog.origin,
  env: { BIP_SMTP_URL: smtp.url, BIP_MAIL_FROM: 'shop@endpoint.example' },
});
const seller = await endpoint.server.app.services.sellers.create({
  name: 'Mira Studio',
  kind: 'artist',
  email: EMAIL,
});
const base = `${endpoint.url}/seller/`;
const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: endpoint.url });
const refused = await keepOffline(context);
const page = await context.newPage();
// Each step waits for what a seller would see at once; ten seconds is plenty on a loaded machine.
page.setDefaultTimeout(10_000);
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
// Refused requests the app expects (401 before sign-in, 404 for the payouts probe, 415 for the
// text file) are logged by Chromium as "Failed to load resource"; any other console error counts.
page.on(
  'console',
  (m) =>
    m.type() === 'error' &&
    !m.text().startsWith('Failed to load resource') &&
    errors.push(m.text()),
);
/** What the whole run shares: the product made, the order bought. */
const made = { productId: '', orderNumber: '' };

/** axe-core on the page as it is (WCAG 2.x A and AA); fails listing each violation. */
async function axe(label) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(!violations.length, `axe (${label}): ${violations.join(' | ')}`);
  // BIP_DASHBOARD_SHOTS=<dir>: a phone-sized picture of each page checked, to look at.
  if (process.env.BIP_DASHBOARD_SHOTS)
    await page.screenshot({
      path: join(process.env.BIP_DASHBOARD_SHOTS, `${label.replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  // And usable at 390 px: nothing wider than the screen.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `${label}: the page is ${width} px wide at 390 px`);
}

/**
 * Keyboard: Tab from the first control reaches every visible, enabled control of the page
 * (links, buttons, fields), in the page's own order — nothing is reachable only by pointer.
 */
async function everyControlByTab(label) {
  const count = await page.evaluate(() => {
    const controls = [
      ...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'),
    ].filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0);
    controls.forEach((el, i) => {
      el.dataset.tabProbe = String(i);
    });
    controls[0]?.focus();
    return controls.length;
  });
  const reached = new Set(['0']);
  // A few more presses than controls: the preview's element holds buttons in its shadow root.
  for (let i = 0; i < count + 6; i++) {
    await page.keyboard.press('Tab');
    const probe = await page.evaluate(() => document.activeElement?.dataset?.tabProbe ?? null);
    if (probe !== null) reached.add(probe);
  }
  const missed = await page.evaluate(
    (reached) =>
      [...document.querySelectorAll('[data-tab-probe]')]
        .filter((el) => !reached.includes(el.dataset.tabProbe))
        .map((el) => el.outerHTML.slice(0, 80)),
    [...reached],
  );
  check(!missed.length, `${label}: not reached by Tab: ${missed.join(' | ')}`);
}

/** axe in English, then in Arabic (right to left), then back; and every control by Tab. */
async function axeBoth(label) {
  await everyControlByTab(label);
  await axe(`${label}, en`);
  await page.getByLabel('Language').selectOption('ar');
  await page.locator('html[dir="rtl"][lang="ar"]').waitFor();
  await axe(`${label}, ar`);
  await page.getByLabel('اللغة').selectOption('en');
  await page.locator('html[dir="ltr"][lang="en"]').waitFor();
}

const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();

/**
 * Scrolls the dark preview into view. A save re-renders the preview, and Playwright does not
 * retry a scroll whose element was replaced between finding and scrolling ("not attached").
 */
async function scrollToPreview() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.locator('.preview-pane.dark').scrollIntoViewIfNeeded({ timeout: 10_000 });
    } catch (err) {
      if (attempt >= 5 || !/not attached/i.test(String(err))) throw err;
    }
  }
}

const tests = {
  'a new seller signs in with the code mailed to them, by keyboard alone': async () => {
    await page.goto(base);
    await heading('Sign in to your shop');
    await axeBoth('sign-in');
    // A fresh page puts focus on its heading; Tab goes on to the email field.
    await page.reload();
    await heading('Sign in to your shop');
    const focused = (locator) => locator.evaluate((el) => el === document.activeElement);
    check(await focused(page.getByRole('heading', { level: 1 })), 'the heading has not the focus');
    await page.keyboard.press('Tab');
    check(await focused(page.getByLabel('Email')), 'Tab from the heading misses the email field');
    // The skip link leads there too.
    await page.getByRole('link', { name: 'Skip to content' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    check(await focused(page.getByLabel('Email')), 'the skip link does not lead to the form');
    await page.keyboard.type(EMAIL);
    const mail = smtp.next(EMAIL);
    await page.keyboard.press('Enter');
    const { code } = await within(10_000, 'the code mail', mail);
    check(/^\d{6}$/.test(code ?? ''), `no code in the mail: ${code}`);
    await page.getByLabel('Code').waitFor();
    check(
      await page.getByLabel('Code').evaluate((el) => el === document.activeElement),
      'focus is not on the code field',
    );
    // A wrong code first: the endpoint's refusal, in the seller's words, beside the code field.
    await page.keyboard.type(code === '000000' ? '111111' : '000000');
    await page.keyboard.press('Enter');
    await page
      .locator('#sign-in-code-error')
      .filter({ hasText: 'This code is not the one we sent' })
      .waitFor();
    check(
      await page.getByLabel('Code').evaluate((el) => el === document.activeElement),
      'focus is not back on the code field',
    );
    await page.getByLabel('Code').fill('');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await heading('Products');
    await page.getByText('No products yet').waitFor();
    await axeBoth('products, empty');
  },

  'settings: a zone and the webhook URL saved, errors beside their field; the API key rotated':
    async () => {
      await page.getByRole('link', { name: 'Settings' }).click();
      await heading('Settings');
      // A single-seller endpoint has no payouts: no such page in the navigation
      // (test/e2e/dashboard-payouts.mjs has the platform's).
      check(!(await page.getByRole('link', { name: 'Payouts' }).count()), 'a Payouts link');
      await page.getByRole('button', { name: 'Add a zone' }).click();
      await page.getByLabel('Zone 1 name').fill('Everywhere we ship');
      await page.getByLabel('Zone 1 countries').fill('US, gb');
      await page.getByLabel('Zone 1 rate').fill('five');
      await page.getByLabel('Webhook URL').fill(receiver.url);
      await page.getByRole('button', { name: 'Save settings' }).click();
      // The client checks with the server's own schema: the rate is refused before any request.
      await page.locator('#s-zone-0-rate-error').filter({ hasText: 'Enter an amount' }).waitFor();
      check(
        await page.getByLabel('Zone 1 rate').evaluate((el) => el === document.activeElement),
        'focus is not on the field in error',
      );
      await page.getByLabel('Zone 1 rate').fill('5');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      const me = await (
        await fetch(`${endpoint.url}/v1/seller/me`, {
          headers: { Authorization: `Bearer ${seller.apiKey}` },
        })
      ).json();
      check(me.webhookUrl === receiver.url, `webhook URL ${me.webhookUrl}`);
      check(me.shippingZones[0]?.countries.join() === 'US,GB', JSON.stringify(me.shippingZones));
      check(me.shippingZones[0]?.rate === 500, JSON.stringify(me.shippingZones));
      await axeBoth('settings');
      // A new API key, shown once; the old one keeps working through the grace period.
      await page.getByRole('button', { name: 'Rotate the API key' }).click();
      const fresh = await page.getByLabel('New value (shown once, copy it now)').inputValue();
      check(fresh && fresh !== seller.apiKey, 'no new key shown');
      for (const key of [fresh, seller.apiKey]) {
        const res = await fetch(`${endpoint.url}/v1/seller/me`, {
          headers: { Authorization: `Bearer ${key}` },
        });
        check(res.status === 200, `${key === fresh ? 'new' : 'old'} key: ${res.status}`);
      }
      await page.getByText(/The old one works until/).waitFor();
    },

  'a product with two options (four variants) and an image': async () => {
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('link', { name: 'New product' }).click();
    await heading('New product');
    await axeBoth('new product');
    await page.getByLabel('Title').fill('Night Trains print');
    await page.getByLabel('Description', { exact: true }).fill('A risograph print, signed.');
    await page.getByRole('button', { name: 'Add an option' }).click();
    await page.getByLabel('Option 1 name').fill('Size');
    await page.getByLabel('Option 1 values').fill('A4, A3');
    await page.getByRole('button', { name: 'Add an option' }).click();
    await page.getByLabel('Option 2 name').fill('Paper');
    await page.getByLabel('Option 2 values').fill('Matte, Gloss');
    check((await page.locator('.variant').count()) === 4, 'not four variants');
    for (let i = 0; i < 4; i++) {
      await page.locator(`#p-v-${i}-price`).fill(i < 2 ? '25' : '35.50');
      await page.locator(`#p-v-${i}-stock`).fill('10');
    }
    await page.locator(`#p-v-1-compare`).fill('30');
    await page.getByLabel('Upload an image').setInputFiles({
      name: 'print.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page.getByLabel('Description of image 1').fill('The print on a wall');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('status').filter({ hasText: 'Product created.' }).waitFor();
    await heading('Edit “Night Trains print”');
    made.productId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    const product = await (
      await fetch(`${endpoint.url}/v1/seller/products/${made.productId}`, {
        headers: { Authorization: `Bearer ${seller.apiKey}` },
      })
    ).json();
    check(product.variants.length === 4, `${product.variants.length} variants`);
    check(product.options.map((o) => o.name).join() === 'Size,Paper', 'options');
    check(product.images.length === 1, `${product.images.length} images`);
    check(product.images[0].alt === 'The print on a wall', `alt ${product.images[0].alt}`);
    const img = await fetch(product.images[0].url);
    check(
      img.status === 200 && img.headers.get('content-type') === 'image/png',
      'image not served',
    );
    // The preview: the real element, light in English and dark in Arabic. (An element far from
    // the viewport renders nothing yet: the preview sits below the form on a phone.)
    await scrollToPreview();
    await page
      .locator('.preview-pane.light buy-in-post')
      .getByRole('button', { name: /^Buy/ })
      .waitFor();
    await page
      .locator('.preview-pane.dark buy-in-post')
      .getByRole('button', { name: /^اشترِ/ })
      .waitFor();
    await axeBoth('product editor');
    // A price changed and saved (two variants, each its own If-Match write): the preview follows.
    await page.locator('#p-v-0-price').fill('24');
    await page.locator('#p-v-1-price').fill('24');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await scrollToPreview();
    await page
      .locator('.preview-pane.light buy-in-post')
      .getByRole('button', { name: /\$24\.00/ })
      .waitFor();
  },

  'a text file is refused as an image, with the reason beside the upload field': async () => {
    await page.getByLabel('Upload an image').setInputFiles({
      name: 'not-an-image.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this is not a picture'),
    });
    await page.locator('#p-image-upload-error').waitFor();
    check(
      (await page.locator('.images li').count()) === 1,
      'the refused file was added to the images',
    );
  },

  'share: the site is allowed, the snippet copied, and a reader buys from a page on another origin':
    async () => {
      await page.getByRole('link', { name: 'Share' }).first().click();
      await heading('Share “Night Trains print”');
      await page.getByLabel('Site address').fill(blog.origin);
      await page.getByRole('button', { name: 'Add site' }).click();
      await page.getByRole('button', { name: `Remove ${blog.origin}` }).waitFor();
      await axeBoth('share');
      // The post the snippet goes into: orders will say which post sold them.
      await page.getByLabel('Post address').fill(`${blog.origin}/post.html`);
      await page.getByRole('button', { name: 'Copy snippet' }).click();
      await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      post = await page.evaluate(() => navigator.clipboard.readText());
      check(post.includes(`product="${made.productId}"`), post);

      const reader = await browser.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const readerRefused = await keepOffline(reader);
        const p = await reader.newPage();
        await p.goto(`${blog.origin}/post.html`);
        const purchased = p.evaluate(
          () =>
            new Promise((resolve) =>
              document.addEventListener('buy-in-post-purchase', (e) => resolve(e.orderNumber)),
            ),
        );
        purchased.catch(() => {});
        await p.getByRole('button', { name: /^Buy/ }).click();
        await step(p, 'product');
        const dialog = p.getByRole('dialog');
        await dialog.getByRole('radio', { name: 'A3' }).check();
        await dialog.getByRole('radio', { name: 'Gloss' }).check();
        await p.getByRole('button', { name: 'Continue' }).click();
        await shipToSpringfield(p, 'reader@example.com');
        await testCardToReview(p);
        const pay = p.getByRole('button', { name: /^Pay / });
        check((await pay.textContent()).includes('$40.50'), `pay: ${await pay.textContent()}`);
        await pay.click();
        await step(p, 'done');
        made.orderNumber = await purchased;
        check(!readerRefused.length, `the reader's page left the machine: ${readerRefused}`);
      } finally {
        await reader.close();
      }
    },

  'the order appears in the dashboard; the seller fulfils it; the webhook hears order.fulfilled':
    async () => {
      await page.getByRole('link', { name: 'Orders' }).click();
      await heading('Orders');
      await page.getByRole('link', { name: made.orderNumber }).waitFor();
      await axeBoth('orders');
      // The same orders as CSV, a plain download.
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export CSV' }).click();
      const csv = readFileSync(await (await download).path(), 'utf8');
      check(csv.includes(made.orderNumber), `the CSV lacks the order: ${csv.slice(0, 300)}`);
      // Search by order number, lower case.
      await page.getByLabel('Order number or email').fill(made.orderNumber.toLowerCase());
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByRole('status').filter({ hasText: '1 order(s)' }).waitFor();
      await page.getByRole('link', { name: made.orderNumber }).click();
      await heading(`Order ${made.orderNumber}`);
      await page.getByText('Size: A3, Paper: Gloss').waitFor();
      await page.getByRole('link', { name: `${blog.origin}/post.html` }).waitFor();
      await axeBoth('order detail');
      await page.getByLabel('Carrier').fill('La Poste');
      await page.getByLabel('Tracking number').fill('LP123456789FR');
      await page.getByRole('button', { name: 'Mark as fulfilled' }).click();
      await page.getByRole('status').filter({ hasText: 'Marked as fulfilled' }).waitFor();
      const event = await within(
        20_000,
        'order.fulfilled at the webhook receiver',
        receiver.waitFor('order.fulfilled', made.orderNumber),
      );
      check(
        event.data.order.fulfillments[0]?.trackingNumber === 'LP123456789FR',
        JSON.stringify(event.data.order.fulfillments),
      );
      // A part refunded (the test provider refunds in its own ledger).
      await page.getByLabel('Amount to refund').fill('5');
      await page.getByRole('button', { name: 'Refund', exact: true }).click();
      await page.getByText('Refunded so far: $5.00').waitFor();
      // The delivery shows in the log on the Settings page.
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('cell', { name: 'order.fulfilled' }).first().waitFor();
    },

  'a stale edit: the product changed elsewhere, the save is refused (412) and says so':
    async () => {
      await page.goto(`${base}products/${made.productId}`);
      await heading('Edit “Night Trains print”');
      // Someone else (the API, another tab) renames it meanwhile.
      const res = await fetch(`${endpoint.url}/v1/seller/products/${made.productId}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${seller.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Night Trains print (signed)' }),
      });
      check(res.status === 200, `PATCH from elsewhere: ${res.status}`);
      await page.getByLabel('Description', { exact: true }).fill('Changed here too.');
      await page.getByRole('button', { name: 'Save changes' }).click();
      const alert = page
        .getByRole('alert')
        .filter({ hasText: 'Someone else changed this product' });
      await alert.waitFor();
      check(
        await alert.evaluate((el) => el === document.activeElement),
        'focus is not on the message',
      );
      await axe('stale edit, en');
      await page.getByRole('button', { name: 'Reload the latest version' }).click();
      await heading('Edit “Night Trains print (signed)”');
    },

  "another seller's product or order, by URL: not found": async () => {
    for (const path of [
      'products/tour-tee',
      'products/tour-tee/share',
      'orders/ord_nope',
      'nothing/here',
    ]) {
      await page.goto(`${base}${path}`);
      await heading('Not found');
    }
    check(
      !(await page.getByText('World Tour 2026 T-shirt').count()),
      "another seller's product title is on the page",
    );
    await axeBoth('not found');
  },

  'signing out ends the session: the dashboard asks to sign in again': async () => {
    await page.goto(`${base}orders`);
    await heading('Orders');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to your shop');
    await page.goto(`${base}orders`);
    await heading('Sign in to your shop');
    const res = await page.evaluate(async () => (await fetch('/v1/dashboard/session')).status);
    check(res === 401, `the session still answers: ${res}`);
  },
};

// The steps are one seller's story, each building on the last: after a failure the rest would
// only time out, so they are reported as not run.
let broken = '';
const story = Object.fromEntries(
  Object.entries(tests).map(([name, run]) => [
    name,
    async () => {
      if (broken) throw new Error(`not run: "${broken}" failed`);
      try {
        await run();
      } catch (err) {
        broken = name;
        // What the seller saw when it failed, for the one reading the log.
        const shot = join(tmpdir(), 'bip-dashboard-failure.png');
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        throw new Error(`${err.message}\n(screenshot: ${shot}; page: ${page.url()})`);
      }
    },
  ]),
);
const failed = await runChecks('dashboard', story);
if (errors.length) console.log(`errors in the dashboard: ${errors.join(' | ')}`);
if (refused.length) console.log(`requests left the machine: ${refused.join(', ')}`);
await browser.close();
await endpoint.close();
await blog.close();
await smtp.close();
await receiver.close();
process.exit(failed || errors.length || refused.length ? 1 : 0);
