import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createPaymentProvider } from '../src/payments/index.ts';

const SECRET = randomBytes(32).toString('base64url');

describe('configuration', () => {
  test('defaults: development, SQLite under ./data, test payments, 15-minute reservations', () => {
    const c = loadConfig({});
    assert.equal(c.mode, 'development');
    assert.equal(c.port, 8787);
    assert.equal(c.databaseUrl, './data/buy-in-post.sqlite');
    assert.equal(c.dataDir, './data', 'beside the SQLite file');
    assert.equal(c.reservationSeconds, 900);
    assert.equal(c.allowTestPayments, true);
    assert.equal(c.publicUrl, 'http://127.0.0.1:8787');
    assert.equal(createPaymentProvider(c).name, 'test');
  });

  test('each bad variable is named', () => {
    for (const [name, value] of [
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['BIP_RESERVATION_SECONDS', '-1'],
      ['BIP_MODE', 'staging'],
      ['BIP_PUBLIC_URL', 'not a url'],
      ['BIP_TRUST_PROXY', 'maybe'],
      ['BIP_CHECKOUT_RATE_LIMIT', '0'],
    ]) {
      assert.throws(
        () => loadConfig({ [name!]: value }),
        (e: unknown) => e instanceof ConfigError && e.message.includes(name!),
        `${name}=${value}`,
      );
    }
  });

  test('several bad variables are all named at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'x', BIP_WEBHOOK_MAX_ATTEMPTS: '0' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes('PORT') &&
        e.message.includes('BIP_WEBHOOK_MAX_ATTEMPTS'),
    );
  });

  test('production needs a real secret', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', BIP_ALLOW_TEST_PAYMENTS: 'true' }),
      /BIP_SECRET/,
    );
    assert.throws(() => loadConfig({ BIP_MODE: 'production', BIP_SECRET: 'short' }), /BIP_SECRET/);
    assert.throws(
      () => loadConfig({ BIP_MODE: 'production', BIP_SECRET: 's'.repeat(40) }),
      /BIP_SECRET: has fewer than 8 distinct characters/,
    );
    assert.equal(loadConfig({ BIP_MODE: 'production', BIP_SECRET: SECRET }).mode, 'production');
  });

  test('production refuses the test payment provider unless it is allowed on purpose', () => {
    const prod = loadConfig({ BIP_MODE: 'production', BIP_SECRET: SECRET });
    assert.equal(prod.allowTestPayments, false);
    assert.throws(
      () => createPaymentProvider(prod),
      (e: unknown) => e instanceof ConfigError && /BIP_ALLOW_TEST_PAYMENTS/.test(e.message),
    );
    const allowed = loadConfig({
      BIP_MODE: 'production',
      BIP_SECRET: SECRET,
      BIP_ALLOW_TEST_PAYMENTS: 'true',
    });
    assert.equal(createPaymentProvider(allowed).name, 'test');
  });

  test('the data directory: beside a SQLite file, ./data for PostgreSQL, or BIP_DATA_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bip-config-'));
    assert.equal(loadConfig({ DATABASE_URL: `${dir}/shop.sqlite` }).dataDir, dir);
    assert.equal(loadConfig({ DATABASE_URL: `sqlite://${dir}/shop.sqlite` }).dataDir, dir);
    const pg = 'postgres://bip:bip@127.0.0.1:5432/shop';
    assert.equal(loadConfig({ DATABASE_URL: pg, BIP_SECRET: SECRET }).dataDir, './data');
    assert.equal(loadConfig({ DATABASE_URL: pg, BIP_DATA_DIR: dir }).dataDir, dir);
  });

  test('flags override the environment', () => {
    const c = loadConfig({ PORT: '9000' }, { port: 9100 });
    assert.equal(c.port, 9100);
  });
});
