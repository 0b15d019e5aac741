// Issue 12, defect 5: outside production, download links were signed with a secret published in
// the source, so anyone could mint a link to any digital product. These tests hold the defences:
// a random secret per installation (kept under the data directory), strong secrets only in
// production, and modes that cannot be misspelt into development.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { ConfigError, loadConfig } from '../src/config.ts';
import {
  buyer,
  createCheckout,
  freshDatabaseUrl,
  makeSeller,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/** The value every copy of the source used to sign download links with, before this fix. */
const PUBLISHED_DEV_SECRET = 'development-secret-not-for-production-use-000000';
const SECRET_FILE = 'buy-in-post.secret';
const STRONG = randomBytes(32).toString('base64url');
const tmpDir = () => mkdtempSync(join(tmpdir(), 'bip-secret-'));

const named = (name: string) => (e: unknown) =>
  e instanceof ConfigError && e.message.includes(name);

/** A digital product with a file, through the seller API. */
async function digitalProduct(server: TestServer) {
  const seller = await makeSeller(server);
  const res = await seller.api('POST', '/seller/products', {
    title: 'Night Trains — digital album',
    kind: 'digital',
    variants: [{ price: 900, stock: null }],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const upload = await fetch(
    `${server.url}/v1/seller/products/${res.body.id}/file?name=album.zip`,
    {
      method: 'PUT',
      headers: { Authorization: `Bearer ${seller.apiKey}`, 'Content-Type': 'application/zip' },
      body: new Uint8Array([1, 2, 3, 4]),
    },
  );
  assert.equal(upload.status, 200);
  return { productId: res.body.id as string, variantId: res.body.variants[0].id as string };
}

/** Buys the product with the test provider and returns the download link the order carries. */
async function buyLink(server: TestServer, p: { productId: string; variantId: string }) {
  const c = await createCheckout(server.url, { ...p, quantity: 1 });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const paid = await buyer(server.url, c.body.clientToken)(
    'POST',
    `/checkouts/${c.body.id}/confirm`,
    {
      payment: { provider: 'test', card: '4242424242424242' },
    },
  );
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return paid.body.order.downloadUrl as string;
}

/** A link minted by an attacker who knows `secret`, exactly as the server mints its own. */
async function forgedLink(server: TestServer, productId: string, secret: string) {
  const token = await new SignJWT({ pid: productId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ord_forged')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(`downloads:${secret}`));
  return `${server.url}/v1/downloads/${token}`;
}

describe('download links outside production (issue 12, defect 5)', () => {
  for (const mode of ['development', 'test']) {
    test(`a link signed with the published development secret opens nothing (${mode} mode)`, async () => {
      const server = await startTestServer('sqlite', { BIP_MODE: mode });
      try {
        const album = await digitalProduct(server);
        const forged = await fetch(await forgedLink(server, album.productId, PUBLISHED_DEV_SECRET));
        assert.equal(forged.status, 404, 'the forged link must not serve the file');
        assert.equal(forged.headers.get('content-type'), 'application/problem+json');
        // the server's own links still work
        assert.equal((await fetch(await buyLink(server, album))).status, 200);
      } finally {
        await server.close();
      }
    });
  }

  test('the secret is generated once per installation, kept 0600 under the data directory, and survives a restart', async () => {
    const databaseUrl = await freshDatabaseUrl('sqlite');
    const file = join(dirname(databaseUrl), SECRET_FILE);
    const env = { BIP_MODE: 'development' };
    const first = await startTestServer('sqlite', env, { databaseUrl });
    let link: string;
    let album: { productId: string; variantId: string };
    try {
      album = await digitalProduct(first);
      link = await buyLink(first, album);
    } finally {
      await first.close();
    }
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600, 'only the owner may read the secret');
    const kept = readFileSync(file, 'utf8');
    assert.ok(kept.trim().length >= 43, 'at least 256 random bits');

    const again = await startTestServer('sqlite', env, { databaseUrl });
    try {
      // the same link, on the restarted server's port
      const relinked = `${again.url}${new URL(link).pathname}`;
      assert.equal((await fetch(relinked)).status, 200, 'a link issued before the restart opens');
      assert.equal(readFileSync(file, 'utf8'), kept, 'the secret is reused, not replaced');
    } finally {
      await again.close();
    }

    // The same database under another data directory signs with another secret: the link's
    // worth comes from this installation's secret file, nothing else.
    const otherDir = tmpDir();
    const other = await startTestServer(
      'sqlite',
      { ...env, BIP_DATA_DIR: otherDir },
      { databaseUrl },
    );
    try {
      assert.notEqual(readFileSync(join(otherDir, SECRET_FILE), 'utf8'), kept);
      assert.equal((await fetch(`${other.url}${new URL(link).pathname}`)).status, 404);
      assert.equal((await fetch(await buyLink(other, album))).status, 200);
    } finally {
      await other.close();
    }
  });

  test('BIP_DATA_DIR chooses where the secret lives; a secret file others can read is refused', () => {
    const dir = tmpDir();
    const c = loadConfig({ BIP_DATA_DIR: dir, DATABASE_URL: ':memory:' });
    assert.equal(c.dataDir, dir);
    assert.equal(readFileSync(join(dir, SECRET_FILE), 'utf8').trim(), c.secret);
    assert.equal(loadConfig({ BIP_DATA_DIR: dir }).secret, c.secret, 'read back, not regenerated');
    chmodSync(join(dir, SECRET_FILE), 0o644);
    assert.throws(() => loadConfig({ BIP_DATA_DIR: dir }), named(SECRET_FILE));
  });

  test('a test that needs a fixed secret can still pass one', async () => {
    const fixed = `fixed-test-secret-${'0123456789abcdef'.repeat(2)}`;
    assert.equal(
      loadConfig({ BIP_MODE: 'test', BIP_SECRET: fixed, BIP_DATA_DIR: tmpDir() }).secret,
      fixed,
    );
    const server = await startTestServer('sqlite', { BIP_SECRET: fixed });
    try {
      const album = await digitalProduct(server);
      assert.equal((await fetch(await forgedLink(server, album.productId, fixed))).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('secrets and modes in configuration (issue 12, defect 5)', () => {
  test('production refuses a short, low-entropy or published BIP_SECRET, naming it', () => {
    const prod = (secret: string) => () =>
      loadConfig({ BIP_MODE: 'production', BIP_SECRET: secret, BIP_DATA_DIR: tmpDir() });
    for (const weak of [
      'short',
      'x'.repeat(31),
      'a'.repeat(64), // one character
      'abcd'.repeat(16), // a repeated pattern
      'passwordpasswordpasswordpassword', // a repeated word
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbb', // two characters
      '01010101010101010101010101010101012', // few distinct characters
      PUBLISHED_DEV_SECRET,
    ]) {
      assert.throws(prod(weak), named('BIP_SECRET'), weak);
    }
    // what `openssl rand -base64 32` / `-hex 32` and Node's randomBytes give is accepted
    for (const strong of [
      STRONG,
      randomBytes(32).toString('hex'),
      randomBytes(32).toString('base64'),
      randomBytes(24).toString('base64'),
    ]) {
      assert.equal(prod(strong)().secret, strong);
    }
  });

  test('the published development value is refused in every mode', () => {
    for (const mode of ['development', 'test', 'production'])
      assert.throws(
        () =>
          loadConfig({ BIP_MODE: mode, BIP_SECRET: PUBLISHED_DEV_SECRET, BIP_DATA_DIR: tmpDir() }),
        named('BIP_SECRET'),
        mode,
      );
  });

  test('BIP_MODE and NODE_ENV are read case-insensitively', () => {
    const base = { BIP_SECRET: STRONG, BIP_DATA_DIR: tmpDir() };
    assert.equal(loadConfig({ ...base, BIP_MODE: 'Production' }).mode, 'production');
    assert.equal(loadConfig({ ...base, BIP_MODE: 'TEST' }).mode, 'test');
    assert.equal(loadConfig({ ...base, NODE_ENV: 'PRODUCTION' }).mode, 'production');
    assert.equal(loadConfig({ ...base, NODE_ENV: ' Production ' }).mode, 'production');
    assert.equal(loadConfig({ ...base, NODE_ENV: 'Development' }).mode, 'development');
    // a production deployment that spells the mode differently must not fall back to development
    assert.throws(
      () => loadConfig({ NODE_ENV: 'Production', BIP_DATA_DIR: tmpDir() }),
      named('BIP_SECRET'),
    );
  });

  test('an unknown mode is refused, naming the variable', () => {
    for (const [name, value] of [
      ['NODE_ENV', 'staging'],
      ['NODE_ENV', 'prod'],
      ['BIP_MODE', 'staging'],
      ['BIP_MODE', 'prod'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value, BIP_DATA_DIR: tmpDir() }),
        named(name),
        `${name}=${value}`,
      );
    }
  });
});
