import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { connectEnv, type FakeStripe, startFakeStripe } from './doubles/stripe-api.ts';
import { moneyOf, onboard, outboxOf, paidOrder, payInPage } from './helpers/connect.ts';
import {
  ADDRESS_FR,
  ADDRESS_US,
  buyer,
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/**
 * Platform mode, paying: a checkout is a destination charge on the seller's behalf — the whole
 * amount transferred to its connected account, the platform's fee taken back as an application
 * fee — settled by the same events as a single-seller endpoint's, checked on the fake's ledger.
 */
for (const { name, skip } of dialects()) {
  describe(`Connect payments (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;
    const FREE_SELLER = `sel_free_${name}`;

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(
        name,
        connectEnv(fake, {
          BIP_PLATFORM_FEE_BPS: '1000',
          BIP_PLATFORM_FEE_BPS_BY_SELLER: `${FREE_SELLER}=0`,
        }),
      );
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      fake.connectWebhookUrl = `${server.url}/v1/webhooks/stripe/connect`;
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });

    test('a purchase: destination charge on the seller’s behalf, fee to the platform, the rest to the seller', async () => {
      const seller = await makeSeller(server, 'Paid Artist');
      const account = await onboard(fake, seller);
      const { piId, orderId } = await paidOrder(server, fake, seller);
      const { pi, charge, transfer, fee } = moneyOf(fake, piId);
      assert.equal(pi.on_behalf_of, account, 'the seller is the merchant of record');
      assert.deepEqual(pi.transfer_data, { destination: account });
      assert.equal(pi.application_fee_amount, 500, '10 % of 50.00');
      assert.equal(pi.metadata.platform_fee_bps, '1000');
      assert.equal(charge.amount, 5000);
      assert.equal(transfer.destination, account);
      assert.equal(transfer.amount, 5000);
      assert.equal(fee.amount, 500);
      assert.equal(fee.account, account);
      assert.equal(fake.balance(account), 4500);
      assert.equal(
        fake.ledger
          .filter((e) => e.account === 'platform' && e.source !== charge.id)
          .reduce((s, e) => s + e.amount, 0) + 5000,
        500,
        'the platform keeps its fee',
      );
      const order = await seller.api('GET', `/seller/orders/${orderId}`);
      assert.equal(order.body.total.amount, 5000);
      assert.equal(order.body.refundStatus, 'none');
      assert.equal((await outboxOf(server, seller.id, 'order.paid')).length, 1);
    });

    test('the fee follows the total when the checkout changes, and a per-seller fee replaces the endpoint’s', async () => {
      const seller = await makeSeller(server, 'Changing Brand');
      await onboard(fake, seller);
      const tee = await makeTee(seller, { price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const piId = created.body.payment.clientSecret.split('_secret_')[0];
      assert.equal(fake.paymentIntents.get(piId).application_fee_amount, 300); // 25.00 + 5.00
      const api = buyer(server.url, created.body.clientToken);
      const more = await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 3 });
      assert.equal(more.body.totals.total.amount, 7500);
      assert.equal(fake.paymentIntents.get(piId).amount, 7500);
      assert.equal(fake.paymentIntents.get(piId).application_fee_amount, 750);

      const free = await server.app.services.sellers.create({
        id: FREE_SELLER,
        name: 'Free Nonprofit',
        kind: 'nonprofit',
        shippingZones: [{ name: 'Home', countries: ['US'], rate: 500, freeOver: 5000 }],
      });
      const freeSeller = {
        ...free,
        api: client(server.url, { Authorization: `Bearer ${free.apiKey}` }),
      };
      const freeAccount = await onboard(fake, freeSeller);
      const { piId: freePi } = await paidOrder(server, fake, freeSeller);
      const { pi, fee } = moneyOf(fake, freePi);
      assert.equal(pi.application_fee_amount, null, 'no fee for this seller');
      assert.equal(fee, undefined);
      assert.equal(fake.balance(freeAccount), 5000);
      const payouts = await freeSeller.api('GET', '/seller/payouts');
      assert.equal(payouts.body.platformFeeBps, 0);
    });

    test('hosted mode: the Checkout Session makes the same destination charge', async () => {
      const seller = await makeSeller(server, 'Hosted Artist');
      const account = await onboard(fake, seller);
      const tee = await makeTee(seller, { price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        paymentMode: 'hosted',
        returnUrl: 'https://blog.example/posts/9',
        shippingAddress: ADDRESS_FR,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const url: string = created.body.payment.url;
      const pay = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          card: '4242424242424242',
          name: ADDRESS_FR.name,
          line1: ADDRESS_FR.line1,
          city: ADDRESS_FR.city,
          postal_code: ADDRESS_FR.postalCode,
          country: 'FR',
        }),
      });
      assert.equal(pay.status, 303);
      await fake.idle();
      const paid = await buyer(server.url, created.body.clientToken)(
        'GET',
        `/checkouts/${created.body.id}`,
      );
      assert.equal(paid.body.status, 'paid');
      const session = fake.checkoutSessions.get(url.split('/').at(-1)!)!;
      const { pi } = moneyOf(fake, session.payment_intent);
      assert.equal(pi.on_behalf_of, account);
      assert.equal(pi.amount, 4800);
      assert.equal(pi.application_fee_amount, 480);
      assert.equal(fake.balance(account), 4320);
    });

    test('a payment event sent to the Connect endpoint settles the order as the platform endpoint does', async () => {
      const seller = await makeSeller(server, 'Connect Events Brand');
      await onboard(fake, seller);
      const tee = await makeTee(seller, { price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 2,
        shippingAddress: ADDRESS_US,
      });
      const api = buyer(server.url, created.body.clientToken);
      await api(
        'POST',
        `/checkouts/${created.body.id}/confirm`,
        { payment: { provider: 'stripe' } },
        { 'Idempotency-Key': newKey() },
      );
      fake.webhookPolicy = { mode: 'drop', duplicates: 0, delayMs: 0 };
      try {
        await payInPage(fake, created.body.payment.clientSecret);
      } finally {
        fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
      }
      const orders = async () =>
        (await seller.api('GET', `/seller/orders?productId=${tee.id}`)).body.orders;
      assert.equal((await orders()).length, 0, 'the platform endpoint heard nothing');
      const event = fake.events.findLast((e) => e.type === 'payment_intent.succeeded')!;
      const payload = JSON.stringify({ ...event, account: 'acct_direct_example' });
      const res = await fetch(`${server.url}/v1/webhooks/stripe/connect`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Stripe-Signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({
            payload,
            secret: fake.connectWebhookSecret,
          }),
        },
        body: payload,
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { outcome: string }).outcome, 'paid');
      assert.equal((await orders()).length, 1);
    });

    test('a seller whose charges were disabled after a checkout began is not paid into', async () => {
      const seller = await makeSeller(server, 'Suspended Brand');
      const account = await onboard(fake, seller);
      const tee = await makeTee(seller, { price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
      });
      assert.equal(created.status, 201);
      fake.updateAccount(account, { charges: false });
      await fake.idle();
      // The address prices shipping, so the payment is prepared again: refused, not made.
      const change = await buyer(server.url, created.body.clientToken)(
        'PATCH',
        `/checkouts/${created.body.id}`,
        { shippingAddress: ADDRESS_US },
      );
      assert.equal(change.status, 409);
      assert.equal(change.body.code, 'seller_not_ready');
      const pay = await buyer(server.url, created.body.clientToken)(
        'POST',
        `/checkouts/${created.body.id}/confirm`,
        { payment: { provider: 'stripe' } },
        { 'Idempotency-Key': `pay-${created.body.id}` },
      );
      assert.equal(pay.status, 409);
      assert.equal(pay.body.code, 'seller_not_ready');
      const again = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'seller_not_ready');
    });
  });
}
