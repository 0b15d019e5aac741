import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { ConfigError, loadConfig } from '../src/config.ts';
import { connectEnv, type FakeStripe, startFakeStripe, stripeEnv } from './doubles/stripe-api.ts';
import { onboard } from './helpers/connect.ts';
import {
  ADDRESS_US,
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/**
 * Platform mode (Stripe Connect), onboarding: each seller gets one connected account, onboards
 * through Stripe-hosted Account Links, and is offered for sale only once Stripe lets it take
 * charges — as its `account.updated` events, posted to the Connect endpoint, say.
 */
for (const { name, skip } of dialects()) {
  describe(`Connect onboarding (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, connectEnv(fake, { BIP_PLATFORM_FEE_BPS: '250' }));
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      fake.connectWebhookUrl = `${server.url}/v1/webhooks/stripe/connect`;
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });

    const product = (id: string) =>
      client(server.url)('GET', `/products/${id}`, undefined, { 'Cache-Control': 'no-cache' });

    test('the account is made once, however many first calls race, and each call gets a fresh link', async () => {
      const seller = await makeSeller(server, 'Racing Artist');
      const calls = await Promise.all(
        Array.from({ length: 4 }, () => seller.api('GET', '/seller/payouts')),
      );
      for (const c of calls) assert.equal(c.status, 200, JSON.stringify(c.body));
      const ids = new Set(calls.map((c) => c.body.accountId));
      assert.equal(ids.size, 1, 'one account for the seller');
      const [accountId] = ids;
      const made = [...fake.accounts.values()].filter((a) => a.metadata.seller_id === seller.id);
      assert.equal(made.length, 1, 'Stripe made one account');
      assert.equal(made[0].type, 'express');
      assert.deepEqual(Object.keys(made[0].capabilities).sort(), ['card_payments', 'transfers']);

      const first = calls[0]!.body;
      assert.equal(first.status, 'action_required');
      assert.equal(first.chargesEnabled, false);
      assert.equal(first.payoutsEnabled, false);
      assert.ok(first.requirements.includes('external_account'));
      assert.equal(first.platformFeeBps, 250);
      assert.match(first.onboardingUrl, new RegExp(`^${fake.url}/connect/onboard/${accountId}`));

      const again = await seller.api('GET', '/seller/payouts?returnUrl=https://dash.example/pay');
      assert.equal(again.body.accountId, accountId);
      assert.notEqual(again.body.onboardingUrl, first.onboardingUrl, 'a fresh link');
      const link = fake.accountLinks.at(-1);
      assert.equal(link._params.type, 'account_onboarding');
      assert.equal(link._params.return_url, 'https://dash.example/pay');
      assert.equal(link._params.refresh_url, 'https://dash.example/pay');
    });

    test('Stripe unreachable while making the account: 502 payment_failed, and the next call makes it', async () => {
      const seller = await makeSeller(server, 'Unlucky Artist');
      fake.failNext((method, path) => method === 'POST' && path === '/v1/accounts');
      const failed = await seller.api('GET', '/seller/payouts');
      assert.equal(failed.status, 502);
      assert.equal(failed.body.code, 'payment_failed');
      const again = await seller.api('GET', '/seller/payouts');
      assert.equal(again.status, 200);
      assert.match(again.body.accountId, /^acct_/);
    });

    test('a seller who cannot take charges is not for sale, until account.updated says it can', async () => {
      const seller = await makeSeller(server, 'Waiting Brand');
      const tee = await makeTee(seller);
      const before = await product(tee.id);
      assert.equal(before.body.available, false);
      assert.equal(before.body.unavailableReason, 'seller_not_ready');
      assert.ok(before.body.variants.every((v: { maxQuantity: number }) => v.maxQuantity === 0));

      const refused = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'seller_not_ready');
      assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
      const stock = await seller.api('GET', `/seller/products/${tee.id}`);
      assert.equal(stock.body.variants[0].reserved, 0, 'nothing was held');

      // An account, but onboarding not finished: still not for sale.
      const { body } = await seller.api('GET', '/seller/payouts');
      assert.equal((await product(tee.id)).body.available, false);

      const accountId = await onboard(fake, seller);
      assert.equal(accountId, body.accountId);
      const now = await product(tee.id);
      assert.equal(now.body.available, true);
      assert.equal(now.body.unavailableReason, undefined);
      const status = await seller.api('GET', '/seller/payouts');
      assert.equal(status.body.status, 'enabled');
      assert.equal(status.body.chargesEnabled, true);
      assert.equal(status.body.payoutsEnabled, true);
      assert.equal(status.body.onboardingUrl, null, 'nothing left to do');

      // Stripe needs more later (a verification): the products go off sale again.
      fake.updateAccount(accountId, { charges: false, due: ['individual.verification.document'] });
      await fake.idle();
      const off = await product(tee.id);
      assert.equal(off.body.available, false);
      assert.equal(off.body.unavailableReason, 'seller_not_ready');
      const row = await server.app.db.kysely
        .selectFrom('sellers')
        .select(['connect_charges_enabled', 'connect_requirements'])
        .where('id', '=', seller.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.connect_charges_enabled, 0);
      assert.deepEqual(JSON.parse(row.connect_requirements!).currentlyDue, [
        'individual.verification.document',
      ]);
    });

    test('Connect webhooks: a forged one, and one signed with the platform secret, are refused', async () => {
      const seller = await makeSeller(server, 'Forged Nonprofit');
      const tee = await makeTee(seller);
      const { body } = await seller.api('GET', '/seller/payouts');
      const account = { ...fake.accounts.get(body.accountId), charges_enabled: true };
      const event = {
        id: 'evt_forged_connect',
        object: 'event',
        account: body.accountId,
        created: Math.floor(Date.now() / 1000),
        type: 'account.updated',
        data: { object: account },
      };
      const payload = JSON.stringify(event);
      const stripe = new Stripe('sk_test_x');
      const sign = (secret: string) =>
        stripe.webhooks.generateTestHeaderString({ payload, secret });
      const post = (path: string, signature: string) =>
        fetch(`${server.url}/v1/webhooks/stripe${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
          body: payload,
        });
      for (const signature of [
        sign('whsec_not_the_real_one'),
        sign(fake.webhookSecret), // the platform endpoint's secret
        'garbage',
      ]) {
        const res = await post('/connect', signature);
        assert.equal(res.status, 400);
        assert.equal(((await res.json()) as { code: string }).code, 'invalid_signature');
      }
      // …and the Connect secret does not verify on the platform endpoint either.
      const crossed = await post('', sign(fake.connectWebhookSecret));
      assert.equal(crossed.status, 400);
      assert.equal((await product(tee.id)).body.available, false, 'nothing changed');

      // The same event, signed with the Connect secret, is applied once.
      const good = await post('/connect', sign(fake.connectWebhookSecret));
      assert.equal(good.status, 200);
      assert.deepEqual(await good.json(), {
        received: true,
        outcome: 'account_updated',
        duplicate: false,
      });
      const replay = await post('/connect', sign(fake.connectWebhookSecret));
      assert.equal(((await replay.json()) as { duplicate: boolean }).duplicate, true);
      assert.equal((await product(tee.id)).body.available, true);
    });
  });
}

