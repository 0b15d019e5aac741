import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import Stripe from 'stripe';
import { type FakeStripe, startFakeStripe, TEST_CARDS } from './doubles/stripe-api.ts';

/**
 * The fake Stripe API (test/doubles/stripe-api.ts), driven through the real `stripe` SDK as the
 * endpoint drives it, and through fetch where Stripe.js would call it from a page.
 */

const { StripeAuthenticationError, StripeCardError, StripeIdempotencyError } = Stripe.errors;
const { StripeInvalidRequestError } = Stripe.errors;

/** A fake and an SDK client pointed at it, both gone when the test ends. */
async function setup(t: TestContext) {
  const fake = await startFakeStripe();
  t.after(() => fake.close());
  return { fake, stripe: client(fake, fake.secretKey) };
}

function client(fake: FakeStripe, key: string) {
  return new Stripe(key, {
    host: fake.host,
    port: fake.port,
    protocol: fake.protocol,
    maxNetworkRetries: 0,
  });
}

/** A PaymentIntent ready to be paid, as the endpoint makes one for a checkout. */
const newIntent = (stripe: Stripe, amount = 2500) =>
  stripe.paymentIntents.create({
    amount,
    currency: 'eur',
    automatic_payment_methods: { enabled: true },
    metadata: { checkout_id: 'co_1' },
  });

const card = (stripe: Stripe, number: string) =>
  stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2034 } });

/** A form POST to the fake, as the fake Stripe.js (or the hosted page's form) sends it. */
async function post(fake: FakeStripe, path: string, form: Record<string, string>) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { res, text, json: type.startsWith('application/json') ? JSON.parse(text) : null };
}

/** What the fake Stripe.js does when the buyer presses Pay in the Payment Element. */
const confirmInPage = (fake: FakeStripe, pi: Stripe.PaymentIntent, number: string) =>
  post(fake, `/v1/payment_intents/${pi.id}/confirm`, {
    key: fake.publishableKey,
    client_secret: pi.client_secret!,
    return_url: 'https://blog.example/posts/1',
    'payment_method_data[type]': 'card',
    'payment_method_data[card][number]': number,
  });

const authenticate = (fake: FakeStripe, pi: Stripe.PaymentIntent, outcome: string) =>
  post(fake, `/_fake/payment_intents/${pi.id}/authenticate`, {
    key: fake.publishableKey,
    client_secret: pi.client_secret!,
    outcome,
  });

const eventTypes = (fake: FakeStripe) => fake.events.map((e) => e.type);

describe('payment intents', () => {
  test('create, update and retrieve keep Stripe’s shapes', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    assert.match(pi.id, /^pi_\w+$/);
    assert.ok(pi.client_secret?.startsWith(`${pi.id}_secret_`));
    assert.equal(pi.object, 'payment_intent');
    assert.equal(pi.status, 'requires_payment_method');
    assert.deepEqual(pi.automatic_payment_methods, { enabled: true });
    assert.equal(pi.amount_received, 0);

    const updated = await stripe.paymentIntents.update(pi.id, {
      amount: 3000,
      metadata: { seller_id: 's_1' },
    });
    assert.equal(updated.amount, 3000);
    assert.deepEqual(updated.metadata, { checkout_id: 'co_1', seller_id: 's_1' }, 'merged');
    const again = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(again.amount, 3000);
    assert.equal(fake.paymentIntents.get(pi.id).amount, 3000);
    const created = fake.requests.find((r) => r.path === '/v1/payment_intents');
    assert.equal(created?.method, 'POST');
    assert.deepEqual(created.body.metadata, { checkout_id: 'co_1' });
  });

  test('the same Idempotency-Key replays the first PaymentIntent; other parameters are refused', async (t) => {
    const { fake, stripe } = await setup(t);
    const params = { amount: 1200, currency: 'usd' };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'co_1-pi' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'co_1-pi' });
    assert.equal(second.id, first.id);
    assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(fake.paymentIntents.size, 1);
    await assert.rejects(
      stripe.paymentIntents.create({ ...params, amount: 1300 }, { idempotencyKey: 'co_1-pi' }),
      (err) => err instanceof StripeIdempotencyError && /same parameters/.test(err.message),
    );
    assert.equal(fake.paymentIntents.size, 1);
  });

  test('the secret key is required; the page reads its PaymentIntent with the client secret', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    for (const key of ['sk_test_someone_else', fake.publishableKey])
      await assert.rejects(
        client(fake, key).paymentIntents.retrieve(pi.id),
        (err) => err instanceof StripeAuthenticationError && err.statusCode === 401,
      );
    const query = (secret: string) =>
      fetch(
        `${fake.url}/v1/payment_intents/${pi.id}?key=${fake.publishableKey}&client_secret=${secret}`,
      );
    const read = await query(pi.client_secret!);
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('access-control-allow-origin'), '*');
    assert.equal(((await read.json()) as { id: string }).id, pi.id);
    assert.equal((await query(`${pi.id}_secret_wrong`)).status, 400);
  });

  test('unknown objects and routes are 404, as Stripe answers them', async (t) => {
    const { fake, stripe } = await setup(t);
    await assert.rejects(
      stripe.paymentIntents.retrieve('pi_missing'),
      (err) =>
        err instanceof StripeInvalidRequestError &&
        err.statusCode === 404 &&
        err.code === 'resource_missing',
    );
    const res = await fetch(`${fake.url}/v1/nothing_here`, {
      headers: { Authorization: `Bearer ${fake.secretKey}` },
    });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });
});

