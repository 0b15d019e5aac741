import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/log.ts';
import { type FakeStripe, startFakeStripe, stripeEnv } from './doubles/stripe-api.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/**
 * Issue 12, defect 6: Stripe's error objects carry the whole PaymentIntent — its client secret
 * and the buyer's receipt email. The endpoint logs such an error here (an amount update Stripe
 * refuses), through its one logger; the log must hold neither, and still say what failed.
 */
describe('logs of a real Stripe error (SQLite)', () => {
  let fake: FakeStripe;
  let server: TestServer;
  const lines: string[] = [];

  before(async () => {
    fake = await startFakeStripe();
    const log = createLogger({ mode: 'production', destination: { write: (l) => lines.push(l) } });
    server = await startTestServer('sqlite', stripeEnv(fake), { log });
    fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
  });
  after(async () => {
    await server?.close();
    await fake?.close();
  });

  test('an amount update Stripe refuses is logged without the client secret or the email', async () => {
    const seller = await makeSeller(server);
    const tee = await makeTee(seller, { stock: 5, price: 2500 });
    const created = await createCheckout(server.url, {
      productId: tee.id,
      variantId: tee.medium,
      quantity: 1,
      email: 'ada.reader@example.com',
      shippingAddress: ADDRESS_US,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret: string = created.body.payment.clientSecret;
    const pi = fake.paymentIntents.get(secret.split('_secret_')[0]!)!;
    // Stripe moved on without us (a payment in flight) and knows the buyer's email.
    pi.status = 'processing';
    pi.receipt_email = 'ada.reader@example.com';

    const api = buyer(server.url, created.body.clientToken);
    const res = await api(
      'PATCH',
      `/checkouts/${created.body.id}`,
      { quantity: 2 },
      {
        'Idempotency-Key': newKey(),
      },
    );
    // Stripe refused: the buyer is told the payment side failed, nothing more.
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.code, 'payment_failed');
    assert.ok(!JSON.stringify(res.body).includes('_secret_'));

    const out = lines.join('');
    assert.match(out, /payment_intent_unexpected_state/, `the failure is logged:\n${out}`);
    assert.ok(!out.includes(secret), `the client secret reached the log:\n${out}`);
    assert.ok(!out.includes('_secret_'), `a client secret reached the log:\n${out}`);
    assert.ok(!out.includes('ada.reader@example.com'), `the email reached the log:\n${out}`);
    assert.ok(!out.includes(ADDRESS_US.line1), `the address reached the log:\n${out}`);
    for (const line of lines) JSON.parse(line); // one JSON object a line
  });
});
