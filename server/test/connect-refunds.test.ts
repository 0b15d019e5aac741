import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectEnv, type FakeStripe, startFakeStripe } from './doubles/stripe-api.ts';
import { moneyOf, onboard, outboxOf, paidOrder, refund } from './helpers/connect.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/**
 * Refunds, whole or in part, through the seller API or in Stripe's Dashboard: each reaches the
 * order once (the buyer's confirmation, the seller's `order.refunded`), and in platform mode the
 * seller's transfer and the platform's fee are reversed in proportion, as the fake's ledger shows.
 */
for (const { name, skip } of dialects()) {
  describe(`Refunds in platform mode (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, connectEnv(fake, { BIP_PLATFORM_FEE_BPS: '1000' }));
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      fake.connectWebhookUrl = `${server.url}/v1/webhooks/stripe/connect`;
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });

    test('a partial refund through the API, then the rest in the Dashboard: order, webhooks, transfer and fee follow', async () => {
      const seller = await makeSeller(server, 'Refunding Artist');
      const account = await onboard(fake, seller);
      const { piId, orderId, checkout, api } = await paidOrder(server, fake, seller);
      assert.equal(fake.balance(account), 4500);

      const tooMuch = await refund(seller, orderId, { amount: 5001 });
      assert.equal(tooMuch.status, 422);
      assert.equal(tooMuch.body.code, 'refund_too_large');
      assert.deepEqual(tooMuch.body.refundable, { amount: 5000, currency: 'USD' });

      const key = newKey();
      const part = await refund(seller, orderId, { amount: 2000, reason: 'one was damaged' }, key);
      assert.equal(part.status, 201, JSON.stringify(part.body));
      assert.equal(part.body.refund.amount.amount, 2000);
      assert.equal(part.body.refund.source, 'api');
      assert.equal(part.body.order.refundStatus, 'partial');
      assert.deepEqual(part.body.order.amountRefunded, { amount: 2000, currency: 'USD' });
      const replay = await refund(
        seller,
        orderId,
        { amount: 2000, reason: 'one was damaged' },
        key,
      );
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.refund.id, part.body.refund.id);
      await fake.idle(); // the charge.refunded event of this refund comes too: recorded once

      let money = moneyOf(fake, piId);
      assert.equal(money.charge.amount_refunded, 2000, 'one refund at Stripe');
      assert.equal(money.transfer.amount_reversed, 2000, '2/5 of the transfer');
      assert.equal(money.fee.amount_refunded, 200, '2/5 of the fee');
      assert.equal(fake.balance(account), 2700, 'the seller keeps 90 % of what was not refunded');
      let events = await outboxOf(server, seller.id, 'order.refunded');
      assert.equal(events.length, 1);
      assert.equal(events[0].data.refund.amount.amount, 2000);
      assert.equal(events[0].data.refund.reason, 'one was damaged');
      assert.equal(events[0].data.order.refundStatus, 'partial');
      const seen = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(seen.body.order.refundStatus, 'partial');
      assert.deepEqual(seen.body.order.amountRefunded, { amount: 2000, currency: 'USD' });

      // The rest, refunded in Stripe's Dashboard (no reversal asked for there).
      fake.dashboardRefund(piId);
      await fake.idle();
      const refundedEvents = fake.deliveries.filter((d) => d.type === 'charge.refunded');
      assert.ok(refundedEvents.every((d) => d.status === 200));
      money = moneyOf(fake, piId);
      assert.equal(money.transfer.amount_reversed, 5000);
      assert.equal(money.fee.amount_refunded, 500);
      assert.equal(fake.balance(account), 0);
      assert.equal(fake.balance('platform'), 0, 'the platform neither gains nor loses');
      const order = await seller.api('GET', `/seller/orders/${orderId}`);
      assert.equal(order.body.refundStatus, 'full');
      assert.equal(order.body.amountRefunded.amount, 5000);
      events = await outboxOf(server, seller.id, 'order.refunded');
      assert.equal(events.length, 2);
      assert.equal(events[1].data.refund.source, 'provider');
      assert.equal(events[1].data.refund.amount.amount, 3000);
      const list = await seller.api('GET', `/seller/orders/${orderId}/refunds`);
      assert.deepEqual(
        list.body.refunds.map((r: { amount: { amount: number } }) => r.amount.amount),
        [2000, 3000],
      );
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.order.refundStatus, 'full');

      const more = await refund(seller, orderId, { amount: 1 });
      assert.equal(more.status, 409);
      assert.equal(more.body.code, 'already_refunded');
      // A repeated event changes nothing.
      const last = fake.events.filter((e) => e.type === 'charge.refunded').at(-1)!;
      assert.ok(last);
      assert.equal((await outboxOf(server, seller.id, 'order.refunded')).length, 2);
    });

    test('a refund of the seller API whose event is recorded first is recorded as the API’s', async () => {
      const seller = await makeSeller(server, 'Early Event Artist');
      await onboard(fake, seller);
      const { piId, orderId } = await paidOrder(server, fake, seller);
      // What the endpoint asks Stripe for in refundPart, made straight at the fake with the
      // event dropped, then read as its charge.refunded event would have it read.
      fake.webhookPolicy = { mode: 'drop', duplicates: 0, delayMs: 0 };
      try {
        const res = await fetch(`${fake.url}/v1/refunds`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${fake.secretKey}`,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            payment_intent: piId,
            amount: '1200',
            'metadata[order_id]': orderId,
            'metadata[bip_source]': 'api',
            'metadata[bip_reason]': 'wrong size',
          }),
        });
        assert.equal(res.status, 200);
      } finally {
        fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
      }
      assert.equal(await server.app.services.refunds.fromProvider(piId), 'refunded');
      const [event] = await outboxOf(server, seller.id, 'order.refunded');
      assert.equal(event.data.refund.source, 'api');
      assert.equal(event.data.refund.reason, 'wrong size');
      assert.equal(moneyOf(fake, piId).transfer.amount_reversed, 1200);
    });

    test('rounding: odd shares of odd amounts still reverse exactly the whole in the end', async () => {
      const seller = await makeSeller(server, 'Odd Brand');
      const account = await onboard(fake, seller);
      const { piId, orderId } = await paidOrder(server, fake, seller);
      for (const amount of [333, 1, 1667, 999])
        assert.equal((await refund(seller, orderId, { amount })).status, 201);
      fake.dashboardRefund(piId, 1);
      await fake.idle();
      assert.equal((await refund(seller, orderId)).status, 201, 'the rest');
      await fake.idle();
      const money = moneyOf(fake, piId);
      assert.equal(money.charge.amount_refunded, 5000);
      assert.equal(money.transfer.amount_reversed, 5000);
      assert.equal(money.fee.amount_refunded, 500);
      assert.equal(fake.balance(account), 0);
      assert.equal((await outboxOf(server, seller.id, 'order.refunded')).length, 6);
    });

    test('refunds made in one second are reversed in the order they were made, whatever their ids', async () => {
      const seller = await makeSeller(server, 'Same Second Brand');
      const account = await onboard(fake, seller);
      const { piId, orderId } = await paidOrder(server, fake, seller);
      // Every refund in the same second, each new id sorting before the ones made before it:
      // shares taken in id order would leave 1 of the 500 fee unrefunded (32, 34, then the rest).
      const { refundId, refundCreated } = fake;
      let n = 99;
      const second = refundCreated();
      fake.refundId = () => `re_${String(n--).padStart(24, '0')}`;
      fake.refundCreated = () => second;
      try {
        for (const amount of [32, 34])
          assert.equal((await refund(seller, orderId, { amount })).status, 201);
        assert.equal((await refund(seller, orderId)).status, 201, 'the rest');
        await fake.idle();
      } finally {
        fake.refundId = refundId;
        fake.refundCreated = refundCreated;
      }
      const money = moneyOf(fake, piId);
      assert.equal(money.charge.amount_refunded, 5000);
      assert.equal(money.transfer.amount_reversed, 5000);
      assert.equal(money.fee.amount_refunded, 500);
      assert.equal(fake.balance(account), 0);
    });

    test('a reversal Stripe refused is made by the sweeper later, once', async () => {
      const seller = await makeSeller(server, 'Retried Brand');
      const account = await onboard(fake, seller);
      const { piId, orderId } = await paidOrder(server, fake, seller);
      // The refund's own reversal is refused; its charge.refunded event is held back meanwhile.
      fake.failNext((method, path) => method === 'POST' && path.endsWith('/reversals'));
      fake.webhookPolicy = { mode: 'hold', duplicates: 0, delayMs: 0 };
      try {
        assert.equal((await refund(seller, orderId, { amount: 1000 })).status, 201);
        assert.equal(moneyOf(fake, piId).transfer.amount_reversed, 0, 'not reversed yet');
        assert.equal(await server.app.services.refunds.retryReversals(), 1, 'the sweeper’s job');
        assert.equal(await server.app.services.refunds.retryReversals(), 0, 'nothing left');
      } finally {
        fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
      }
      await fake.releaseHeld(); // the event comes late: nothing more is reversed
      const money = moneyOf(fake, piId);
      assert.equal(money.transfer.amount_reversed, 1000);
      assert.equal(money.fee.amount_refunded, 100);
      assert.equal(fake.balance(account), 3600);
      assert.equal((await outboxOf(server, seller.id, 'order.refunded')).length, 1);
    });

    test('one seller’s key never reads or refunds another seller’s order', async () => {
      const owner = await makeSeller(server, 'Owner');
      await onboard(fake, owner);
      const other = await makeSeller(server, 'Other');
      const { orderId, piId } = await paidOrder(server, fake, owner);
      assert.equal((await other.api('GET', `/seller/orders/${orderId}`)).status, 404);
      assert.equal((await other.api('GET', `/seller/orders/${orderId}/refunds`)).status, 404);
      const stolen = await refund(other, orderId, { amount: 100 });
      assert.equal(stolen.status, 404);
      assert.equal(stolen.body.code, 'not_found');
      assert.equal(moneyOf(fake, piId).charge.amount_refunded, 0, 'nothing refunded at Stripe');
      // The same Idempotency-Key used by the owner is the owner's own call, not a replay.
      const key = newKey();
      assert.equal((await refund(other, orderId, { amount: 100 }, key)).status, 404);
      assert.equal((await refund(owner, orderId, { amount: 100 }, key)).status, 201);
      const keyless = await owner.api('POST', `/seller/orders/${orderId}/refunds`, {});
      assert.equal(keyless.status, 400);
      assert.equal(keyless.body.code, 'idempotency_key_required');
    });
  });

  describe(`Refunds on a single-seller endpoint, test provider (${name})`, { skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(name);
    });
    after(async () => {
      await server?.close();
    });

    async function paidWithTestCard(seller: Awaited<ReturnType<typeof makeSeller>>) {
      const tee = await makeTee(seller, { price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 2,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const api = buyer(server.url, created.body.clientToken);
      const paid = await api(
        'POST',
        `/checkouts/${created.body.id}/confirm`,
        { payment: { provider: 'test', card: '4242424242424242' } },
        { 'Idempotency-Key': newKey() },
      );
      assert.equal(paid.body.status, 'paid', JSON.stringify(paid.body));
      return { api, checkoutId: created.body.id as string, orderId: paid.body.order.id as string };
    }

    test('no platform here: payouts are not found, and products sell as before', async () => {
      const seller = await makeSeller(server);
      assert.equal((await seller.api('GET', '/seller/payouts')).status, 404);
      const tee = await makeTee(seller);
      const product = await buyer(server.url, '')('GET', `/products/${tee.id}`);
      assert.equal(product.body.available, true);
      assert.equal('unavailableReason' in product.body, false);
    });

    test('the seller refunds in part then in full; the buyer sees it; racing refunds never exceed the total', async () => {
      const seller = await makeSeller(server);
      const { api, checkoutId, orderId } = await paidWithTestCard(seller);
      const before = await api('GET', `/checkouts/${checkoutId}`);
      assert.equal(before.body.order.refundStatus, undefined, 'nothing refunded: as before');
      const part = await refund(seller, orderId, { amount: 1500 });
      assert.equal(part.status, 201, JSON.stringify(part.body));
      assert.match(part.body.refund.id, /^test_re_/);
      assert.equal(
        (await api('GET', `/checkouts/${checkoutId}`)).body.order.refundStatus,
        'partial',
      );

      // Three refunds of what is left, at once, each with its own key: one is made.
      const racing = await Promise.all([1, 2, 3].map(() => refund(seller, orderId, {})));
      assert.equal(racing.filter((r) => r.status === 201).length, 1);
      for (const r of racing.filter((x) => x.status !== 201))
        assert.ok(['already_refunded', 'refund_too_large'].includes(r.body.code), r.body.code);
      const order = await seller.api('GET', `/seller/orders/${orderId}`);
      assert.equal(order.body.amountRefunded.amount, 5000);
      assert.equal(order.body.refundStatus, 'full');
      assert.equal((await api('GET', `/checkouts/${checkoutId}`)).body.order.refundStatus, 'full');
      assert.equal((await outboxOf(server, seller.id, 'order.refunded')).length, 2);
    });

    test('one Idempotency-Key used on two orders is two refunds', async () => {
      const seller = await makeSeller(server);
      const first = await paidWithTestCard(seller);
      const second = await paidWithTestCard(seller);
      const key = newKey();
      const a = await refund(seller, first.orderId, { amount: 700 }, key);
      const b = await refund(seller, second.orderId, { amount: 900 }, key);
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.notEqual(a.body.refund.id, b.body.refund.id);
      assert.equal(b.body.order.id, second.orderId);
      assert.equal(b.body.order.amountRefunded.amount, 900);
    });
  });
}