describe('confirming a payment', () => {
  test('the success card pays: succeeded, amount received, a charge, an event', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    const pm = await card(stripe, TEST_CARDS.success);
    const paid = await stripe.paymentIntents.confirm(pi.id, { payment_method: pm.id });
    assert.equal(paid.status, 'succeeded');
    assert.equal(paid.amount_received, 2500);
    assert.match(String(paid.latest_charge), /^ch_/);
    const event = fake.events.at(-1)!;
    assert.equal(event.type, 'payment_intent.succeeded');
    assert.equal(event.api_version, Stripe.API_VERSION);
    assert.equal(event.data.object.status, 'succeeded');
    assert.equal(event.data.object.id, pi.id);
  });

  for (const [name, number, declineCode, message] of [
    ['generic decline', TEST_CARDS.declined, 'generic_decline', 'Your card was declined.'],
    [
      'insufficient funds',
      TEST_CARDS.insufficientFunds,
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
  ]) {
    test(`a decline (${name}) is a StripeCardError, and the PaymentIntent can be paid again`, async (t) => {
      const { fake, stripe } = await setup(t);
      const pi = await newIntent(stripe);
      const pm = await card(stripe, number!);
      await assert.rejects(
        stripe.paymentIntents.confirm(pi.id, { payment_method: pm.id }),
        (err) => {
          assert.ok(err instanceof StripeCardError);
          assert.equal(err.statusCode, 402);
          assert.equal(err.code, 'card_declined');
          assert.equal(err.decline_code, declineCode);
          assert.equal(err.message, message);
          assert.equal(err.payment_intent?.id, pi.id);
          return true;
        },
      );
      const after = await stripe.paymentIntents.retrieve(pi.id);
      assert.equal(after.status, 'requires_payment_method');
      assert.equal(after.last_payment_error?.decline_code, declineCode);
      assert.equal(after.last_payment_error?.payment_method?.id, pm.id);
      assert.equal(fake.events.at(-1)?.type, 'payment_intent.payment_failed');

      const paid = await confirmInPage(fake, pi, TEST_CARDS.success);
      assert.equal(paid.res.status, 200);
      assert.equal(paid.json.status, 'succeeded');
      assert.equal(paid.json.last_payment_error, null);
    });
  }

  test('a number that fails the Luhn check is incorrect_number, from Stripe.js or the SDK', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    const inPage = await confirmInPage(fake, pi, '4242424242424241');
    assert.equal(inPage.res.status, 402);
    assert.equal(inPage.json.error.type, 'card_error');
    assert.equal(inPage.json.error.code, 'incorrect_number');
    assert.equal(inPage.json.error.payment_intent.id, pi.id);
    await assert.rejects(
      card(stripe, '1234567812345678'),
      (err) => err instanceof StripeCardError && err.code === 'incorrect_number',
    );
  });

  test('3-D Secure: requires_action, then the buyer passes or fails the challenge', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    const asked = await confirmInPage(fake, pi, TEST_CARDS.authenticationRequired);
    assert.equal(asked.res.status, 200);
    assert.equal(asked.json.status, 'requires_action');
    assert.deepEqual(asked.json.next_action, {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect' },
    });
    assert.equal(fake.events.length, 0, 'nothing happened yet');
    const passed = await authenticate(fake, pi, 'success');
    assert.equal(passed.res.status, 200);
    assert.equal(passed.json.status, 'succeeded');
    assert.deepEqual(eventTypes(fake), ['payment_intent.succeeded']);
    const late = await authenticate(fake, pi, 'success');
    assert.equal(late.res.status, 400, 'only from requires_action');
    assert.equal(late.json.error.code, 'payment_intent_unexpected_state');

    const other = await newIntent(stripe);
    await confirmInPage(fake, other, TEST_CARDS.authenticationRequired);
    const failed = await authenticate(fake, other, 'failure');
    assert.equal(failed.res.status, 402);
    assert.equal(failed.json.error.code, 'payment_intent_authentication_failure');
    const after = await stripe.paymentIntents.retrieve(other.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_payment_error?.code, 'payment_intent_authentication_failure');
    assert.equal(
      after.last_payment_error?.message,
      'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    );
    assert.equal(fake.events.at(-1)?.type, 'payment_intent.payment_failed');
  });

  test('a paid PaymentIntent cannot be changed, confirmed or canceled; it can be refunded once', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    await confirmInPage(fake, pi, TEST_CARDS.success);
    const unexpected = (err: unknown) =>
      err instanceof StripeInvalidRequestError && err.code === 'payment_intent_unexpected_state';
    await assert.rejects(stripe.paymentIntents.update(pi.id, { amount: 1 }), unexpected);
    await assert.rejects(stripe.paymentIntents.confirm(pi.id), unexpected);
    await assert.rejects(stripe.paymentIntents.cancel(pi.id), unexpected);
    assert.equal(fake.paymentIntents.get(pi.id).amount, 2500);

    const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    assert.match(partial.id, /^re_/);
    assert.equal(partial.status, 'succeeded');
    assert.equal(partial.amount, 500);
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    assert.equal(rest.amount, 2000, 'what was left');
    await assert.rejects(
      stripe.refunds.create({ payment_intent: pi.id }),
      (err) => err instanceof StripeInvalidRequestError && err.code === 'charge_already_refunded',
    );
    const refunded = fake.events.filter((e) => e.type === 'charge.refunded');
    assert.deepEqual(
      refunded.map((e) => e.data.object.amount_refunded),
      [500, 2500],
    );
  });

  test('cancel: canceled with an event; a canceled PaymentIntent cannot be confirmed', async (t) => {
    const { fake, stripe } = await setup(t);
    const pi = await newIntent(stripe);
    const canceled = await stripe.paymentIntents.cancel(pi.id);
    assert.equal(canceled.status, 'canceled');
    assert.deepEqual(eventTypes(fake), ['payment_intent.canceled']);
    const late = await confirmInPage(fake, pi, TEST_CARDS.success);
    assert.equal(late.res.status, 400);
    assert.equal(late.json.error.code, 'payment_intent_unexpected_state');
  });

  test('a page on another origin may call it: CORS preflight and headers', async (t) => {
    const { fake } = await setup(t);
    const res = await fetch(`${fake.url}/v1/payment_intents/pi_x/confirm`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:8000',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });
});

describe('customers and payment methods', () => {
  test('a card attached to a customer is listed, detached, and the customer deleted', async (t) => {
    const { stripe } = await setup(t);
    const customer = await stripe.customers.create({ email: 'reader@example.com' });
    assert.match(customer.id, /^cus_/);
    const pm = await card(stripe, TEST_CARDS.success);
    assert.equal(pm.card?.last4, '4242');
    assert.equal(pm.card?.brand, 'visa');
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const viaList = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    const viaCustomer = await stripe.customers.listPaymentMethods(customer.id);
    for (const list of [viaList, viaCustomer]) {
      assert.equal(list.object, 'list');
      assert.equal(list.has_more, false);
      assert.deepEqual(
        list.data.map((p) => p.id),
        [pm.id],
      );
    }
    const session = await stripe.customerSessions.create({
      customer: customer.id,
      components: { payment_element: { enabled: true } },
    });
    assert.match(session.client_secret, /^cuss_secret_/);
    assert.equal(session.components?.payment_element?.enabled, true);

    await stripe.paymentMethods.detach(pm.id);
    assert.equal((await stripe.paymentMethods.list({ customer: customer.id })).data.length, 0);
    const deleted = await stripe.customers.del(customer.id);
    assert.equal(deleted.deleted, true);
    const gone = await stripe.customers.retrieve(customer.id);
    assert.equal(gone.deleted, true);
  });
});

describe('saved cards (customers, customer sessions)', () => {
  /** What the fake Stripe.js sends with a Customer Session: the publishable key and its secret. */
  const asPage = (fake: FakeStripe, secret: string) => ({
    key: fake.publishableKey,
    customer_session_client_secret: secret,
  });
  const getJson = async (fake: FakeStripe, path: string, query: Record<string, string>) => {
    const res = await fetch(`${fake.url}${path}?${new URLSearchParams(query)}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const sessionFor = (stripe: Stripe, customer: string, remove: 'enabled' | 'disabled') =>
    stripe.customerSessions.create({
      customer,
      components: {
        payment_element: {
          enabled: true,
          features: {
            payment_method_redisplay: 'enabled',
            payment_method_save: 'enabled',
            payment_method_save_usage: 'on_session',
            payment_method_remove: remove,
          },
        },
      },
    });
  /** The page confirms, as Stripe.js does when the save box is ticked (or not). */
  const confirmSaving = (
    fake: FakeStripe,
    pi: Stripe.PaymentIntent,
    number: string,
    save: boolean,
  ) =>
    post(fake, `/v1/payment_intents/${pi.id}/confirm`, {
      key: fake.publishableKey,
      client_secret: pi.client_secret!,
      return_url: 'https://blog.example/posts/1',
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': number,
      ...(save
        ? { setup_future_usage: 'on_session', 'payment_method_data[allow_redisplay]': 'always' }
        : {}),
    });
  const confirmWith = (fake: FakeStripe, pi: Stripe.PaymentIntent, pm: string) =>
    post(fake, `/v1/payment_intents/${pi.id}/confirm`, {
      key: fake.publishableKey,
      client_secret: pi.client_secret!,
      return_url: 'https://blog.example/posts/1',
      payment_method: pm,
    });
  const intentFor = (stripe: Stripe, customer: string | null) =>
    stripe.paymentIntents.create({
      amount: 2500,
      currency: 'eur',
      automatic_payment_methods: { enabled: true },
      ...(customer ? { customer } : {}),
    });

  test('a card saved while paying joins the customer once paid; it pays again, never for another customer', async (t) => {
    const { fake, stripe } = await setup(t);
    const ada = await stripe.customers.create({ metadata: { bip_buyer: 'byr_ada' } });
    const bo = await stripe.customers.create();

    const declined = await confirmSaving(
      fake,
      await intentFor(stripe, ada.id),
      TEST_CARDS.declined,
      true,
    );
    assert.equal(declined.res.status, 402);
    const unsaved = await confirmSaving(
      fake,
      await intentFor(stripe, ada.id),
      TEST_CARDS.success,
      false,
    );
    assert.equal(unsaved.json.status, 'succeeded');
    assert.equal(
      fake.paymentMethods.get(unsaved.json.payment_method).allow_redisplay,
      'unspecified',
    );
    assert.equal((await stripe.customers.listPaymentMethods(ada.id)).data.length, 0, 'not saved');

    const saving = await intentFor(stripe, ada.id);
    const paid = await confirmSaving(fake, saving, TEST_CARDS.success, true);
    assert.equal(paid.json.status, 'succeeded');
    assert.equal(paid.json.setup_future_usage, 'on_session');
    const saved = await stripe.paymentMethods.retrieve(paid.json.payment_method);
    assert.equal(saved.customer, ada.id);
    assert.equal(saved.allow_redisplay, 'always');
    const shown = await stripe.customers.listPaymentMethods(ada.id, { allow_redisplay: 'always' });
    assert.deepEqual(
      shown.data.map((pm) => [pm.id, pm.card?.last4]),
      [[saved.id, '4242']],
    );
    assert.equal(
      (await stripe.customers.listPaymentMethods(ada.id, { allow_redisplay: 'limited' })).data
        .length,
      0,
    );

    const again = await confirmWith(fake, await intentFor(stripe, ada.id), saved.id);
    assert.equal(again.json.status, 'succeeded', 'the saved card pays in one confirm');
    for (const other of [bo.id, null]) {
      const refused = await confirmWith(fake, await intentFor(stripe, other), saved.id);
      assert.equal(refused.res.status, 400);
      assert.equal(refused.json.error.param, 'payment_method');
    }
    await assert.rejects(
      stripe.paymentIntents.create({
        amount: 100,
        currency: 'eur',
        setup_future_usage: 'later' as never,
      }),
      (err) => err instanceof StripeInvalidRequestError && err.param === 'setup_future_usage',
    );
  });

  test('a Customer Session shows the page its customer’s cards (three by default) and removes one if allowed', async (t) => {
    const { fake, stripe } = await setup(t);
    const ada = await stripe.customers.create();
    const bo = await stripe.customers.create();
    const cards: Stripe.PaymentMethod[] = [];
    for (const number of [
      '4242424242424242',
      '5555555555554444',
      '4000056655665556',
      '378282246310005',
    ]) {
      const pm = await stripe.paymentMethods.create({
        type: 'card',
        card: { number } as never,
        allow_redisplay: 'always',
      });
      cards.push(await stripe.paymentMethods.attach(pm.id, { customer: ada.id }));
    }
    const limited = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242' } as never,
      allow_redisplay: 'limited',
    });
    await stripe.paymentMethods.attach(limited.id, { customer: ada.id });
    const bos = await stripe.paymentMethods.attach((await card(stripe, TEST_CARDS.success)).id, {
      customer: bo.id,
    });

    const keep = await sessionFor(stripe, ada.id, 'disabled');
    assert.equal(fake.customerSessions.get(keep.client_secret)?.customer, ada.id);
    const shown = await getJson(fake, '/v1/elements/sessions', asPage(fake, keep.client_secret));
    assert.equal(shown.status, 200);
    assert.equal(shown.body.customer.id, ada.id);
    assert.deepEqual(
      shown.body.customer.payment_methods.map((pm: any) => pm.id),
      [cards[3]!.id, cards[2]!.id, cards[1]!.id],
      'newest first, redisplayable only, three at most',
    );
    const notAllowed = await post(
      fake,
      `/_fake/customer_sessions/payment_methods/${cards[3]!.id}/detach`,
      asPage(fake, keep.client_secret),
    );
    assert.equal(notAllowed.res.status, 400);

    const removing = await sessionFor(stripe, ada.id, 'enabled');
    const theirs = await post(
      fake,
      `/_fake/customer_sessions/payment_methods/${bos.id}/detach`,
      asPage(fake, removing.client_secret),
    );
    assert.equal(theirs.res.status, 400);
    assert.equal(theirs.json.error.code, 'resource_missing');
    const removed = await post(
      fake,
      `/_fake/customer_sessions/payment_methods/${cards[3]!.id}/detach`,
      asPage(fake, removing.client_secret),
    );
    assert.equal(removed.res.status, 200);
    assert.equal((await stripe.paymentMethods.retrieve(cards[3]!.id)).customer, null);

    const noSecret = await getJson(fake, '/v1/elements/sessions', { key: fake.publishableKey });
    assert.equal(noSecret.status, 401);
    const forged = await getJson(fake, '/v1/elements/sessions', asPage(fake, 'cuss_secret_forged'));
    assert.equal(forged.status, 400);
    assert.equal(forged.body.error.code, 'customer_session_expired');
    await stripe.customers.del(ada.id);
    const gone = await getJson(fake, '/v1/elements/sessions', asPage(fake, removing.client_secret));
    assert.equal(
      gone.body.error?.code,
      'customer_session_expired',
      'a deleted customer’s session is dead',
    );
  });

  test('deleting a customer detaches every card, and a detached card never pays again', async (t) => {
    const { fake, stripe } = await setup(t);
    const ada = await stripe.customers.create();
    const pm = await stripe.paymentMethods.attach((await card(stripe, TEST_CARDS.success)).id, {
      customer: ada.id,
    });
    await stripe.customers.del(ada.id);
    assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
    await assert.rejects(stripe.customers.listPaymentMethods(ada.id), StripeInvalidRequestError);
    const refused = await confirmWith(fake, await intentFor(stripe, null), pm.id);
    assert.equal(refused.res.status, 400);
    assert.match(refused.json.error.message, /detached from a Customer/);
  });

  test('a Checkout Session for a customer offers its saved cards and a save box', async (t) => {
    const { fake, stripe } = await setup(t);
    const ada = await stripe.customers.create();
    const hosted = () =>
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'eur', unit_amount: 900, product_data: { name: 'Zine' } },
            quantity: 1,
          },
        ],
        success_url: 'https://blog.example/posts/7?bip_return=done',
        customer: ada.id,
        saved_payment_method_options: {
          payment_method_save: 'enabled',
          payment_method_remove: 'enabled',
          allow_redisplay_filters: ['always'],
        },
      });
    await assert.rejects(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'eur', unit_amount: 900, product_data: { name: 'Zine' } },
            quantity: 1,
          },
        ],
        customer: ada.id,
        customer_email: 'ada@example.com',
      }),
      (err) => err instanceof StripeInvalidRequestError && err.param === 'customer_email',
    );
    const first = await hosted();
    assert.equal(first.customer, ada.id);
    assert.equal(first.saved_payment_method_options?.payment_method_save, 'enabled');
    const page = await (await fetch(first.url!)).text();
    assert.match(page, /Save my card for next time/);
    assert.doesNotMatch(page, /Your saved cards/);
    const paid = await post(fake, `/c/pay/${first.id}`, { card: '5555555555554444', save: 'on' });
    assert.equal(paid.res.status, 303);
    const [saved] = (
      await stripe.customers.listPaymentMethods(ada.id, { allow_redisplay: 'always' })
    ).data;
    assert.equal(saved?.card?.last4, '4444');

    const second = await hosted();
    const offered = await (await fetch(second.url!)).text();
    assert.match(offered, new RegExp(`value="${saved!.id}" checked> mastercard ending in 4444`));
    const again = await post(fake, `/c/pay/${second.id}`, { saved: saved!.id });
    assert.equal(again.res.status, 303);
    const done = await stripe.checkout.sessions.retrieve(second.id);
    const pi = await stripe.paymentIntents.retrieve(String(done.payment_intent));
    assert.equal(pi.payment_method, saved!.id);
    assert.equal(pi.customer, ada.id);
  });
});

describe('checkout sessions', () => {
  /** A session as the endpoint makes one in hosted mode: a poster, tax, shipping to France. */
  const newSession = (stripe: Stripe) =>
    stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: {
            currency: 'eur',
            unit_amount: 2500,
            product_data: { name: 'Night Trains poster' },
          },
          quantity: 2,
        },
        {
          price_data: { currency: 'eur', unit_amount: 1300, product_data: { name: 'Tax' } },
          quantity: 1,
        },
      ],
      client_reference_id: 'co_9',
      metadata: { checkout_id: 'co_9' },
      payment_intent_data: { metadata: { checkout_id: 'co_9', seller_id: 's_1' } },
      success_url: 'https://blog.example/posts/7?bip_session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://blog.example/posts/7?bip_return=canceled',
      expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
      shipping_address_collection: { allowed_countries: ['FR'] },
      shipping_options: [
        {
          shipping_rate_data: {
            type: 'fixed_amount',
            display_name: 'Shipping',
            fixed_amount: { amount: 1500, currency: 'eur' },
          },
        },
      ],
    });

  const ADDRESS = {
    name: 'Amélie Lecteur',
    line1: '3 rue de la Paix',
    city: 'Paris',
    postal_code: '75002',
    country: 'FR',
  };

  test('created open for the total, paid on the hosted page, back to success_url, complete', async (t) => {
    const { fake, stripe } = await setup(t);
    const session = await newSession(stripe);
    assert.match(session.id, /^cs_test_/);
    assert.equal(session.url, `${fake.url}/c/pay/${session.id}`);
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.amount_total, 2 * 2500 + 1300 + 1500);
    assert.equal(session.currency, 'eur');
    assert.equal(session.payment_intent, null);

    const page = await fetch(session.url!);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>[^<]+<\/title>/);
    assert.match(html, /<h1>Night Trains poster<\/h1>/);
    assert.match(html, /€78\.00/);
    assert.match(html, /<label for="card">Card number<\/label>\s*<input id="card"/);
    assert.match(html, /value="4242 4242 4242 4242"/);
    assert.match(html, /<legend>Shipping address<\/legend>/);
    assert.match(html, /<select id="country"[^>]*><option value="FR">France<\/option><\/select>/);
    assert.match(html, /<button type="submit">Pay<\/button>/);
    assert.match(
      html,
      /<a href="https:\/\/blog\.example\/posts\/7\?bip_return=canceled">Cancel<\/a>/,
    );

    const paid = await post(fake, `/c/pay/${session.id}`, { card: TEST_CARDS.success, ...ADDRESS });
    assert.equal(paid.res.status, 303);
    assert.equal(
      paid.res.headers.get('location'),
      `https://blog.example/posts/7?bip_session=${session.id}`,
    );
    const complete = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(complete.status, 'complete');
    assert.equal(complete.payment_status, 'paid');
    assert.deepEqual(complete.collected_information?.shipping_details, {
      name: ADDRESS.name,
      address: {
        line1: ADDRESS.line1,
        line2: null,
        city: ADDRESS.city,
        state: null,
        postal_code: ADDRESS.postal_code,
        country: 'FR',
      },
    });
    const pi = await stripe.paymentIntents.retrieve(String(complete.payment_intent));
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 7800);
    assert.deepEqual(pi.metadata, { checkout_id: 'co_9', seller_id: 's_1' });
    assert.deepEqual(eventTypes(fake), ['payment_intent.succeeded', 'checkout.session.completed']);

    const twice = await post(fake, `/c/pay/${session.id}`, {
      card: TEST_CARDS.success,
      ...ADDRESS,
    });
    assert.equal(twice.res.status, 410, 'a complete session cannot be paid again');
    assert.equal(fake.paymentIntents.size, 1);
  });

  test('a declined card shows the reason on the page; an expired session cannot be paid', async (t) => {
    const { fake, stripe } = await setup(t);
    const session = await newSession(stripe);
    const declined = await post(fake, `/c/pay/${session.id}`, {
      card: TEST_CARDS.insufficientFunds,
      ...ADDRESS,
    });
    assert.equal(declined.res.status, 402);
    assert.match(declined.text, /role="alert"[^>]*>Your card has insufficient funds\.</);
    assert.match(declined.text, /value="3 rue de la Paix"/, 'what the buyer typed is kept');
    const noAddress = await post(fake, `/c/pay/${session.id}`, { card: TEST_CARDS.success });
    assert.equal(noAddress.res.status, 400);
    assert.match(noAddress.text, /role="alert"/);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');

    const expired = await stripe.checkout.sessions.expire(session.id);
    assert.equal(expired.status, 'expired');
    assert.equal(fake.events.at(-1)?.type, 'checkout.session.expired');
    assert.equal((await fetch(session.url!)).status, 410);
    const late = await post(fake, `/c/pay/${session.id}`, { card: TEST_CARDS.success, ...ADDRESS });
    assert.equal(late.res.status, 410);
    await assert.rejects(
      stripe.checkout.sessions.expire(session.id),
      (err) => err instanceof StripeInvalidRequestError,
    );
    assert.equal(fake.paymentIntents.size, 0, 'nothing was charged');
  });
});

