import assert from 'node:assert/strict';
import type { FakeStripe } from '../doubles/stripe-api.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  type makeSeller,
  makeTee,
  newKey,
  type TestServer,
} from './server.ts';

/** Platform mode's test helpers: a seller onboarded at the fake, a checkout paid in the page. */

export type Seller = Awaited<ReturnType<typeof makeSeller>>;

/** What Stripe.js does in the page when the buyer presses Pay: confirm with the client secret. */
export async function payInPage(fake: FakeStripe, clientSecret: string, card = '4242424242424242') {
  const id = clientSecret.split('_secret_')[0];
  const res = await fetch(`${fake.url}/v1/payment_intents/${id}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      key: fake.publishableKey,
      client_secret: clientSecret,
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': card,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * The seller asks where it stands (its account is made), then finishes Stripe's onboarding: the
 * fake posts `account.updated` to the Connect endpoint, which must accept it.
 */
export async function onboard(fake: FakeStripe, seller: Seller) {
  const payouts = await seller.api('GET', '/seller/payouts');
  assert.equal(payouts.status, 200, JSON.stringify(payouts.body));
  const accountId: string = payouts.body.accountId;
  const before = fake.deliveries.length;
  fake.updateAccount(accountId);
  await fake.idle();
  const delivered = fake.deliveries.slice(before).filter((d) => d.type === 'account.updated');
  assert.deepEqual(
    delivered.map((d) => d.status),
    [200],
    'the Connect endpoint took account.updated',
  );
  return accountId;
}

/** A paid order of two T-shirts (2 × 25.00, free shipping to the US): 50.00 in all. */
export async function paidOrder(server: TestServer, fake: FakeStripe, seller: Seller) {
  const tee = await makeTee(seller, { stock: 10, price: 2500 });
  const created = await createCheckout(server.url, {
    productId: tee.id,
    variantId: tee.medium,
    quantity: 2,
    shippingAddress: ADDRESS_US,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const api = buyer(server.url, created.body.clientToken);
  const held = await api(
    'POST',
    `/checkouts/${created.body.id}/confirm`,
    { payment: { provider: 'stripe' } },
    { 'Idempotency-Key': newKey() },
  );
  assert.equal(held.status, 200, JSON.stringify(held.body));
  const paid = await payInPage(fake, created.body.payment.clientSecret);
  assert.equal(paid.body.status, 'succeeded', JSON.stringify(paid.body));
  await fake.idle();
  const after = await api('GET', `/checkouts/${created.body.id}`);
  assert.equal(after.body.status, 'paid');
  const piId: string = created.body.payment.clientSecret.split('_secret_')[0];
  return { tee, checkout: after.body, api, orderId: after.body.order.id as string, piId };
}

/** The Stripe objects behind a paid PaymentIntent: its charge, transfer and application fee. */
export function moneyOf(fake: FakeStripe, piId: string) {
  const pi = fake.paymentIntents.get(piId)!;
  const charge = fake.charges.get(pi.latest_charge)!;
  return {
    pi,
    charge,
    transfer: charge.transfer ? fake.transfers.get(charge.transfer) : undefined,
    fee: charge.application_fee ? fake.applicationFees.get(charge.application_fee) : undefined,
  };
}

/** A seller refunds through the API. */
export function refund(seller: Seller, orderId: string, body: object = {}, key = newKey()) {
  return seller.api('POST', `/seller/orders/${orderId}/refunds`, body, { 'Idempotency-Key': key });
}

/** The seller's outbox events of one type, payloads parsed. */
export async function outboxOf(server: TestServer, sellerId: string, type: string) {
  const rows = await server.app.db.kysely
    .selectFrom('outbox_events')
    .select(['type', 'payload'])
    .where('seller_id', '=', sellerId)
    .where('type', '=', type)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => JSON.parse(r.payload));
}
