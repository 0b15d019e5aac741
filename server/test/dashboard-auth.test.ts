import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import {
  browser,
  invitedSeller,
  parseSetCookie,
  refused,
  sameOrigin,
  signInWithCode,
  signInWithKey,
} from './helpers/dashboard.ts';
import {
  client,
  dialects,
  freshDatabaseUrl,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import { freshEmail, ManualClock, type Smtp, startSmtp, walletEnv } from './helpers/wallet.ts';

for (const { name, skip } of dialects()) {
  describe(`dashboard: sign-in, sessions and CSRF (${name})`, { skip }, () => {
    let server: TestServer;
    let smtp: Smtp;
    let clock: ManualClock;
    before(async () => {
      smtp = await startSmtp();
      clock = new ManualClock();
      server = await startTestServer(name, walletEnv(smtp), { clock });
    });
    after(async () => {
      await server?.close();
      await smtp?.close();
    });

    test('an invited seller signs in with a code read from the mail server', async () => {
      const seller = await invitedSeller(server);
      const { cookie, csrfToken, res } = await signInWithCode(server, smtp, seller.email);
      assert.match(csrfToken, /^[0-9a-f]{64}$/);
      assert.equal(res.body.seller.id, seller.id);
      assert.equal(res.body.seller.email, seller.email);
      assert.equal(res.body.endpoint, server.url);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const set = parseSetCookie(res);
      // Secure and __Host- whatever the URL, except plain-http localhost in development (below).
      assert.equal(set.name, '__Host-bip_seller');
      assert.ok(set.attributes.includes('secure'));
      assert.ok(set.attributes.includes('httponly'));
      assert.ok(set.attributes.includes('samesite=strict'));
      assert.ok(set.attributes.includes('path=/'));
      assert.ok(!set.attributes.some((a) => a.startsWith('domain')));
      assert.match(set.value, /^bip_ss_/);

      const me = await browser(server, { cookie, csrfToken })('GET', '/seller/me');
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body.id, seller.id);
      // After a reload the app asks for its CSRF token again.
      const again = await browser(server, { cookie, csrfToken })('GET', '/dashboard/session');
      assert.equal(again.status, 200);
      assert.equal(again.body.csrfToken, csrfToken);
    });

    test('a code works once; a wrong one counts an attempt', async () => {
      const seller = await invitedSeller(server);
      const asked = await sameOrigin(server)('POST', '/dashboard/codes', { email: seller.email });
      assert.equal(asked.status, 202);
      const { code } = await smtp.next(seller.email);
      const wrong = code === '000000' ? '000001' : '000000';
      const bad = await sameOrigin(server)('POST', '/dashboard/sessions', {
        email: seller.email,
        code: wrong,
      });
      refused(bad, 401, 'code_invalid');
      assert.equal(bad.body.attemptsLeft, 4);
      const ok = await sameOrigin(server)('POST', '/dashboard/sessions', {
        email: seller.email,
        code,
      });
      assert.equal(ok.status, 201);
      const reused = await sameOrigin(server)('POST', '/dashboard/sessions', {
        email: seller.email,
        code,
      });
      refused(reused, 401, 'code_invalid');
    });

    test('an address no seller signs in with gets the same answer and no mail', async () => {
      const stranger = freshEmail('stranger');
      const seller = await invitedSeller(server);
      const a = await sameOrigin(server)('POST', '/dashboard/codes', { email: stranger });
      const b = await sameOrigin(server)('POST', '/dashboard/codes', { email: seller.email });
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      assert.deepEqual(Object.keys(a.body).sort(), Object.keys(b.body).sort());
      await smtp.next(seller.email);
      assert.ok(!smtp.received.some((m) => m.to === stranger));
      // And no code for it can ever be right: there is none to check.
      const guess = await sameOrigin(server)('POST', '/dashboard/sessions', {
        email: stranger,
        code: '123456',
      });
      refused(guess, 401, 'code_invalid');
    });

    test('codes to one address are rate limited', async () => {
      const seller = await invitedSeller(server);
      for (let i = 0; i < 5; i++) {
        const res = await sameOrigin(server)('POST', '/dashboard/codes', { email: seller.email });
        assert.equal(res.status, 202);
      }
      const sixth = await sameOrigin(server)('POST', '/dashboard/codes', { email: seller.email });
      refused(sixth, 429, 'rate_limited');
      assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    });

    test('an API key opens a session too; an unknown one does not', async () => {
      const seller = await makeSeller(server);
      const { cookie, csrfToken } = await signInWithKey(server, seller.apiKey);
      const list = await browser(server, { cookie, csrfToken })('GET', '/seller/products');
      assert.equal(list.status, 200);
      refused(
        await sameOrigin(server)('POST', '/dashboard/sessions', { apiKey: 'bip_sk_nope' }),
        401,
        'unauthorized',
      );
    });

    test('every write of the seller API is refused without the session’s CSRF token', async () => {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller);
      const session = await signInWithKey(server, seller.apiKey);
      // Every write the document lists under /seller (and sign-out): none may be forgotten.
      const doc = (await client(server.url)('GET', '/openapi.json')).body;
      const writes: [string, string][] = [];
      for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
        if (!path.startsWith('/seller/') && path !== '/dashboard/session') continue;
        for (const method of Object.keys(ops))
          if (['post', 'put', 'patch', 'delete'].includes(method))
            writes.push([method.toUpperCase(), path]);
      }
      assert.ok(writes.length >= 12, `only ${writes.length} writes found`);
      const concrete = (path: string) =>
        path
          .replace('{id}', tee.id)
          .replace('{variantId}', tee.small)
          .replace('{imageId}', 'img_x')
          .replace(/\{[^}]+\}/g, 'x');
      for (const [method, path] of writes) {
        // The last one differs from the real token in its last digit only (always: a fixed
        // digit would be the real one in one run out of sixteen).
        const last = session.csrfToken.endsWith('0') ? '1' : '0';
        for (const csrf of [null, 'f'.repeat(64), `${session.csrfToken.slice(0, 63)}${last}`]) {
          const res = await browser(server, session, { csrf })(method, concrete(path), {});
          refused(res, 403, 'csrf_failed');
        }
      }
      // Nothing was changed by any of them.
      const after = await seller.api('GET', `/seller/products/${tee.id}`);
      assert.equal(after.body.etag, tee.product.etag);
      // With the token, the same session writes.
      const ok = await browser(server, session)('PATCH', '/seller/me', { name: 'Renamed' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.name, 'Renamed');
      // Another session's token is not this one's.
      const other = await signInWithKey(server, seller.apiKey);
      refused(
        await browser(server, session, { csrf: other.csrfToken })('PATCH', '/seller/me', {
          name: 'Nope',
        }),
        403,
        'csrf_failed',
      );
    });

    test('a session cookie is never accepted from another origin', async () => {
      const seller = await makeSeller(server);
      await makeTee(seller);
      const session = await signInWithKey(server, seller.apiKey);
      const own = new URL(server.url);
      const sibling = `${own.protocol}//${own.hostname}:${Number(own.port) + 1}`;
      for (const origin of ['https://evil.example', sibling, 'null']) {
        const read = await browser(server, session, { origin, site: null })(
          'GET',
          '/seller/orders',
        );
        refused(read, 403, 'cross_origin_refused');
        const write = await browser(server, session, { origin, site: null })(
          'PATCH',
          '/seller/me',
          {
            name: 'Hijacked',
          },
        );
        refused(write, 403, 'cross_origin_refused');
      }
      for (const site of ['cross-site', 'same-site']) {
        const res = await browser(server, session, { site })('GET', '/seller/products');
        refused(res, 403, 'cross_origin_refused');
      }
      // A write without any Origin is not a browser's same-origin fetch: refused.
      refused(
        await browser(server, session, { origin: null })('PATCH', '/seller/me', { name: 'x' }),
        403,
        'cross_origin_refused',
      );
      // Nor does the browser let another site read an answer: no CORS grant on the seller API.
      const preflight = await fetch(`${server.url}/v1/seller/products`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://blog.example',
          'Access-Control-Request-Method': 'GET',
          Cookie: session.cookie,
        },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
      // Signing in (login CSRF) and asking for codes from another site are refused too.
      const evil = client(server.url, { Origin: 'https://evil.example' });
      refused(
        await evil('POST', '/dashboard/sessions', { apiKey: seller.apiKey }),
        403,
        'cross_origin_refused',
      );
      refused(
        await evil('POST', '/dashboard/codes', { email: 'a@example.com' }),
        403,
        'cross_origin_refused',
      );
      const name = (await seller.api('GET', '/seller/me')).body.name;
      assert.notEqual(name, 'Hijacked');
    });

    test('an API key needs no CSRF token and ignores any cookie', async () => {
      const seller = await makeSeller(server);
      const res = await client(server.url, {
        Authorization: `Bearer ${seller.apiKey}`,
        Cookie: '__Host-bip_seller=bip_ss_forged',
        Origin: 'https://ci.example',
      })('PATCH', '/seller/me', { name: 'From CI' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });

    test('signing out ends the session on the server', async () => {
      const seller = await makeSeller(server);
      const session = await signInWithKey(server, seller.apiKey);
      refused(
        await browser(server, session, { csrf: null })('DELETE', '/dashboard/session'),
        403,
        'csrf_failed',
      );
      const out = await browser(server, session)('DELETE', '/dashboard/session');
      assert.equal(out.status, 204);
      const cleared = parseSetCookie(out);
      assert.equal(cleared.name, '__Host-bip_seller');
      assert.equal(cleared.value, '');
      // The old cookie, replayed, opens nothing.
      refused(await browser(server, session)('GET', '/seller/me'), 401, 'unauthorized');
      refused(await browser(server, session)('GET', '/dashboard/session'), 401, 'unauthorized');
    });

    test('a session lasts BIP_SELLER_SESSION_HOURS (12 h), then ends', async () => {
      const seller = await makeSeller(server);
      const session = await signInWithKey(server, seller.apiKey);
      assert.equal(
        new Date(session.res.body.expiresAt).getTime(),
        clock.now().getTime() + 12 * 3600_000,
      );
      clock.advance(12 * 3600_000 - 1000);
      assert.equal((await browser(server, session)('GET', '/seller/me')).status, 200);
      clock.advance(2000);
      refused(await browser(server, session)('GET', '/seller/me'), 401, 'unauthorized');
    });

    test('development sign-in links do not exist outside development mode', async () => {
      const seller = await makeSeller(server);
      await assert.rejects(server.app.services.sellerSessions.createDevLink(seller.id), {
        code: 'not_found',
      });
      await assert.rejects(server.app.services.sellerSessions.devSignInLinks(), {
        code: 'not_found',
      });
      const res = await fetch(`${server.url}/v1/dashboard/dev-login/bip_dl_${'a'.repeat(43)}`, {
        redirect: 'manual',
      });
      assert.equal(res.status, 404);
    });
  });

  describe(`dashboard: development sign-in links (${name})`, { skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(name, { BIP_MODE: 'development' });
    });
    after(() => server?.close());

    test('npm start’s link opens the dashboard signed in, once', async () => {
      const seller = await makeSeller(server, 'Linked Artist');
      const links = await server.app.services.sellerSessions.devSignInLinks();
      const link = links.find((l) => l.sellerId === seller.id);
      assert.ok(link);
      assert.equal(link.name, 'Linked Artist');
      assert.ok(link.url.startsWith(`${server.url}/v1/dashboard/dev-login/bip_dl_`));
      const res = await fetch(link.url, { redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/seller/');
      const set = parseSetCookie(res);
      // Plain http on 127.0.0.1 in development: no Secure (a browser would drop it), no __Host-.
      assert.equal(set.name, 'bip_seller');
      assert.ok(!set.attributes.includes('secure'));
      assert.ok(set.attributes.includes('httponly'));
      assert.ok(set.attributes.includes('samesite=strict'));
      const cookie = set.cookie;
      const session = await client(server.url, { Cookie: cookie })('GET', '/dashboard/session');
      assert.equal(session.status, 200);
      assert.equal(session.body.seller.id, seller.id);
      const twice = await fetch(link.url, { redirect: 'manual' });
      assert.equal(twice.status, 404);
    });
  });
}

