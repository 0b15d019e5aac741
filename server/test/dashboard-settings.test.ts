import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SIGNATURE_HEADER, verifyWebhook } from '../src/services/outbox.ts';
import { browser, refused, signInWithKey } from './helpers/dashboard.ts';
import { waitFor } from './helpers/processes.ts';
import {
  ADDRESS_US,
  buyer,
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import { ManualClock } from './helpers/wallet.ts';

const GRACE_SECONDS = 3600;

/** A webhook receiver keeping each delivery's raw body and signature header. */
async function receiver() {
  const received: { body: string; signature: string; type: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({
        body,
        signature: String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? ''),
        type: JSON.parse(body).type,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

for (const { name, skip } of dialects()) {
  describe(`dashboard: settings and credentials (${name})`, { skip }, () => {
    let server: TestServer;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock();
      server = await startTestServer(
        name,
        { BIP_SELLER_KEY_GRACE_SECONDS: String(GRACE_SECONDS) },
        { clock },
      );
    });
    after(() => server?.close());

    test('settings change through the session: shop, zones, free shipping, tax, origins', async () => {
      const seller = await makeSeller(server);
      const session = await signInWithKey(server, seller.apiKey);
      const res = await browser(server, session)('PATCH', '/seller/me', {
        name: 'Studio Nour',
        kind: 'nonprofit',
        shippingZones: [{ name: 'World', countries: ['US', 'FR'], rate: 900, freeOver: 10000 }],
        taxRates: [{ country: 'FR', rateBps: 550 }],
        allowedOrigins: ['https://nour.example'],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const me = (await seller.api('GET', '/seller/me')).body;
      assert.equal(me.name, 'Studio Nour');
      assert.equal(me.kind, 'nonprofit');
      assert.equal(me.shippingZones[0].freeOver, 10000);
      assert.deepEqual(me.allowedOrigins, ['https://nour.example']);
      assert.equal(me.email, null);
      assert.equal(me.apiKeyRotation, null);
      // A bad field is named, as the form shows it.
      const bad = await browser(server, session)('PATCH', '/seller/me', {
        shippingZones: [{ name: 'World', countries: ['US'], rate: -1 }],
      });
      refused(bad, 422, 'validation_failed');
      assert.ok(
        bad.body.errors.some((e: { field: string }) => e.field.startsWith('shippingZones.0.rate')),
      );
    });

    test('a rotated API key keeps working for the grace period, then stops', async () => {
      const seller = await makeSeller(server);
      const old = seller.api;
      const session = await signInWithKey(server, seller.apiKey);
      const rotated = await browser(server, session)('POST', '/seller/api-key/rotate', {});
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.match(rotated.body.apiKey, /^bip_sk_/);
      assert.equal(
        new Date(rotated.body.previousKeyExpiresAt).getTime(),
        clock.now().getTime() + GRACE_SECONDS * 1000,
      );
      const fresh = client(server.url, { Authorization: `Bearer ${rotated.body.apiKey}` });
      assert.equal((await fresh('GET', '/seller/me')).status, 200);
      assert.equal((await old('GET', '/seller/me')).status, 200, 'old key during grace');
      assert.deepEqual((await fresh('GET', '/seller/me')).body.apiKeyRotation, {
        previousExpiresAt: rotated.body.previousKeyExpiresAt,
      });
      clock.advance(GRACE_SECONDS * 1000 - 1000);
      assert.equal((await old('GET', '/seller/me')).status, 200, 'old key just before the end');
      clock.advance(2000);
      refused(await old('GET', '/seller/me'), 401, 'unauthorized');
      assert.equal((await fresh('GET', '/seller/me')).status, 200);
      assert.equal((await fresh('GET', '/seller/me')).body.apiKeyRotation, null);
      // The dashboard's session is not a key: it goes on.
      assert.equal((await browser(server, session)('GET', '/seller/me')).status, 200);
    });

    test('rotating again ends the previous key at once (one previous key is kept)', async () => {
      const seller = await makeSeller(server);
      // As curl sends it: no body at all.
      const first = await seller.api('POST', '/seller/api-key/rotate');
      const second = await client(server.url, {
        Authorization: `Bearer ${first.body.apiKey}`,
      })('POST', '/seller/api-key/rotate', {});
      assert.equal(second.status, 201);
      refused(await seller.api('GET', '/seller/me'), 401, 'unauthorized');
      const firstKey = client(server.url, { Authorization: `Bearer ${first.body.apiKey}` });
      assert.equal((await firstKey('GET', '/seller/me')).status, 200);
    });

    test('a rotated webhook secret signs beside the new one for the grace period', async () => {
      const hooks = await receiver();
      try {
        const seller = await makeSeller(server);
        const session = await signInWithKey(server, seller.apiKey);
        await browser(server, session)('PATCH', '/seller/me', { webhookUrl: hooks.url });
        const oldSecret = (await browser(server, session)('GET', '/seller/webhook-secret')).body
          .webhookSecret;
        assert.equal(oldSecret, seller.webhookSecret);
        const rotated = await browser(server, session)('POST', '/seller/webhook-secret/rotate', {});
        assert.equal(rotated.status, 201);
        const newSecret = rotated.body.webhookSecret;
        assert.match(newSecret, /^whsec_/);
        assert.notEqual(newSecret, oldSecret);

        const tee = await makeTee(seller);
        const pay = async () => {
          const c = await createCheckout(server.url, {
            productId: tee.id,
            variantId: tee.small,
            quantity: 1,
            shippingAddress: ADDRESS_US,
          });
          const paid = await buyer(server.url, c.body.clientToken)(
            'POST',
            `/checkouts/${c.body.id}/confirm`,
            { payment: { provider: 'test', card: '4242424242424242' } },
          );
          assert.equal(paid.status, 200);
        };
        await pay();
        const during = await waitFor(() => hooks.received[0], 20_000);
        // Signatures are timestamped by the wall clock, the grace period by the endpoint's.
        const now = Date.now();
        assert.equal(during.signature.match(/v1=/g)?.length, 2);
        assert.ok(verifyWebhook(during.body, during.signature, newSecret, 300, now));
        assert.ok(verifyWebhook(during.body, during.signature, oldSecret, 300, now));

        clock.advance(GRACE_SECONDS * 1000 + 1000);
        await pay();
        const afterGrace = await waitFor(() => hooks.received[1], 20_000);
        const later = Date.now();
        assert.equal(afterGrace.signature.match(/v1=/g)?.length, 1);
        assert.ok(verifyWebhook(afterGrace.body, afterGrace.signature, newSecret, 300, later));
        assert.ok(!verifyWebhook(afterGrace.body, afterGrace.signature, oldSecret, 300, later));
      } finally {
        await hooks.close();
      }
    });
  });
}

describe('dashboard: the app at /seller/', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bip-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>Dashboard</title><script type="module" src="/seller/assets/app-1a2b3c.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'export const ok = true;\n');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await startTestServer('sqlite', { BIP_DASHBOARD_DIR: dir });
  });
  after(() => server?.close());

  const csp = (res: Response) => res.headers.get('content-security-policy') ?? '';

  test('index.html for the app’s pages, under a strict CSP', async () => {
    for (const path of ['/seller/', '/seller/orders', '/seller/products/prd_1/share']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /<title>Dashboard<\/title>/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(csp(res), /default-src 'none'/);
      assert.match(csp(res), /script-src 'self'( |;)/);
      assert.doesNotMatch(csp(res), /unsafe-inline|unsafe-eval/);
      assert.match(csp(res), /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
    const bare = await fetch(`${server.url}/seller`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/seller/');
  });

  test('hashed assets are immutable; a missing one is a 404, not the page', async () => {
    const js = await fetch(`${server.url}/seller/assets/app-1a2b3c.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(csp(js), /default-src 'none'/);
    const missing = await fetch(`${server.url}/seller/assets/app-000000.js`);
    assert.equal(missing.status, 404);
    const icon = await fetch(`${server.url}/seller/favicon.svg`);
    assert.equal(icon.status, 200);
    const traversal = await fetch(`${server.url}/seller/assets/..%2f..%2fpackage.json`);
    assert.equal(traversal.status, 404);
  });

  test('not built: a problem that says how to build it', async () => {
    const other = await startTestServer('sqlite', {
      BIP_DASHBOARD_DIR: join(dir, 'nowhere'),
    });
    try {
      const res = await fetch(`${other.url}/seller/`);
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as { detail: string }).detail, /npm run build:dashboard/);
    } finally {
      await other.close();
    }
  });
});

describe('dashboard: seller create --email', () => {
  test('invites a seller, who can then ask for a code', () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'buy-in-post-server.js');
    const db = join(mkdtempSync(join(tmpdir(), 'bip-cli-')), 'shop.sqlite');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--database', db], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', BIP_MODE: 'test' },
      });
    const made = run([
      'seller',
      'create',
      '--name',
      'Nour',
      '--email',
      'nour@example.com',
      '--json',
    ]);
    assert.equal(made.status, 0, made.stderr);
    const created = JSON.parse(made.stdout);
    assert.equal(created.email, 'nour@example.com');
    assert.match(created.apiKey, /^bip_sk_/);
    const twice = run(['seller', 'create', '--name', 'Other', '--email', 'NOUR@example.com']);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /Another seller signs in with this email/);
    const bad = run(['seller', 'create', '--name', 'X', '--email', 'not-an-email']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--email/);
  });
});
