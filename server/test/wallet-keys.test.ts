import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startServer } from '../src/server.ts';
import { bindingOf, open, SealError, seal } from '../src/wallet/crypto.ts';
import {
  client,
  dialects,
  freshDatabaseUrl,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import { askCode, freshEmail, type Smtp, signIn, startSmtp, walletEnv } from './helpers/wallet.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'buy-in-post-server.js');
const key = () => randomBytes(32).toString('base64');
const INDEX = key();
const K1 = key();
const K2 = key();
const walletKeys = (current: string, keys: Record<string, string>) =>
  JSON.stringify({ current, keys, indexKey: INDEX });

/** The real command line, in its own process. */
function cli(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BIP_') && k !== 'DATABASE_URL'),
  );
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...clean, BIP_MODE: 'test', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('wallet: sealing', () => {
  test('a sealed value opens only with its key and where it was sealed (table, row, column)', () => {
    const k = randomBytes(32);
    const here = bindingOf('buyer_addresses', 'adr_1', 'address');
    const sealed = seal(k, '12 Harbour St', here);
    assert.equal(open(k, sealed, here).toString(), '12 Harbour St');
    assert.notEqual(seal(k, '12 Harbour St', here), sealed, 'a fresh nonce each time');
    assert.throws(() => open(randomBytes(32), sealed, here), SealError);
    assert.throws(
      () => open(k, sealed, bindingOf('buyer_addresses', 'adr_2', 'address')),
      SealError,
    );
    assert.throws(() => open(k, sealed, bindingOf('buyers', 'adr_1', 'address')), SealError);
    const flipped = Buffer.from(sealed.slice(3), 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    assert.throws(() => open(k, `v1.${flipped.toString('base64url')}`, here), SealError);
  });
});

describe('wallet: configuration', () => {
  const base = { BIP_MODE: 'test', BIP_DATA_DIR: mkdtempSync(join(tmpdir(), 'bip-wallet-cfg-')) };
  const fails = (env: Record<string, string>, variable: RegExp) => {
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (err: unknown) => err instanceof ConfigError && variable.test(err.message),
    );
  };

  test('BIP_WALLET_KEYS is checked, and its errors never echo key material', () => {
    const secretish = key();
    for (const bad of [
      'not json',
      JSON.stringify({ current: 'a', keys: { a: secretish } }), // no indexKey
      JSON.stringify({ current: 'b', keys: { a: secretish }, indexKey: key() }),
      JSON.stringify({
        current: 'a',
        keys: { a: randomBytes(16).toString('base64') },
        indexKey: key(),
      }),
      JSON.stringify({ current: 'a', keys: { 'a b': secretish }, indexKey: key() }),
      JSON.stringify({ current: 'a', keys: { a: secretish }, indexKey: key(), extra: 1 }),
    ]) {
      assert.throws(
        () => loadConfig({ ...base, BIP_WALLET_KEYS: bad }),
        (err: unknown) =>
          err instanceof ConfigError &&
          /BIP_WALLET_KEYS: /.test(err.message) &&
          !err.message.includes(secretish),
      );
    }
    const ok = loadConfig({ ...base, BIP_WALLET_KEYS: walletKeys('k2', { k1: K1, k2: K2 }) });
    assert.equal(ok.wallet.keys?.current, 'k2');
    assert.equal(ok.wallet.keys?.source, 'configured');
  });

  test('outside production the keys are derived from the secret; in production the wallet is off without them', () => {
    assert.equal(
      loadConfig({ ...base, BIP_SECRET: 'x'.repeat(40) }).wallet.keys?.source,
      'derived',
    );
    const prod = loadConfig({
      ...base,
      BIP_MODE: 'production',
      BIP_SECRET: randomBytes(32).toString('base64'),
      BIP_ALLOW_TEST_PAYMENTS: 'true',
    });
    assert.equal(prod.wallet.keys, null);
  });

  test('mail and issuers are checked, each error naming its variable', () => {
    fails({ BIP_SMTP_URL: 'http://mail.example' }, /BIP_SMTP_URL: must be an smtp/);
    fails({ BIP_SMTP_URL: 'smtp://mail.example' }, /BIP_MAIL_FROM: required with BIP_SMTP_URL/);
    fails(
      { BIP_SMTP_URL: 'smtp://mail.example', BIP_MAIL_FROM: 'nobody' },
      /BIP_MAIL_FROM: must be an address/,
    );
    fails({ BIP_MAIL_FROM: 'codes@shop.example' }, /BIP_MAIL_FROM: set, but BIP_SMTP_URL is not/);
    fails(
      { BIP_BUYER_TOKEN_ISSUERS: 'https://a=https://a/jwks' },
      /BIP_BUYER_TOKEN_ISSUERS: must be a JSON object/,
    );
    fails(
      { BIP_BUYER_TOKEN_ISSUERS: '{"https://a": "ftp://a/jwks"}' },
      /BIP_BUYER_TOKEN_ISSUERS: the JWKS URL of "https:\/\/a"/,
    );
    assert.throws(
      () =>
        loadConfig({
          ...base,
          BIP_MODE: 'production',
          BIP_SECRET: randomBytes(32).toString('base64'),
          BIP_BUYER_TOKEN_ISSUERS: '{"https://a": "http://a/jwks"}',
        }),
      /BIP_BUYER_TOKEN_ISSUERS: the JWKS URL of "https:\/\/a" must be https in production/,
    );
    const ok = loadConfig({
      ...base,
      BIP_SMTP_URL: 'smtps://u:p@mail.example:465',
      BIP_MAIL_FROM: 'Shop <codes@shop.example>',
      BIP_BUYER_TOKEN_ISSUERS: '{"https://social.example": "https://social.example/jwks.json"}',
    });
    assert.equal(ok.wallet.smtp?.from, 'Shop <codes@shop.example>');
    assert.equal(
      ok.wallet.issuers.get('https://social.example')?.href,
      'https://social.example/jwks.json',
    );
  });
});

for (const { name, skip } of dialects()) {
  describe(`wallet: key rotation (${name})`, { skip }, () => {
    let smtp: Smtp;
    let databaseUrl: string;
    before(async () => {
      smtp = await startSmtp();
      databaseUrl = await freshDatabaseUrl(name);
    });
    after(() => smtp?.close());

    /** A server on the shared database with these wallet keys; closed after `work`. */
    async function withServer<T>(keys: string, work: (s: TestServer) => Promise<T>): Promise<T> {
      const server = await startTestServer(name, walletEnv(smtp, { BIP_WALLET_KEYS: keys }), {
        databaseUrl,
      });
      try {
        return await work(server);
      } finally {
        await server.close();
      }
    }
    const keyIds = (s: TestServer) =>
      s.app.db.kysely.selectFrom('buyers').select(['id', 'key_id']).orderBy('id').execute();
    const wallets: { token: string; buyerId: string; email: string; line1: string }[] = [];
    const read = (s: TestServer, token: string) =>
      client(s.url, { Authorization: `Bearer ${token}` })('GET', '/buyer');

    test('rotate: new writes use the current key, the command re-wraps the rest, every wallet still opens', async () => {
      await withServer(walletKeys('k1', { k1: K1 }), async (s) => {
        for (let i = 1; i <= 3; i++) {
          const w = await signIn(s, smtp);
          const line1 = `${i} Rotation Row`;
          await s.app.services.wallet.saveAddress(w.buyerId, {
            name: `N${i}`,
            line1,
            city: 'Oslo',
            country: 'NO',
          });
          wallets.push({ ...w, line1 });
        }
      });
      const both = walletKeys('k2', { k1: K1, k2: K2 });
      await withServer(both, async (s) => {
        const w = await signIn(s, smtp);
        await s.app.services.wallet.saveAddress(w.buyerId, {
          name: 'N4',
          line1: '4 Rotation Row',
          city: 'Oslo',
          country: 'NO',
        });
        wallets.push({ ...w, line1: '4 Rotation Row' });
        const ids = new Map((await keyIds(s)).map((r) => [r.id, r.key_id]));
        assert.deepEqual(
          wallets.map((x) => ids.get(x.buyerId)),
          ['k1', 'k1', 'k1', 'k2'],
        );
        for (const x of wallets)
          assert.equal((await read(s, x.token)).status, 200, 'both keys open');
      });

      const rotated = cli(['wallet', 'rotate-keys'], {
        DATABASE_URL: databaseUrl,
        BIP_WALLET_KEYS: both,
      });
      assert.equal(rotated.status, 0, rotated.stderr);
      assert.match(rotated.stdout, /3 data key\(s\) re-wrapped; 4 wallet\(s\) now on "k2"/);
      const again = cli(['wallet', 'rotate-keys'], {
        DATABASE_URL: databaseUrl,
        BIP_WALLET_KEYS: both,
      });
      assert.match(again.stdout, /0 data key\(s\) re-wrapped; 4 wallet\(s\) now on "k2"/);

      // k1 retired: every wallet opens with k2 alone, sealed values untouched by the rotation
      await withServer(walletKeys('k2', { k2: K2 }), async (s) => {
        assert.deepEqual(new Set((await keyIds(s)).map((r) => r.key_id)), new Set(['k2']));
        for (const x of wallets) {
          const res = await read(s, x.token);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const id = res.body.addresses[0].id;
          assert.equal((await s.app.services.wallet.shippingAddress(x.buyerId, id)).line1, x.line1);
        }
        // the email index survives rotation: signing in by email finds the same wallet
        assert.equal((await signIn(s, smtp, wallets[0]!.email)).buyerId, wallets[0]!.buyerId);
      });
    });

    test('a wallet sealed with a key removed from the configuration fails closed, with a clear error', async () => {
      const orphan = await withServer(walletKeys('k1', { k1: K1 }), async (s) => {
        const w = await signIn(s, smtp);
        await s.app.services.wallet.saveAddress(w.buyerId, {
          name: 'Lost',
          line1: '9 Gone St',
          city: 'Oslo',
          country: 'NO',
        });
        return w;
      });
      await withServer(walletKeys('k2', { k2: K2 }), async (s) => {
        const res = await read(s, orphan.token);
        assert.equal(res.status, 503);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(res.body.code, 'wallet_unavailable');
        assert.match(res.body.detail, /key is not configured/);
        // nor does signing in again open it (and no session is made for it)
        const sessions = async () =>
          (await s.app.db.kysely.selectFrom('buyer_sessions').selectAll().execute()).length;
        const count = await sessions();
        const code = await askCode(s, smtp, orphan.email);
        const again = await client(s.url)('POST', '/buyer/sessions', { email: orphan.email, code });
        assert.equal(again.status, 503);
        assert.equal(await sessions(), count);
        // the other wallets are unaffected, and the orphan can still be erased
        assert.equal((await read(s, wallets[0]!.token)).status, 200);
      });
      const rotated = cli(['wallet', 'rotate-keys'], {
        DATABASE_URL: databaseUrl,
        BIP_WALLET_KEYS: walletKeys('k2', { k2: K2 }),
      });
      assert.equal(rotated.status, 1);
      assert.match(
        rotated.stderr,
        new RegExp(
          `${orphan.buyerId}: sealed with wallet key "k1", which BIP_WALLET_KEYS no longer lists`,
        ),
      );
      await withServer(walletKeys('k2', { k2: K2 }), async (s) => {
        assert.equal(
          (await client(s.url, { Authorization: `Bearer ${orphan.token}` })('DELETE', '/buyer'))
            .status,
          204,
        );
        assert.ok(!(await keyIds(s)).some((r) => r.id === orphan.buyerId));
      });
    });
  });
}

describe('wallet: modes', () => {
  const prodEnv = () => ({
    BIP_MODE: 'production',
    BIP_SECRET: randomBytes(32).toString('base64'),
    BIP_ALLOW_TEST_PAYMENTS: 'true',
  });

  test('production without BIP_WALLET_KEYS: the wallet routes say so, and there is no mailbox', async () => {
    const server = await startTestServer('sqlite', prodEnv());
    try {
      const api = client(server.url);
      const codes = await api('POST', '/buyer/codes', { email: freshEmail() });
      assert.equal(codes.status, 503);
      assert.equal(codes.body.code, 'wallet_unavailable');
      assert.equal((await api('GET', '/buyer')).body.code, 'wallet_unavailable');
      const mailbox = await api('GET', '/dev/mailbox');
      assert.equal(mailbox.status, 404);
      assert.equal(mailbox.body.code, 'not_found');
    } finally {
      await server.close();
    }
  });

  test('production with keys but no SMTP: codes cannot be mailed (503), and there is no mailbox', async () => {
    const server = await startTestServer('sqlite', {
      ...prodEnv(),
      BIP_WALLET_KEYS: walletKeys('k1', { k1: K1 }),
    });
    try {
      const api = client(server.url);
      const codes = await api('POST', '/buyer/codes', { email: freshEmail() });
      assert.equal(codes.status, 503);
      assert.equal(codes.body.code, 'mail_unavailable');
      assert.equal((await api('GET', '/dev/mailbox')).status, 404);
    } finally {
      await server.close();
    }
  });

  test('development without SMTP: codes land in the mailbox (GET /v1/dev/mailbox) and the log, and sign in', async () => {
    const lines: string[] = [];
    const log = createLogger({ mode: 'development', destination: { write: (l) => lines.push(l) } });
    const config = loadConfig({
      BIP_MODE: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: await freshDatabaseUrl('sqlite'),
    });
    const server = await startServer(config, { log });
    try {
      const api = client(server.url);
      const email = freshEmail('demo');
      assert.equal((await api('POST', '/buyer/codes', { email })).status, 202);
      const mailbox = await api('GET', '/dev/mailbox');
      assert.equal(mailbox.status, 200);
      assert.equal(mailbox.headers.get('cache-control'), 'no-store');
      const mail = mailbox.body.messages[0];
      assert.equal(mail.to, email);
      const code = /Your code: (\d{6})/.exec(mail.text)![1]!;
      // the console shows the code (so `npm start` needs no mail server), never the address
      const logged = lines.join('');
      assert.match(logged, new RegExp(`development mailbox: ${code} is your buy-in-post code`));
      assert.ok(!logged.includes(email));
      assert.equal((await api('POST', '/buyer/sessions', { email, code })).status, 201);
      // not part of the protocol's document
      const doc = await api('GET', '/openapi.json');
      assert.ok(!JSON.stringify(doc.body.paths).includes('mailbox'));
      assert.ok(JSON.stringify(doc.body.paths).includes('/buyer/sessions'));
    } finally {
      await server.close();
    }
  });
});
