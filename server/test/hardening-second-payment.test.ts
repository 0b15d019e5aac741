// Issue 12, defect 2: with Stripe's hosted page, two concurrent changes of a checkout's price
// each made a Checkout Session from the same stale row; both stayed open, the buyer could pay
// both, and the second payment was kept — `already_paid` answered before the refund path. The
// defences: a payment is stored only over the one it replaces (compare-and-set; the loser's new
// session is expired at once and the change is prepared again from the row as it is), every
// replaced session is expired, and any payment that does not become the order is refunded —
// for a checkout already paid too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type FakeStripe, startFakeStripe, stripeEnv, TEST_CARDS } from './doubles/stripe-api.ts';
import {
  type DbReader,
  everyChargeAnOrderOrRefund,
  formatViolations,
  openDbReader,
} from './helpers/invariants.ts';
import {
  ADDRESS_FR,
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/** The buyer pays on a hosted page (a tab left open, perhaps). */
function payOnHostedPage(url: string, country: string = 'FR') {
  const address = country === 'FR' ? ADDRESS_FR : ADDRESS_US;
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      card: TEST_CARDS.success,
      name: address.name,
      line1: address.line1,
      city: address.city,
      postal_code: address.postalCode,
      country,
    }),
  });
}

for (const { name, skip } of dialects()) {
  describe(`a second payment (${name}, Stripe's hosted page)`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;
    let db: DbReader;

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, stripeEnv(fake, { BIP_PAYMENT_MODE: 'hosted' }));
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      db = await openDbReader(server.databaseUrl);
    });
    after(async () => {
      await db?.close();
      await server?.close();
      await fake?.close();
    });

    async function hostedCheckout() {
      const seller = await makeSeller(server, 'Hosted seller');
      const tee = await makeTee(seller, { stock: 20, price: 2500 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        paymentMode: 'hosted',
        returnUrl: 'https://blog.example/posts/1',
        shippingAddress: ADDRESS_FR,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return { id: created.body.id as string, api: buyer(server.url, created.body.clientToken) };
    }

    const sessionsOf = (id: string) =>
      [...fake.checkoutSessions.values()].filter((s) => s.metadata.checkout_id === id);
    const chargesOf = (id: string) =>
      [...fake.charges.values()].filter((c) => c.metadata.checkout_id === id);

    test('two concurrent price changes leave one open session; paying every page shown keeps one payment', async () => {
      const { id, api } = await hostedCheckout();
      // Both changes reach Stripe with the same stale row before either is stored.
      const gate = fake.gate(
        (method, path) => method === 'POST' && path === '/v1/checkout/sessions',
      );
      const changes = Promise.all([
        api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US }),
        // Another zone's shipping and no tax: another price again.
        api('PATCH', `/checkouts/${id}`, {
          shippingAddress: { ...ADDRESS_FR, city: 'Berlin', postalCode: '10115', country: 'DE' },
        }),
      ]);
      await gate.arrived(2);
      gate.open();
      const answers = await changes;
      for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body));

      const sessions = sessionsOf(id).map((s) => `${s.id} ${s.status} ${s.amount_total}`);
      const open = sessionsOf(id).filter((s) => s.status === 'open').length;

      // The buyer pays every page it was ever shown, in two tabs: the one for the checkout as
      // it stands first (that payment becomes the order), then the others.
      const current = (await api('GET', `/checkouts/${id}`)).body.payment.url;
      const pages = [current, ...answers.map((res) => res.body.payment.url)].filter(Boolean);
      for (const url of new Set(pages)) {
        const session = sessionsOf(id).find((s) => s.url === url);
        await payOnHostedPage(url, session?.shipping_address_collection?.allowed_countries?.[0]);
      }
      await fake.idle();
      await api('GET', `/checkouts/${id}`);
      await fake.idle();
      const violations = await everyChargeAnOrderOrRefund(db, chargesOf(id));
      assert.deepEqual(
        { open, violations: formatViolations(violations) },
        { open: 1, violations: '' },
        `sessions after the changes: ${sessions.join(', ')}`,
      );
    });

    test('a payment for a checkout already paid is refunded', async () => {
      const { id, api } = await hostedCheckout();
      const first = await api('GET', `/checkouts/${id}`);
      // A session for the same checkout that could not be expired in time (the buyer was on it).
      const stripe = new Stripe(fake.secretKey, {
        host: fake.host,
        port: fake.port,
        protocol: 'http',
      });
      const stale = await stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'eur', unit_amount: 4500, product_data: { name: 'Tee' } },
            quantity: 1,
          },
        ],
        client_reference_id: id,
        metadata: { checkout_id: id },
        payment_intent_data: { metadata: { checkout_id: id } },
        success_url: 'https://blog.example/done',
      });

      assert.equal((await payOnHostedPage(first.body.payment.url)).status, 303);
      await fake.idle();
      assert.equal((await api('GET', `/checkouts/${id}`)).body.status, 'paid');
      assert.equal((await payOnHostedPage(stale.url!)).status, 303);
      await fake.idle();

      const charges = chargesOf(id);
      assert.equal(charges.length, 2);
      const violations = await everyChargeAnOrderOrRefund(db, charges);
      assert.equal(violations.length, 0, formatViolations(violations));
      const orders = await db.all<{ payment_ref: string }>(
        'SELECT payment_ref FROM orders WHERE checkout_id = ?',
        [id],
      );
      assert.equal(orders.length, 1);
      const refunded = charges.find((c) => c.amount_refunded === c.amount);
      assert.ok(refunded, 'the second charge is refunded');
      assert.notEqual(refunded.payment_intent, orders[0]!.payment_ref, 'not the order’s payment');
    });
  });
}