describe('dashboard: production', () => {
  test('the cookie is __Host-, Secure; development links are refused', async () => {
    const config = loadConfig({
      BIP_MODE: 'production',
      BIP_SECRET: randomBytes(32).toString('base64url'),
      BIP_PUBLIC_URL: 'https://shop.example',
      BIP_ALLOW_TEST_PAYMENTS: 'true',
      DATABASE_URL: await freshDatabaseUrl('sqlite'),
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const server = await startServer(config);
    try {
      const seller = await server.app.services.sellers.create({ name: 'Prod', kind: 'brand' });
      await assert.rejects(server.app.services.sellerSessions.devSignInLinks(), {
        code: 'not_found',
      });
      await assert.rejects(server.app.services.sellerSessions.createDevLink(seller.id), {
        code: 'not_found',
      });
      const res = await client(server.url, {
        Origin: 'https://shop.example',
        'Sec-Fetch-Site': 'same-origin',
      })('POST', '/dashboard/sessions', { apiKey: seller.apiKey });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const set = parseSetCookie(res);
      assert.equal(set.name, '__Host-bip_seller');
      assert.ok(set.attributes.includes('secure'));
      assert.ok(set.attributes.includes('httponly'));
      assert.ok(set.attributes.includes('samesite=strict'));
      assert.ok(set.attributes.includes('path=/'));
      // The plain-http name is not read in production.
      const wrongName = await client(server.url, {
        Cookie: `bip_seller=${set.value}`,
        'Sec-Fetch-Site': 'same-origin',
      })('GET', '/seller/me');
      refused(wrongName, 401, 'unauthorized');
      const right = await client(server.url, {
        Cookie: set.cookie,
        'Sec-Fetch-Site': 'same-origin',
      })('GET', '/seller/me');
      assert.equal(right.status, 200);
    } finally {
      await server.close();
    }
  });
});
