/**
 * Changes of a checkout paid in the page (a PaymentIntent): whatever the changes, the amount
 * Stripe will charge is the checkout's total. A change back to a total the checkout had before,
 * in the same millisecond (a frozen clock here; a fast double tap in life), once sent Stripe the
 * Idempotency-Key of the first change to that total: Stripe replayed its old answer without
 * changing the amount, and the buyer paid the total before — an order refused and refunded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type FakeStripe, startFakeStripe, stripeEnv } from './doubles/stripe-api.ts';
import { ManualClock } from './helpers/clock.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`a PaymentIntent follows every change of total (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;
    const clock = new ManualClock();

    before(async () => {
      fake = await startFakeStripe();
      server = await startTestServer(name, stripeEnv(fake), { clock });
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });

    test('quantity 1 → 2 → 1 → 2 in one millisecond: Stripe is asked for the last total', async () => {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 10, price: 2000 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const api = buyer(server.url, created.body.clientToken);
      const id = created.body.id as string;
      const intent = () =>
        fake.paymentIntents.get(created.body.payment.clientSecret.split('_secret_')[0]);

      for (const quantity of [2, 1, 2]) {
        const changed = await api('PATCH', `/checkouts/${id}`, { quantity });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        assert.equal(
          intent().amount,
          changed.body.totals.total.amount,
          `after quantity ${quantity}: Stripe would charge ${intent().amount}, the checkout says ${changed.body.totals.total.amount}`,
        );
      }
      const read = await api('GET', `/checkouts/${id}`);
      assert.equal(read.body.quantity, 2);
      assert.equal(intent().amount, read.body.totals.total.amount);
    });
  });
}
