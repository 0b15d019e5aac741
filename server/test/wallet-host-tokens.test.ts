import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { client, dialects, startTestServer, type TestServer } from './helpers/server.ts';
import {
  askCode,
  freshEmail,
  freshIp,
  type Issuer,
  ManualClock,
  type Smtp,
  signIn,
  startIssuer,
  startSmtp,
  walletEnv,
  walletSnapshot,
} from './helpers/wallet.ts';

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
  describe(`wallet: sign-in with a host platform's buyer token (${name})`, { skip }, () => {
    let server: TestServer;
    let smtp: Smtp;
    let host: Issuer;
    /** Another platform, not trusted by the endpoint. */
    let rogue: Issuer;
    let clock: ManualClock;
    before(async () => {
      smtp = await startSmtp();
      host = await startIssuer();
      rogue = await startIssuer();
      clock = new ManualClock();
      server = await startTestServer(
        name,
        walletEnv(smtp, {
          BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [host.issuer]: host.jwksUrl }),
        }),
        { clock },
      );
    });
    after(async () => {
      await server?.close();
      await smtp?.close();
      await host?.close();
      await rogue?.close();
    });
    const api = () => client(server.url, { 'X-Forwarded-For': freshIp() });
    const now = () => Math.floor(clock.now().getTime() / 1000);
    const mint = (sub: string, opts: Parameters<Issuer['mint']>[2] = {}) =>
      host.mint(server.url, sub, { iat: now(), ...opts });
    const signInWith = (hostToken: string, extra: Record<string, string> = {}) =>
      api()('POST', '/buyer/sessions', { hostToken, ...extra });
    const buyerOf = async (token: string) =>
      (await server.app.services.wallet.authenticate(token)).buyerId;

    test('a valid ES256 or EdDSA token opens the wallet of (issuer, sub), with no code', async () => {
      const first = await signInWith(await mint('user-1'));
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body.buyer, {
        email: null,
        hosts: [host.issuer],
        addresses: [],
        paymentMethods: [],
        consents: [],
      });
      const again = await signInWith(await mint('user-1', { alg: 'EdDSA' }));
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(await buyerOf(again.body.sessionToken), await buyerOf(first.body.sessionToken));
      const other = await signInWith(await mint('user-2'));
      assert.notEqual(
        await buyerOf(other.body.sessionToken),
        await buyerOf(first.body.sessionToken),
      );
      // the host's user id is stored only as a keyed hash
      assert.ok(!JSON.stringify(await walletSnapshot(server)).includes('user-1'));
    });

    test('first sign-ins of one host user at once open one wallet', async () => {
      const tokens = await Promise.all(Array.from({ length: 6 }, () => mint('simultaneous')));
      const answers = await Promise.all(tokens.map((t) => signInWith(t)));
      for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.body));
      const buyers = new Set(await Promise.all(answers.map((a) => buyerOf(a.body.sessionToken))));
      assert.equal(buyers.size, 1);
    });

    test('an email claim only pre-fills: it links nothing', async () => {
      const email = (await signIn(server, smtp)).email;
      const res = await signInWith(await mint('user-claims', { claims: { email } }));
      assert.equal(res.status, 201);
      assert.equal(res.body.buyer.email, null);
    });

    describe('refused tokens, each writing nothing', () => {
      const claims = () => ({
        sub: 'victim',
        aud: server.url,
        jti: crypto.randomUUID(),
        iat: now(),
        exp: now() + 60,
      });
      // [what, the token, why it must be refused (the problem's detail)]
      const cases: [string, () => Promise<string>, RegExp][] = [
        [
          'alg none',
          async () => new UnsecuredJWT(claims()).setIssuer(host.issuer).encode(),
          /only ES256 and EdDSA/,
        ],
        [
          'HS256 signed with the public key',
          async () =>
            new SignJWT(claims())
              .setProtectedHeader({ alg: 'HS256', kid: 'es-1', typ: 'bip-buyer+jwt' })
              .setIssuer(host.issuer)
              .sign(new TextEncoder().encode(host.publicPem)),
          /only ES256 and EdDSA/,
        ],
        [
          'wrong audience',
          async () => host.mint('https://another-endpoint.example', 'victim', { iat: now() }),
          /"aud"/,
        ],
        [
          'an issuer not trusted',
          async () => rogue.mint(server.url, 'victim', { iat: now() }),
          /issuer is not one this endpoint trusts/,
        ],
        [
          'a trusted issuer forged with another key',
          async () => rogue.mint(server.url, 'victim', { iat: now(), iss: host.issuer }),
          /signature does not verify/,
        ],
        ['expired', async () => mint('victim', { iat: now() - 200, lifetime: 120 }), /expired/],
        [
          'exp more than 5 minutes after iat',
          async () => mint('victim', { lifetime: 600 }),
          /at most 300 seconds/,
        ],
        ['issued in the future', async () => mint('victim', { iat: now() + 120 }), /"iat"/],
        ['another typ', async () => mint('victim', { typ: 'JWT' }), /"typ"/],
        ['not a JWT', async () => 'not.a.jwt', /not a JWT/],
      ];
      for (const [what, token, why] of cases) {
        test(what, async () => {
          const before = await walletSnapshot(server);
          const res = await signInWith(await token());
          refused(res, 401, 'token_invalid');
          assert.match(res.body.detail, why);
          assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
        });
      }

      test('a replayed jti', async () => {
        const token = await mint('replayer');
        assert.equal((await signInWith(token)).status, 201);
        const before = await walletSnapshot(server);
        const replay = await signInWith(token);
        refused(replay, 401, 'token_invalid');
        assert.match(replay.body.detail, /already used/);
        assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
      });
    });

    test('a token with an email code links the host user to that email’s wallet', async () => {
      const { email, buyerId } = await signIn(server, smtp);
      const code = await askCode(server, smtp, email);
      const linked = await signInWith(await mint('linker'), { email, code });
      assert.equal(linked.status, 201, JSON.stringify(linked.body));
      assert.equal(await buyerOf(linked.body.sessionToken), buyerId);
      assert.deepEqual(linked.body.buyer.hosts, [host.issuer]);
      // from now on the host's token alone opens it
      const oneTap = await signInWith(await mint('linker'));
      assert.equal(await buyerOf(oneTap.body.sessionToken), buyerId);
    });

    test('a host-opened wallet takes the email proved by a code', async () => {
      const opened = await signInWith(await mint('newcomer'));
      const email = freshEmail('newcomer');
      const code = await askCode(server, smtp, email);
      const linked = await signInWith(await mint('newcomer'), { email, code });
      assert.equal(linked.status, 201);
      assert.equal(linked.body.buyer.email, `n•••@example.com`);
      assert.equal(
        await buyerOf(linked.body.sessionToken),
        await buyerOf(opened.body.sessionToken),
      );
      assert.equal(
        (await signIn(server, smtp, email)).buyerId,
        await buyerOf(opened.body.sessionToken),
      );
    });

    test('linking merges a host-opened wallet into the email’s: addresses re-sealed, sessions follow', async () => {
      const wallet = server.app.services.wallet;
      const hostSide = await signInWith(await mint('merger'));
      const hostBuyer = await buyerOf(hostSide.body.sessionToken);
      await wallet.saveAddress(hostBuyer, {
        name: 'Host Side',
        line1: '1 Host Rd',
        city: 'Lyon',
        country: 'FR',
      });
      const emailSide = await signIn(server, smtp);
      await wallet.saveAddress(emailSide.buyerId, {
        name: 'Mail Side',
        line1: '2 Mail St',
        city: 'Paris',
        country: 'FR',
      });

      const code = await askCode(server, smtp, emailSide.email);
      const merged = await signInWith(await mint('merger'), { email: emailSide.email, code });
      assert.equal(merged.status, 201, JSON.stringify(merged.body));
      assert.equal(await buyerOf(merged.body.sessionToken), emailSide.buyerId);
      assert.deepEqual(merged.body.buyer.addresses.map((a: { name: string }) => a.name).sort(), [
        'Host Side',
        'Mail Side',
      ]);
      assert.equal(
        await buyerOf(hostSide.body.sessionToken),
        emailSide.buyerId,
        'the old session follows',
      );
      const gone = await server.app.db.kysely
        .selectFrom('buyers')
        .select('id')
        .where('id', '=', hostBuyer)
        .execute();
      assert.equal(gone.length, 0);
      // the moved address opens under its new owner's key (full, for the endpoint's own use)
      const moved = (await wallet.wallet(emailSide.buyerId)).addresses.find(
        (a) => a.name === 'Host Side',
      )!;
      assert.equal((await wallet.shippingAddress(emailSide.buyerId, moved.id)).line1, '1 Host Rd');
    });

    test('a host user linked to one email cannot be linked to another; nothing written', async () => {
      const first = await signIn(server, smtp);
      await signInWith(await mint('twice'), {
        email: first.email,
        code: await askCode(server, smtp, first.email),
      });
      const other = freshEmail('other');
      const code = await askCode(server, smtp, other);
      const before = await walletSnapshot(server);
      refused(await signInWith(await mint('twice'), { email: other, code }), 409, 'already_linked');
      assert.deepEqual(await walletSnapshot(server), before, 'nothing written');
      // the code was not spent
      assert.equal((await api()('POST', '/buyer/sessions', { email: other, code })).status, 201);
    });

    test('a wrong code with a token spends an attempt but not the token', async () => {
      const email = freshEmail();
      const code = await askCode(server, smtp, email);
      const token = await mint('patient');
      refused(
        await signInWith(token, { email, code: code === '123456' ? '654321' : '123456' }),
        401,
        'code_invalid',
      );
      assert.equal((await signInWith(token, { email, code })).status, 201);
    });
  });
}
