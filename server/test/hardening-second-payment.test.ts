// Issue 12, defect 2: with Stripe's hosted page, two concurrent changes of a checkout's price
// each made a Checkout Session from the same stale row; both stayed open, the buyer could pay
// both, and the second payment was kept — `already_paid` answered before the refund path. The
// defences: a payment is stored only over the one it replaces (compare-and-set; the loser's new
// session is expired at once and the change is prepared again from the row as it is), every
// replaced session is expired, and any payment that does not become the order is refunded —
// for a checkout already paid too.
//
// Issue 12 again (found on a loaded machine): after two concurrent price changes no session was
// left open at all — the buyer had no page to pay on. A change expired the stored session
// before knowing its own would be stored, and lost to a change that kept that very session; and
// with both changes stamped in the same millisecond, `updated_at` told two rows apart no more, a
// session made for one total was stored over the other, and the loser, preparing again, was
// handed back by Stripe (same idempotency key) the session it had just expired. Now a session
// replaces another only over the row it was made for (every column the payment is made from),
// the replaced one is expired only once its successor is stored, and a closed session Stripe
// hands back is never used. The clock stands still in these tests unless one moves it: every
// change of a test is made in the same millisecond, as on a busy server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type FakeStripe, startFakeStripe, stripeEnv, TEST_CARDS } from './doubles/stripe-api.ts';
import { ManualClock } from './helpers/clock.ts';
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
    const clock = new ManualClock();

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, stripeEnv(fake, { BIP_PAYMENT_MODE: 'hosted' }), {
        clock,
      });
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

    /** Stripe is asked for a new hosted page. */
    const isNewSession = (method: string, path: string) =>
      method === 'POST' && path === '/v1/checkout/sessions';
    const GERMANY = { ...ADDRESS_FR, city: 'Berlin', postalCode: '10115', country: 'DE' };

    /**
     * What the changes left: exactly one session may be open, the one the checkout shows, for
     * its total. Then the buyer pays every page it was ever shown, in tabs: the one for the
     * checkout as it stands first (that payment becomes the order), then the others — every
     * charge must become the order or be refunded.
     */
    async function assertOnePageThenPayAll(
      id: string,
      api: ReturnType<typeof buyer>,
      answers: { status: number; body: any }[],
    ) {
      for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body));
      const sessions = sessionsOf(id).map((s) => `${s.id} ${s.status} ${s.amount_total}`);
      const open = sessionsOf(id).filter((s) => s.status === 'open');
      const now = (await api('GET', `/checkouts/${id}`)).body;
      const current: string | null = now.payment.url;
      const page = sessionsOf(id).find((s) => s.url === current);
      const shown = page ? `${page.status} ${page.amount_total}` : null;

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
        {
          open: open.length,
          shown,
          violations: formatViolations(violations),
        },
        { open: 1, shown: `open ${now.totals.total.amount}`, violations: '' },
        `sessions after the changes: ${sessions.join(', ')}`,
      );
    }

    test('two concurrent price changes leave one open session; paying every page shown keeps one payment', async () => {
      const { id, api } = await hostedCheckout();
      // Both changes reach Stripe with the same stale row before either is stored.
      const gate = fake.gate(isNewSession);
      const changes = Promise.all([
        api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US }),
        // Another zone's shipping and no tax: another price again.
        api('PATCH', `/checkouts/${id}`, { shippingAddress: GERMANY }),
      ]);
      await gate.arrived(2);
      gate.open();
      await assertOnePageThenPayAll(id, api, await changes);
    });

    test('two price changes in one millisecond: the page made for the one overwritten is not stored over the other', async () => {
      const { id, api } = await hostedCheckout();
      // The first change's new page is held; the second change is written over the first
      // meanwhile (same `updated_at`) and its page held too, in a gate of its own. (A request
      // goes through every gate in turn: each picks only the requests of its own phase.)
      let holding: 'first' | 'second' | null = 'first';
      const first = fake.gate((method, path) => holding === 'first' && isNewSession(method, path));
      const toUs = api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US });
      await first.arrived(1);
      holding = 'second';
      const second = fake.gate(
        (method, path) => holding === 'second' && isNewSession(method, path),
      );
      const toGermany = api('PATCH', `/checkouts/${id}`, { shippingAddress: GERMANY });
      await second.arrived(1);
      // The first change is done with — its page stored, or turned away and prepared again from
      // the row as it is now — before the second goes on.
      holding = null;
      first.open();
      const usAnswer = await toUs;
      second.open();
      await assertOnePageThenPayAll(id, api, [usAnswer, await toGermany]);
    });

    test('a change back to the price of the page shown keeps that page open while another change makes a new one', async () => {
      const { id, api } = await hostedCheckout();
      const gate = fake.gate(isNewSession);
      const toUs = api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US });
      await gate.arrived(1);
      // A moment later the buyer is back at the first address: the first page's price, no new
      // page needed — and the US change, still at Stripe, must not take that page away.
      clock.advance(1000);
      const back = await api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_FR });
      gate.open();
      await assertOnePageThenPayAll(id, api, [await toUs, back]);
    });

    test('a change and back in one millisecond: the first page, expired, is not handed out again', async () => {
      const { id, api } = await hostedCheckout();
      // Made in the millisecond the checkout was: the row as it was, to the millisecond, so the
      // same request to Stripe as its first page — which Stripe answers with that page, expired
      // by the first change.
      const toUs = await api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US });
      const back = await api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_FR });
      await assertOnePageThenPayAll(id, api, [toUs, back]);
    });

    test('two changes in one millisecond to the same total: each page is made for its own row', async () => {
      const { id, api } = await hostedCheckout();
      let holding: 'first' | 'second' | null = 'first';
      const first = fake.gate((method, path) => holding === 'first' && isNewSession(method, path));
      const toUs = api('PATCH', `/checkouts/${id}`, { shippingAddress: ADDRESS_US });
      await first.arrived(1);
      holding = 'second';
      const second = fake.gate(
        (method, path) => holding === 'second' && isNewSession(method, path),
      );
      // Written over the US change: its total, and an email the first page does not have.
      const withEmail = api('PATCH', `/checkouts/${id}`, { email: 'late@example.com' });
      await second.arrived(1);
      holding = null;
      first.open();
      const usAnswer = await toUs;
      second.open();
      await assertOnePageThenPayAll(id, api, [usAnswer, await withEmail]);
      const open = sessionsOf(id).filter((s) => s.status === 'open' || s.status === 'complete');
      assert.deepEqual(
        open.map((s) => s.customer_email),
        ['late@example.com'],
        'the page paid is the one made for the checkout as it stands',
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