/**
 * A webhook endpoint on this machine that verifies every delivery as the endpoint does; it
 * answers `status`, once `gate` (if any) has opened.
 */
async function startReceiver(t: TestContext, fake: FakeStripe, status = 200) {
  const verifier = new Stripe('sk_test_verifier');
  const received: Stripe.Event[] = [];
  /** When each delivery arrived (Date.now()). */
  const arrivals: number[] = [];
  const rejected: string[] = [];
  let open: () => void = () => {};
  const receiver = {
    received,
    arrivals,
    rejected,
    /** When set, deliveries wait for `release()` before they are answered. */
    gate: null as Promise<void> | null,
    hold() {
      receiver.gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
  const server = createServer(async (req, res) => {
    arrivals.push(Date.now());
    const raw = await readAll(req);
    try {
      received.push(
        verifier.webhooks.constructEvent(
          raw,
          String(req.headers['stripe-signature']),
          fake.webhookSecret,
        ),
      );
    } catch (err) {
      rejected.push(String(err));
    }
    await receiver.gate;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    open();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  fake.webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

async function readAll(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits (by polling, not sleeping blindly) until `check` holds, or fails after a while. */
async function waitUntil(check: () => boolean, what: string) {
  const until = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('webhooks', () => {
  test('each event is signed, and sent after the request that made it has been answered', async (t) => {
    const { fake, stripe } = await setup(t);
    const receiver = await startReceiver(t, fake);
    // The receiver does not answer until released: were the event delivered inside the
    // confirm request, the confirm would never return.
    receiver.hold();
    const pi = await newIntent(stripe);
    const paid = await stripe.paymentIntents.confirm(pi.id, {
      payment_method: (await card(stripe, TEST_CARDS.success)).id,
    });
    assert.equal(paid.status, 'succeeded');
    await waitUntil(() => receiver.received.length === 1, 'the webhook');
    receiver.release();
    await fake.idle();
    assert.deepEqual(receiver.rejected, []);
    const event = receiver.received[0]!;
    assert.equal(event.id, fake.events[0]!.id);
    assert.equal(event.type, 'payment_intent.succeeded');
    assert.equal((event.data.object as Stripe.PaymentIntent).id, pi.id);
    assert.deepEqual(fake.deliveries, [
      { eventId: event.id, type: 'payment_intent.succeeded', status: 200 },
    ]);
    // the signature is only good with this secret
    assert.throws(() =>
      new Stripe('sk_test_x').webhooks.constructEvent(
        JSON.stringify(fake.events[0], null, 2),
        Stripe.webhooks.generateTestHeaderString({
          payload: JSON.stringify(fake.events[0], null, 2),
          secret: 'whsec_other',
        }),
        fake.webhookSecret,
      ),
    );
  });

  test('drop: the event is recorded and never sent', async (t) => {
    const { fake, stripe } = await setup(t);
    const receiver = await startReceiver(t, fake);
    fake.webhookPolicy = { mode: 'drop', duplicates: 0, delayMs: 0 };
    await stripe.paymentIntents.cancel((await newIntent(stripe)).id);
    await fake.idle();
    assert.deepEqual(eventTypes(fake), ['payment_intent.canceled']);
    assert.equal(receiver.received.length, 0);
    assert.equal(fake.deliveries.length, 0);
  });

  test('hold, then release in reverse: the newest event arrives first', async (t) => {
    const { fake, stripe } = await setup(t);
    const receiver = await startReceiver(t, fake);
    fake.webhookPolicy = { mode: 'hold', duplicates: 0, delayMs: 0 };
    const pi = await newIntent(stripe);
    await confirmInPage(fake, pi, TEST_CARDS.declined);
    await confirmInPage(fake, pi, TEST_CARDS.success);
    await stripe.paymentIntents.cancel((await newIntent(stripe)).id);
    await fake.idle();
    assert.equal(receiver.received.length, 0, 'held');
    await fake.releaseHeld('reverse');
    assert.deepEqual(
      receiver.received.map((e) => e.type),
      ['payment_intent.canceled', 'payment_intent.succeeded', 'payment_intent.payment_failed'],
    );
    assert.deepEqual(
      receiver.received.map((e) => e.id),
      fake.events.map((e) => e.id).reverse(),
    );
    assert.ok(fake.deliveries.every((d) => d.status === 200));
    await fake.releaseHeld();
    assert.equal(receiver.received.length, 3, 'each held event is sent once');
  });

  test('duplicates: the same signed event several times', async (t) => {
    const { fake, stripe } = await setup(t);
    const receiver = await startReceiver(t, fake);
    fake.webhookPolicy = { mode: 'deliver', duplicates: 2, delayMs: 0 };
    await confirmInPage(fake, await newIntent(stripe), TEST_CARDS.success);
    await fake.idle();
    assert.deepEqual(receiver.rejected, []);
    assert.equal(receiver.received.length, 3);
    assert.ok(receiver.received.every((e) => e.id === fake.events[0]!.id));
    assert.equal(fake.deliveries.length, 3);
  });

  test('delayMs holds the delivery back; idle() waits for it', async (t) => {
    const { fake, stripe } = await setup(t);
    const receiver = await startReceiver(t, fake);
    fake.webhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 400 };
    await confirmInPage(fake, await newIntent(stripe), TEST_CARDS.success);
    const answered = Date.now();
    assert.equal(receiver.received.length, 0, 'not yet');
    await fake.idle();
    assert.equal(receiver.received.length, 1);
    const late = receiver.arrivals[0]! - answered;
    assert.ok(late >= 300, `arrived ${late} ms after the answer`);
  });

  test('what the receiver answers is recorded, without retries; unreachable is an error', async (t) => {
    const { fake, stripe } = await setup(t);
    await startReceiver(t, fake, 500);
    await stripe.paymentIntents.cancel((await newIntent(stripe)).id);
    await fake.idle();
    assert.deepEqual(
      fake.deliveries.map((d) => d.status),
      [500],
    );
    fake.webhookUrl = 'http://127.0.0.1:9/nobody-listens';
    await stripe.paymentIntents.cancel((await newIntent(stripe)).id);
    await fake.idle();
    assert.deepEqual(
      fake.deliveries.map((d) => d.status),
      [500, 'error'],
    );
  });
});
