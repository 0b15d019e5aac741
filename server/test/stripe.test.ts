import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Stripe from 'stripe';
import { loadConfig } from '../src/config.ts';
import { type FakeStripe, startFakeStripe, stripeEnv, TEST_CARDS } from './doubles/stripe-api.ts';
import {
  ADDRESS_FR,
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
 * Stripe end to end on this machine: the real endpoint over HTTP and the real database, the
 * real `stripe` SDK pointed at a stateful fake of Stripe's API (test/doubles/stripe-api.ts),
 * which confirms payments as Stripe.js would and posts signed webhooks back.
 */

/** What Stripe.js does in the page when the buyer presses Pay: confirm with the client secret. */
async function payInPage(fake: FakeStripe, clientSecret: string, card: string) {
  const id = clientSecret.split('_secret_')[0];
  const res = await fetch(`${fake.url}/v1/payment_intents/${id}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      key: fake.publishableKey,
      client_secret: clientSecret,
      return_url: 'https://blog.example/posts/1',
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': card,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

for (const { name, skip } of dialects()) {
  describe(`Stripe payments (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, stripeEnv(fake));
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      seller = await makeSeller(server);
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });
    beforeEach(() => {
      fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
    });

    const stockOf = async (productId: string, variantId: string) => {
      const res = await seller.api('GET', `/seller/products/${productId}`);
      const v = res.body.variants.find((x: { id: string }) => x.id === variantId);
      return { stock: v.stock, reserved: v.reserved };
    };
    const ordersFor = async (productId: string) =>
      (await seller.api('GET', `/seller/orders?productId=${productId}`)).body.orders as {
        id: string;
        total: { amount: number };
        paymentRef: string | null;
      }[];

    /** A checkout for two medium T-shirts to the US, ready to pay. */
    async function readyCheckout(stock = 5) {
      const tee = await makeTee(seller, { stock, price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 2,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const api = buyer(server.url, created.body.clientToken);
      return { tee, checkout: created.body, api };
    }

    /** The endpoint holds the checkout, as the element does before Stripe.js confirms. */
    async function hold(api: ReturnType<typeof buyer>, id: string) {
      const res = await api(
        'POST',
        `/checkouts/${id}/confirm`,
        { payment: { provider: 'stripe' } },
        { 'Idempotency-Key': newKey() },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    }

    test('a checkout gets a PaymentIntent for the server total, and the handoff to pay it', async () => {
      const { checkout } = await readyCheckout();
      assert.equal(checkout.payment.provider, 'stripe');
      assert.equal(checkout.payment.publishableKey, fake.publishableKey);
      assert.match(checkout.payment.clientSecret, /^pi_\w+_secret_\w+$/);
      const pi = fake.paymentIntents.get(checkout.payment.clientSecret.split('_secret_')[0])!;
      assert.ok(pi, 'the PaymentIntent exists at Stripe');
      // 2 × 25.00, shipping free over 50.00 to the US
      assert.equal(checkout.totals.total.amount, 5000);
      assert.equal(pi.amount, 5000);
      assert.equal(pi.currency, 'usd');
      assert.equal(pi.metadata.checkout_id, checkout.id);
      assert.deepEqual(pi.automatic_payment_methods, { enabled: true });
      const created = fake.requests.find(
        (r) => r.method === 'POST' && r.path === '/v1/payment_intents',
      );
      assert.ok(
        created?.idempotencyKey?.startsWith(`bip_${checkout.id}_`),
        'keyed on the checkout',
      );
    });

    test('paid end to end: confirm in the page, webhook, order, stock committed, seller told', async () => {
      const { tee, checkout, api } = await readyCheckout(5);
      const held = await hold(api, checkout.id);
      assert.equal(held.status, 'processing');
      // held: no more changes to what is paid for
      const change = await api('PATCH', `/checkouts/${checkout.id}`, { quantity: 3 });
      assert.equal(change.status, 409);

      const paid = await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      assert.equal(paid.status, 200);
      assert.equal(paid.body.status, 'succeeded');
      await fake.idle();
      const delivered = fake.deliveries.filter((d) => d.type === 'payment_intent.succeeded');
      assert.ok(
        delivered.some((d) => d.status === 200),
        'the endpoint accepted the webhook',
      );

      const after = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(after.body.status, 'paid');
      assert.match(after.body.order.number, /\S/);
      const orders = await ordersFor(tee.id);
      assert.equal(orders.length, 1);
      assert.equal(orders[0]!.total.amount, 5000);
      assert.deepEqual(await stockOf(tee.id, tee.medium), { stock: 3, reserved: 0 });
      const outbox = await server.app.db.kysely
        .selectFrom('outbox_events')
        .select(['type', 'payload'])
        .where('seller_id', '=', seller.id)
        .execute();
      assert.ok(
        outbox.some((e) => e.type === 'order.paid' && e.payload.includes(orders[0]!.id)),
        'the seller is notified through the outbox',
      );
    });

    test('paying corrects a PaymentIntent whose amount update had failed', async () => {
      const { checkout, api } = await readyCheckout();
      const piId = checkout.payment.clientSecret.split('_secret_')[0];
      // As after a PATCH whose update to Stripe failed: Stripe holds another amount, and the
      // checkout knows it is not in step.
      fake.paymentIntents.get(piId)!.amount = 1234;
      await server.app.db.kysely
        .updateTable('checkouts')
        .set({ payment_amount: 1234 })
        .where('id', '=', checkout.id)
        .execute();
      await hold(api, checkout.id);
      assert.equal(fake.paymentIntents.get(piId)!.amount, 5000);
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      await fake.idle();
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'paid');
    });

    test('a decline leaves the checkout open with the reason, then another card pays', async () => {
      const { tee, checkout, api } = await readyCheckout();
      await hold(api, checkout.id);
      const declined = await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.declined);
      assert.equal(declined.status, 402);
      assert.equal(declined.body.error.decline_code, 'generic_decline');
      await fake.idle();
      const open = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(open.body.status, 'open');
      assert.equal(open.body.lastPaymentError.code, 'generic_decline');
      assert.deepEqual(await stockOf(tee.id, tee.medium), { stock: 5, reserved: 2 });

      await hold(api, checkout.id);
      const ok = await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      assert.equal(ok.body.status, 'succeeded');
      await fake.idle();
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'paid');
      assert.equal((await ordersFor(tee.id)).length, 1);
    });

    test('authentication required: processing until the buyer authenticates, then paid', async () => {
      const { checkout, api } = await readyCheckout();
      await hold(api, checkout.id);
      const res = await payInPage(
        fake,
        checkout.payment.clientSecret,
        TEST_CARDS.authenticationRequired,
      );
      assert.equal(res.body.status, 'requires_action');
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'processing');
      const auth = await fetch(`${fake.url}/_fake/payment_intents/${res.body.id}/authenticate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          key: fake.publishableKey,
          client_secret: checkout.payment.clientSecret,
          outcome: 'success',
        }),
      });
      assert.equal(auth.status, 200);
      await fake.idle();
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'paid');
    });

    test('a forged webhook is refused with 400 and changes nothing', async () => {
      const { tee, checkout, api } = await readyCheckout();
      await hold(api, checkout.id);
      const pi = fake.paymentIntents.get(checkout.payment.clientSecret.split('_secret_')[0])!;
      const event = {
        id: 'evt_forged_1',
        object: 'event',
        type: 'payment_intent.succeeded',
        data: { object: { ...pi, status: 'succeeded', amount_received: pi.amount } },
      };
      const payload = JSON.stringify(event);
      const stripe = new Stripe('sk_test_x');
      const forgers = [
        // signed with another secret
        stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_the_real_one' }),
        // no signature that parses
        'garbage',
        // the real secret, but over another body
        stripe.webhooks.generateTestHeaderString({
          payload: JSON.stringify({ ...event, id: 'evt_other' }),
          secret: fake.webhookSecret,
        }),
      ];
      for (const signature of forgers) {
        const res = await fetch(`${server.url}/v1/webhooks/stripe`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
          body: payload,
        });
        assert.equal(res.status, 400);
        const body = (await res.json()) as { code: string };
        assert.equal(body.code, 'invalid_signature');
      }
      const missing = await fetch(`${server.url}/v1/webhooks/stripe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: payload,
      });
      assert.equal(missing.status, 400);
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'processing');
      assert.equal((await ordersFor(tee.id)).length, 0);
      assert.deepEqual(await stockOf(tee.id, tee.medium), { stock: 5, reserved: 2 });
    });

    test('a replayed webhook makes one order and one stock commit', async () => {
      const { tee, checkout, api } = await readyCheckout(5);
      await hold(api, checkout.id);
      fake.webhookPolicy = { mode: 'deliver', duplicates: 3, delayMs: 0 };
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      await fake.idle();
      const succeeded = fake.deliveries.filter(
        (d) => d.type === 'payment_intent.succeeded' && d.eventId === fake.events.at(-1)?.id,
      );
      assert.ok(succeeded.length >= 4, `delivered ${succeeded.length} times`);
      assert.ok(succeeded.every((d) => d.status === 200));
      assert.equal((await ordersFor(tee.id)).length, 1);
      assert.deepEqual(await stockOf(tee.id, tee.medium), { stock: 3, reserved: 0 });
      const recorded = await server.app.db.kysely
        .selectFrom('stripe_events')
        .selectAll()
        .where('checkout_id', '=', checkout.id)
        .execute();
      assert.equal(recorded.filter((e) => e.type === 'payment_intent.succeeded').length, 1);
    });

    test('webhooks out of order (the decline arrives after the success): still one paid order', async () => {
      const { tee, checkout, api } = await readyCheckout(5);
      await hold(api, checkout.id);
      fake.webhookPolicy = { mode: 'hold', duplicates: 0, delayMs: 0 };
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.declined);
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      // newest first: succeeded, then the earlier payment_failed
      await fake.releaseHeld('reverse');
      await fake.idle();
      const got = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(got.body.status, 'paid');
      assert.equal((await ordersFor(tee.id)).length, 1);
      assert.deepEqual(await stockOf(tee.id, tee.medium), { stock: 3, reserved: 0 });
    });

    test('processed events are kept a month (Stripe retries for three days), then forgotten', async () => {
      const events = server.app.services.paymentEvents!;
      const db = server.app.db.kysely;
      const old = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
      const recent = new Date(Date.now() - 4 * 24 * 3600 * 1000).toISOString();
      await db
        .insertInto('stripe_events')
        .values([
          { id: 'evt_old_1', type: 'x', checkout_id: null, outcome: 'ignored', received_at: old },
          {
            id: 'evt_recent_1',
            type: 'x',
            checkout_id: null,
            outcome: 'ignored',
            received_at: recent,
          },
        ])
        .execute();
      assert.ok((await events.purgeOld()) >= 1);
      const left = await db
        .selectFrom('stripe_events')
        .select('id')
        .where('id', 'in', ['evt_old_1', 'evt_recent_1'])
        .execute();
      assert.deepEqual(
        left.map((r) => r.id),
        ['evt_recent_1'],
      );
    });

    test('a lost webhook: reading the checkout asks Stripe and reconciles', async () => {
      const { tee, checkout, api } = await readyCheckout();
      await hold(api, checkout.id);
      fake.webhookPolicy = { mode: 'drop', duplicates: 0, delayMs: 0 };
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      await fake.idle();
      assert.equal(fake.deliveries.filter((d) => d.eventId === fake.events.at(-1)?.id).length, 0);
      const got = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(got.body.status, 'paid');
      assert.equal((await ordersFor(tee.id)).length, 1);
      // the webhook turning up late after all changes nothing
      fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
      const event = fake.events.at(-1)!;
      const payload = JSON.stringify(event);
      const res = await fetch(`${server.url}/v1/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Stripe-Signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({
            payload,
            secret: fake.webhookSecret,
          }),
        },
        body: payload,
      });
      assert.equal(res.status, 200);
      assert.equal((await ordersFor(tee.id)).length, 1);
    });

    test('the client cannot set the amount: prices in the body are refused, Stripe gets the server total', async () => {
      const tee = await makeTee(seller, { stock: 5, price: 2500 });
      const res = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        amount: 1,
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.code, 'validation_failed');
      const ok = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        shippingAddress: ADDRESS_FR,
      });
      const api = buyer(server.url, ok.body.clientToken);
      const patch = await api('PATCH', `/checkouts/${ok.body.id}`, { total: { amount: 1 } });
      assert.equal(patch.status, 422);
      const confirm = await api(
        'POST',
        `/checkouts/${ok.body.id}/confirm`,
        { payment: { provider: 'stripe', amount: 1 } },
        { 'Idempotency-Key': newKey() },
      );
      assert.equal(confirm.status, 422);
      // 25.00 + 15.00 shipping to France + 20% tax on both = 48.00
      const pi = fake.paymentIntents.get(ok.body.payment.clientSecret.split('_secret_')[0])!;
      assert.equal(pi.amount, 4800);
      assert.equal(ok.body.totals.total.amount, 4800);
    });

    test('changing the quantity or the address updates the PaymentIntent amount', async () => {
      const { checkout, api } = await readyCheckout(10);
      const piId = checkout.payment.clientSecret.split('_secret_')[0];
      const three = await api('PATCH', `/checkouts/${checkout.id}`, { quantity: 3 });
      assert.equal(three.status, 200);
      assert.equal(three.body.totals.total.amount, 7500);
      assert.equal(fake.paymentIntents.get(piId)!.amount, 7500);
      const france = await api('PATCH', `/checkouts/${checkout.id}`, {
        shippingAddress: ADDRESS_FR,
      });
      // (75.00 + 15.00) × 1.2
      assert.equal(france.body.totals.total.amount, 10800);
      assert.equal(fake.paymentIntents.get(piId)!.amount, 10800);
      assert.equal(france.body.payment.clientSecret, checkout.payment.clientSecret, 'same intent');
      await hold(api, checkout.id);
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      await fake.idle();
      const paid = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(paid.body.status, 'paid');
      assert.equal(paid.body.totals.total.amount, 10800);
    });

    test("a wallet's partial address prices shipping before the full address is known", async () => {
      const tee = await makeTee(seller, { stock: 5, price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
      });
      const api = buyer(server.url, created.body.clientToken);
      const preview = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingPreview: { country: 'FR', postalCode: '75002' },
      });
      assert.equal(preview.status, 200);
      assert.equal(preview.body.totals.shipping.amount, 1500);
      assert.equal(preview.body.readyToPay, false, 'a preview is not an address to ship to');
      const piId = created.body.payment.clientSecret.split('_secret_')[0];
      assert.equal(fake.paymentIntents.get(piId)!.amount, 4800);
      // the full address replaces the preview...
      const full = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingAddress: ADDRESS_US,
      });
      assert.equal(full.body.shippingPreview, null);
      assert.equal(full.body.totals.total.amount, 3000);
      assert.equal(full.body.readyToPay, true);
      // ...and a wallet's choice of another address replaces the one typed earlier
      const wallet = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingPreview: { country: 'FR' },
      });
      assert.equal(wallet.body.shippingAddress, null);
      assert.equal(wallet.body.totals.total.amount, 4800);
      assert.equal(wallet.body.readyToPay, false);
      assert.equal(fake.paymentIntents.get(piId)!.amount, 4800);
      const nowhere = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingPreview: { country: 'JP' },
      });
      assert.equal(nowhere.status, 422);
      assert.equal(nowhere.body.code, 'does_not_ship');
    });

    test('paid after the reservation lapsed: the money goes back, no order', async () => {
      const { tee, checkout, api } = await readyCheckout();
      // The page confirmed with Stripe without asking the endpoint to hold the checkout, and
      // the checkout expired meanwhile (a forged or broken client).
      await server.app.db.kysely
        .updateTable('checkouts')
        .set({ expires_at: '2000-01-01T00:00:00.000Z' })
        .where('id', '=', checkout.id)
        .execute();
      fake.webhookPolicy = { mode: 'hold', duplicates: 0, delayMs: 0 };
      await payInPage(fake, checkout.payment.clientSecret, TEST_CARDS.success);
      assert.equal((await api('GET', `/checkouts/${checkout.id}`)).body.status, 'expired');
      await fake.releaseHeld();
      await fake.idle();
      assert.equal((await ordersFor(tee.id)).length, 0);
      const refunds = [...fake.refunds.values()].filter(
        (r) => r.payment_intent === checkout.payment.clientSecret.split('_secret_')[0],
      );
      assert.equal(refunds.length, 1);
    });

    test('hosted mode: a Checkout Session for the total, paid on Stripe, back to the page, paid', async () => {
      const tee = await makeTee(seller, { stock: 5, price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        paymentMode: 'hosted',
        returnUrl: 'https://blog.example/posts/7?utm=x',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.payment, { provider: 'redirect', url: null });
      const api = buyer(server.url, created.body.clientToken);
      const ready = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingAddress: ADDRESS_FR,
      });
      assert.equal(ready.body.payment.provider, 'redirect');
      const url: string = ready.body.payment.url;
      assert.ok(url.startsWith(`${fake.url}/c/pay/`), url);
      const session = fake.checkoutSessions.get(url.split('/').at(-1)!)!;
      assert.equal(session.amount_total, 4800);
      assert.equal(session.metadata.checkout_id, created.body.id);

      // a change replaces the session (a session's amount is fixed)
      const two = await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 2 });
      assert.notEqual(two.body.payment.url, url);
      assert.equal(session.status, 'expired');
      const current = fake.checkoutSessions.get(two.body.payment.url.split('/').at(-1)!)!;
      assert.equal(current.amount_total, 7800); // (50 + 15) × 1.2

      const page = await fetch(two.body.payment.url);
      assert.equal(page.status, 200);
      const pay = await fetch(two.body.payment.url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          card: TEST_CARDS.success,
          name: ADDRESS_FR.name,
          line1: ADDRESS_FR.line1,
          city: ADDRESS_FR.city,
          postal_code: ADDRESS_FR.postalCode,
          country: 'FR',
        }),
      });
      assert.equal(pay.status, 303);
      const back = new URL(pay.headers.get('location')!);
      assert.equal(back.origin + back.pathname, 'https://blog.example/posts/7');
      assert.equal(back.searchParams.get('bip_checkout'), created.body.id);
      assert.equal(back.searchParams.get('bip_return'), 'done');
      assert.equal(back.searchParams.get('utm'), 'x');
      await fake.idle();
      const paid = await api('GET', `/checkouts/${created.body.id}`);
      assert.equal(paid.body.status, 'paid');
      const orders = await ordersFor(tee.id);
      assert.equal(orders.length, 1);
      assert.equal(orders[0]!.total.amount, 7800);
    });

    test('hosted mode needs a return URL on one of the seller’s sites', async () => {
      const tee = await makeTee(seller, { stock: 5 });
      const base = { productId: tee.id, variantId: tee.small, quantity: 1, paymentMode: 'hosted' };
      const none = await createCheckout(server.url, base);
      assert.equal(none.status, 422);
      assert.equal(none.body.errors[0].field, 'returnUrl');
      const elsewhere = await createCheckout(server.url, {
        ...base,
        returnUrl: 'https://evil.example/phish',
      });
      assert.equal(elsewhere.status, 422);
      const script = await createCheckout(server.url, {
        ...base,
        returnUrl: 'javascript:alert(1)',
      });
      assert.equal(script.status, 422);
      assert.equal(script.body.errors[0].field, 'returnUrl');
    });

    test('canceling a checkout cancels its PaymentIntent', async () => {
      const { checkout, api } = await readyCheckout();
      const res = await api('DELETE', `/checkouts/${checkout.id}`, undefined, {
        'Idempotency-Key': newKey(),
      });
      assert.equal(res.status, 200);
      const pi = fake.paymentIntents.get(checkout.payment.clientSecret.split('_secret_')[0])!;
      assert.equal(pi.status, 'canceled');
    });
  });
}

describe('Stripe hosted mode chosen by the endpoint (BIP_PAYMENT_MODE=hosted)', () => {
  test('every checkout pays on the hosted page, whatever the page asked', async () => {
    const fake = await startFakeStripe();
    const server = await startTestServer('sqlite', stripeEnv(fake, { BIP_PAYMENT_MODE: 'hosted' }));
    try {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 3 });
      const res = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        paymentMode: 'elements',
        shippingAddress: ADDRESS_US,
        returnUrl: 'https://blog.example/p/1',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.payment.provider, 'redirect');
      assert.ok(res.body.payment.url.startsWith(`${fake.url}/c/pay/cs_test_`));
      assert.equal(fake.paymentIntents.size, 0, 'no PaymentIntent: the hosted page makes its own');
    } finally {
      await server.close();
      await fake.close();
    }
  });
});

describe('Stripe configuration', () => {
  const base = { BIP_MODE: 'development' };
  test('keys come in pairs, from the same mode', () => {
    assert.throws(
      () => loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc' }),
      /STRIPE_PUBLISHABLE_KEY/,
    );
    assert.throws(
      () =>
        loadConfig({
          ...base,
          STRIPE_SECRET_KEY: 'sk_live_abc',
          STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
        }),
      /same mode/,
    );
    assert.throws(
      () =>
        loadConfig({
          ...base,
          STRIPE_SECRET_KEY: 'pk_test_abc',
          STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
        }),
      /STRIPE_SECRET_KEY/,
    );
    assert.throws(
      () => loadConfig({ ...base, STRIPE_WEBHOOK_SECRET: 'whsec_x' }),
      /STRIPE_SECRET_KEY/,
    );
    const ok = loadConfig({
      ...base,
      STRIPE_SECRET_KEY: 'sk_test_abc',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
    });
    assert.equal(ok.stripe?.mode, 'elements');
    assert.equal(ok.stripe?.api, null, "Stripe's own API unless told otherwise");
  });

  test('production needs the webhook secret with Stripe keys', () => {
    assert.throws(
      () =>
        loadConfig({
          BIP_MODE: 'production',
          BIP_SECRET: 'x'.repeat(40),
          STRIPE_SECRET_KEY: 'sk_live_abc',
          STRIPE_PUBLISHABLE_KEY: 'pk_live_abc',
        }),
      /STRIPE_WEBHOOK_SECRET/,
    );
  });

  test('without Stripe keys, the webhook route says it is not configured', async () => {
    const server = await startTestServer('sqlite');
    try {
      const res = await fetch(`${server.url}/v1/webhooks/stripe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': 't=1,v1=x' },
        body: '{}',
      });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { code: string }).code, 'not_found');
    } finally {
      await server.close();
    }
  });
});