describe('Platform mode configuration', () => {
  const base = { BIP_MODE: 'test', DATABASE_URL: ':memory:', BIP_SECRET: 'x'.repeat(40) };
  const keys = {
    STRIPE_SECRET_KEY: 'sk_test_abc',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
  };

  test('off by default: a single-seller endpoint has no Connect settings', () => {
    assert.equal(loadConfig({ ...base, ...keys }).stripe?.connect, null);
  });

  test('platform mode needs the platform’s Stripe keys', () => {
    assert.throws(
      () => loadConfig({ ...base, BIP_STRIPE_CONNECT: 'true' }),
      (err: Error) => err instanceof ConfigError && /BIP_STRIPE_CONNECT/.test(err.message),
    );
  });

  test('fees and per-seller fees are read, and refused when malformed or without platform mode', () => {
    const config = loadConfig({
      ...base,
      ...keys,
      BIP_STRIPE_CONNECT: 'true',
      BIP_PLATFORM_FEE_BPS: '500',
      BIP_PLATFORM_FEE_BPS_BY_SELLER: 'sel_a=0, sel_b:1250',
    });
    assert.equal(config.stripe?.connect?.feeBps, 500);
    assert.deepEqual({ ...config.stripe?.connect?.feeBpsBySeller }, { sel_a: 0, sel_b: 1250 });
    assert.equal(config.stripe?.connect?.accountType, 'express');
    for (const bad of ['sel_a', 'sel_a=20000', 'sel a=5']) {
      assert.throws(
        () =>
          loadConfig({
            ...base,
            ...keys,
            BIP_STRIPE_CONNECT: 'true',
            BIP_PLATFORM_FEE_BPS_BY_SELLER: bad,
          }),
        /BIP_PLATFORM_FEE_BPS_BY_SELLER/,
      );
    }
    assert.throws(
      () => loadConfig({ ...base, ...keys, BIP_PLATFORM_FEE_BPS: '500' }),
      /BIP_PLATFORM_FEE_BPS: set, but BIP_STRIPE_CONNECT is not true/,
    );
    assert.throws(
      () =>
        loadConfig({ ...base, ...keys, BIP_PLATFORM_FEE_BPS: '10001', BIP_STRIPE_CONNECT: 'true' }),
      /BIP_PLATFORM_FEE_BPS/,
    );
  });

  test('production needs the Connect webhook secret', () => {
    assert.throws(
      () =>
        loadConfig({
          ...base,
          ...keys,
          BIP_MODE: 'production',
          BIP_SECRET: 'Zx9!'.repeat(12),
          STRIPE_WEBHOOK_SECRET: 'whsec_abc',
          BIP_STRIPE_CONNECT: 'true',
        }),
      /BIP_STRIPE_CONNECT_WEBHOOK_SECRET: required in production/,
    );
  });

  test('a single-seller endpoint answers 404 for payouts and for the Connect webhook', async () => {
    const fake = await startFakeStripe();
    const server = await startTestServer('sqlite', stripeEnv(fake));
    try {
      const seller = await makeSeller(server);
      const payouts = await seller.api('GET', '/seller/payouts');
      assert.equal(payouts.status, 404);
      assert.equal(payouts.body.code, 'not_found');
      const hook = await fetch(`${server.url}/v1/webhooks/stripe/connect`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(hook.status, 404);
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
