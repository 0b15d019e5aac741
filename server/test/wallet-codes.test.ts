import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  client,
  dialects,
  makeSeller,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import {
  askCode,
  freshEmail,
  freshIp,
  ManualClock,
  type Smtp,
  signIn,
  startSmtp,
  walletEnv,
  walletSnapshot,
} from './helpers/wallet.ts';

/** A problem+json refusal with this status and code. */
function refused(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
}

for (const { name, skip } of dialects()) {
  describe(`wallet: sign-in by emailed code (${name})`, { skip }, () => {
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
    const from = (ip = freshIp()) => client(server.url, { 'X-Forwarded-For': ip });

    test('a code is mailed over SMTP, opens a session, and the wallet reads back masked', async () => {
      const email = freshEmail('ada');
      const asked = await from()('POST', '/buyer/codes', { email });
      assert.equal(asked.status, 202);
      assert.equal(asked.body.codeLength, 6);
      const mail = await smtp.next(email);
      assert.match(mail.code, /^\d{6}$/);
      assert.match(mail.subject, new RegExp(`^${mail.code} is your buy-in-post code`));
      assert.match(mail.raw, /^From: Shop <codes@shop\.example>/m);

      const res = await from()('POST', '/buyer/sessions', { email, code: mail.code });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.sessionToken, /^bip_sess_[A-Za-z0-9_-]{43}$/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(res.body.buyer, {
        email: 'a•••@example.com',
        hosts: [],
        addresses: [],
        paymentMethods: [],
        consents: [],
      });
      // stored: the token's hash, never the token; the email sealed, never in clear
      const rows = await walletSnapshot(server);
      assert.ok(!JSON.stringify(rows).includes(res.body.sessionToken));
      assert.ok(!JSON.stringify(rows).includes(email));

      const me = client(server.url, { Authorization: `Bearer ${res.body.sessionToken}` });
      const wallet = await me('GET', '/buyer');
      assert.equal(wallet.status, 200);
      assert.equal(wallet.body.email, 'a•••@example.com');

      // the same email again opens the same wallet
      const again = await signIn(server, smtp, email);
      const first = await server.app.services.wallet.authenticate(res.body.sessionToken);
      assert.equal(again.buyerId, first.buyerId);
    });

    test('asking for a code answers alike whether or not the email has a wallet', async () => {
      const known = (await signIn(server, smtp)).email;
      const unknown = freshEmail('nobody');
      const a = await from()('POST', '/buyer/codes', { email: known });
      const b = await from()('POST', '/buyer/codes', { email: unknown });
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      assert.deepEqual(Object.keys(a.body).sort(), Object.keys(b.body).sort());
      assert.equal(
        (await smtp.next(known)).subject.slice(6),
        (await smtp.next(unknown)).subject.slice(6),
      );
    });

    test('five wrong codes count down; the sixth attempt is refused even with the right code, writing nothing', async () => {
      const email = freshEmail();
      const code = await askCode(server, smtp, email);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let left = 4; left >= 0; left--) {
        const res = await from()('POST', '/buyer/sessions', { email, code: wrong });
        refused(res, 401, 'code_invalid');
        assert.equal(res.body.attemptsLeft, left);
      }
      const before = await walletSnapshot(server);
      const sixth = await from()('POST', '/buyer/sessions', { email, code });
      refused(sixth, 429, 'too_many_attempts');
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
      // a new code starts over
      const fresh = await askCode(server, smtp, email);
      assert.equal((await from()('POST', '/buyer/sessions', { email, code: fresh })).status, 201);
    });

    test('a used code is refused the second time, writing nothing', async () => {
      const email = freshEmail();
      const code = await askCode(server, smtp, email);
      assert.equal((await from()('POST', '/buyer/sessions', { email, code })).status, 201);
      const before = await walletSnapshot(server);
      refused(await from()('POST', '/buyer/sessions', { email, code }), 401, 'code_invalid');
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
    });

    test('a code older than ten minutes is refused as expired, writing nothing', async () => {
      const email = freshEmail();
      const code = await askCode(server, smtp, email);
      clock.advance(10 * 60_000 + 1_000);
      const before = await walletSnapshot(server);
      refused(await from()('POST', '/buyer/sessions', { email, code }), 410, 'code_expired');
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
    });

    test('guesses sprayed across many emails from one address are cut off, writing nothing', async () => {
      // Seven addresses with live codes (asked from elsewhere): 6 × 5 guesses use up the
      // 30 one network may make in an hour before any one code locks.
      const emails = Array.from({ length: 7 }, () => freshEmail('spray'));
      const codes = new Map<string, string>();
      for (const e of emails) codes.set(e, await askCode(server, smtp, e));
      const attacker = from(freshIp());
      for (const e of emails.slice(0, 6)) {
        const wrong = codes.get(e) === '999999' ? '999998' : '999999';
        for (let i = 0; i < 5; i++)
          refused(
            await attacker('POST', '/buyer/sessions', { email: e, code: wrong }),
            401,
            'code_invalid',
          );
      }
      const last = emails[6]!;
      const before = await walletSnapshot(server);
      const cut = await attacker('POST', '/buyer/sessions', { email: last, code: codes.get(last) });
      refused(cut, 429, 'rate_limited');
      assert.ok(Number(cut.headers.get('retry-after')) > 0);
      assert.equal(cut.body.retryAfter, Number(cut.headers.get('retry-after')));
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
      // the owner, from their own network, still gets in with that code
      assert.equal(
        (await from()('POST', '/buyer/sessions', { email: last, code: codes.get(last) })).status,
        201,
      );
    });

    test('codes asked for are limited per address and per network, without writing', async () => {
      const email = freshEmail();
      for (let i = 0; i < 5; i++) await askCode(server, smtp, email);
      let before = await walletSnapshot(server);
      refused(await from()('POST', '/buyer/codes', { email }), 429, 'rate_limited');
      assert.deepEqual(await walletSnapshot(server), before, 'per email: nothing written');

      const ip = freshIp();
      for (let i = 0; i < 20; i++) await askCode(server, smtp, freshEmail('bomb'), ip);
      before = await walletSnapshot(server);
      refused(
        await from(ip)('POST', '/buyer/codes', { email: freshEmail('bomb') }),
        429,
        'rate_limited',
      );
      assert.deepEqual(await walletSnapshot(server), before, 'per network: nothing written');

      // the windows are an hour: later, both may ask again
      clock.advance(3600_000);
      assert.equal((await from(ip)('POST', '/buyer/codes', { email })).status, 202);
      await smtp.next(email);
    });

    test('bad bodies are refused with field errors', async () => {
      refused(
        await from()('POST', '/buyer/codes', { email: 'not-an-email' }),
        422,
        'validation_failed',
      );
      const noCode = await from()('POST', '/buyer/sessions', { email: freshEmail() });
      refused(noCode, 422, 'validation_failed');
      assert.equal(noCode.body.errors[0].field, 'code');
      refused(await from()('POST', '/buyer/sessions', {}), 422, 'validation_failed');
      refused(
        await from()('POST', '/buyer/sessions', { email: freshEmail(), code: '12345' }),
        422,
        'validation_failed',
      );
    });

    test('sessions: bearer only, signed out on request, other credentials refused', async () => {
      const a = await signIn(server, smtp);
      const b = await signIn(server, smtp);
      const seller = await makeSeller(server, 'Wallet Test Seller');
      const before = await walletSnapshot(server);
      for (const [method, path] of [
        ['GET', '/buyer'],
        ['DELETE', '/buyer'],
        ['DELETE', '/buyer/sessions/current'],
        ['DELETE', '/buyer/addresses/adr_x'],
        ['DELETE', '/buyer/payment-methods/tpm_x'],
      ] as const) {
        refused(await client(server.url)(method, path), 401, 'unauthorized');
        refused(await seller.api(method, path), 401, 'unauthorized');
        refused(
          await client(server.url, {
            Authorization: 'Bearer bip_sess_forgedforgedforgedforgedforgedforgedforged',
          })(method, path),
          401,
          'unauthorized',
        );
        // a session is never a cookie
        refused(
          await client(server.url, { Cookie: `session=${a.token}` })(method, path),
          401,
          'unauthorized',
        );
      }
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');

      assert.equal((await a.api('DELETE', '/buyer/sessions/current')).status, 204);
      refused(await a.api('GET', '/buyer'), 401, 'unauthorized');
      assert.equal((await b.api('GET', '/buyer')).status, 200, 'other sessions stay');
    });

    test('a session lapses after 30 days', async () => {
      const s = await signIn(server, smtp);
      clock.advance(30 * 24 * 3600_000 + 1_000);
      refused(await s.api('GET', '/buyer'), 401, 'unauthorized');
    });

    test('the sweeper forgets lapsed codes, sessions and rate-limit windows', async () => {
      await askCode(server, smtp, freshEmail());
      await signIn(server, smtp);
      clock.advance(31 * 24 * 3600_000);
      await server.app.services.wallet.purgeExpired();
      const db = server.app.db.kysely;
      for (const table of ['buyer_codes', 'buyer_sessions', 'rate_limit_counters'] as const)
        assert.equal((await db.selectFrom(table).selectAll().execute()).length, 0, table);
    });
  });
}
