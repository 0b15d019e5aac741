import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type FakeStripe, startFakeStripe, stripeEnv, TEST_CARDS } from './doubles/stripe-api.ts';
import {
  capturedLog,
  identities,
  type Receiver,
  type SignedIn,
  webhookReceiver,
} from './helpers/buyer-checkout.ts';
import {
  ADDRESS_US,
  client,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import {
  askCode,
  freshIp,
  type Issuer,
  type Smtp,
  startIssuer,
  startSmtp,
  walletEnv,
} from './helpers/wallet.ts';

/**
 * The wallet with Stripe (issue 10, phase 2): the real endpoint over HTTP on SQLite and
 * PostgreSQL, the real `stripe` SDK against the fake Stripe API, which confirms as Stripe.js
 * would and posts signed webhooks. One Customer per buyer; the PaymentIntent is made for it;
 * each answer to the buyer carries a fresh Customer Session secret that is never stored; the
 * card saved by the Payment Element's box pays the next order in one confirm; erasure detaches
 * every card and deletes the Customer.
 */

const FEATURES = {
  payment_method_redisplay: 'enabled',
  payment_method_allow_redisplay_filters: ['always'],
  payment_method_save: 'enabled',
  payment_method_save_usage: 'on_session',
  payment_method_remove: 'enabled',
};

/** What the fake Stripe.js does in the page: confirm, with a new card (saved or not) or a saved one. */
async function payInPage(
  fake: FakeStripe,
  clientSecret: string,
  pay: { card: string; save: boolean } | { savedPaymentMethod: string },
) {
  const id = clientSecret.split('_secret_')[0];
  const form: Record<string, string> = {
    key: fake.publishableKey,
    client_secret: clientSecret,
    return_url: 'https://blog.example/posts/1',
  };
  if ('savedPaymentMethod' in pay) form.payment_method = pay.savedPaymentMethod;
  else {
    form['payment_method_data[type]'] = 'card';
    form['payment_method_data[card][number]'] = pay.card;
    if (pay.save) {
      form.setup_future_usage = 'on_session';
      form['payment_method_data[allow_redisplay]'] = 'always';
    }
  }
  const res = await fetch(`${fake.url}/v1/payment_intents/${id}/confirm`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** What the fake Stripe.js loads to show the Payment Element's saved cards. */
async function savedCardsInPage(fake: FakeStripe, customerSessionSecret: string) {
  const query = new URLSearchParams({
    key: fake.publishableKey,
    customer_session_client_secret: customerSessionSecret,
  });
  const res = await fetch(`${fake.url}/v1/elements/sessions?${query}`);
  const body = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.customer.payment_methods as { id: string; card: { last4: string } }[];
}

for (const { name, skip } of dialects()) {
  describe(`wallet with Stripe (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let server: TestServer;
    let smtp: Smtp;
    let host: Issuer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    let hooks: Receiver;
    const captured = capturedLog();
    const personal = new Set<string>([ADDRESS_US.line1]);

    before(async () => {
      fake = await startFakeStripe();
      smtp = await startSmtp();
      host = await startIssuer();
      server = await startTestServer(
        name,
        {
          ...stripeEnv(fake),
          ...walletEnv(smtp, {
            BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [host.issuer]: host.jwksUrl }),
          }),
        },
        { log: captured.log },
      );
      fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
      seller = await makeSeller(server, 'Stripe Wallet Seller');
      hooks = await webhookReceiver(() => seller.webhookSecret);
      await seller.api('PATCH', '/seller/me', { webhookUrl: hooks.url });
    });
    after(async () => {
      await server?.close();
      await fake?.close();
      await smtp?.close();
      await host?.close();
      await hooks?.close();
      const out = captured.text();
      assert.match(out, /the shipping address is kept in the wallet/, 'the log was captured');
      for (const p of personal) assert.ok(!out.includes(p), `"${p}" reached the log`);
      assert.doesNotMatch(out, /@example\.com/, 'an email reached the log');
      assert.doesNotMatch(out, /cuss_secret_/, 'a customer session secret reached the log');
    });

    const who = () => `reader-${randomUUID().slice(0, 8)}`;
    const db = () => server.app.db.kysely;
    const ids = identities(
      () => smtp,
      () => host,
    );
    const signInAs = async (identity: (typeof ids)[number], person: string) => {
      const s = await identity.signIn(server, person);
      if (s.email) personal.add(s.email);
      return s;
    };
    const asBuyer = (session: SignedIn | null, token?: string) =>
      client(server.url, {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(session ? { 'Buyer-Session': session.token } : {}),
      });
    const create = (session: SignedIn | null, body: Record<string, unknown>, key = newKey()) =>
      asBuyer(session)('POST', '/checkouts', body, { 'Idempotency-Key': key });
    const customerOf = async (buyerId: string) =>
      (
        await db()
          .selectFrom('buyers')
          .select('stripe_customer_id')
          .where('id', '=', buyerId)
          .executeTakeFirstOrThrow()
      ).stripe_customer_id;
    const intentOf = (checkout: { payment: { clientSecret: string } }) =>
      fake.paymentIntents.get(checkout.payment.clientSecret.split('_secret_')[0]!)!;

    /** Holds the checkout (as the element does), pays in the page, and waits for the webhook. */
    async function pay(
      session: SignedIn,
      checkout: any,
      how: Parameters<typeof payInPage>[2],
    ): Promise<any> {
      const api = asBuyer(session, checkout.clientToken);
      const held = await api(
        'POST',
        `/checkouts/${checkout.id}/confirm`,
        { payment: { provider: 'stripe' } },
        { 'Idempotency-Key': newKey() },
      );
      assert.equal(held.status, 200, JSON.stringify(held.body));
      assert.equal(held.body.status, 'processing');
      const paid = await payInPage(fake, checkout.payment.clientSecret, how);
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      await fake.idle();
      const after = await api('GET', `/checkouts/${checkout.id}`);
      assert.equal(after.body.status, 'paid', JSON.stringify(after.body));
      return after.body;
    }

    for (const identity of ids) {
      test(`a returning buyer (${identity.name}) pays with the card saved at Stripe, in one confirm`, async () => {
        const person = who();
        const tee = await makeTee(seller, { stock: 10, price: 2500 });
        const first = await signInAs(identity, person);
        const email = first.email ?? `${person}.typed@example.com`;
        personal.add(email);
        const made = await create(first, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
          ...(first.email ? {} : { email }),
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));

        // One Customer for the buyer, made now, and the PaymentIntent is made for it.
        const customer = await customerOf(first.buyerId);
        assert.match(customer ?? '', /^cus_/);
        assert.equal(fake.customers.get(customer!).metadata.bip_buyer, first.buyerId);
        assert.equal(intentOf(made.body).customer, customer);
        const secret = made.body.payment.customerSessionClientSecret;
        assert.match(secret, /^cuss_secret_/);
        const session = fake.customerSessions.get(secret);
        assert.equal(session.customer, customer);
        assert.deepEqual(session.components.payment_element, { enabled: true, features: FEATURES });
        assert.deepEqual(await savedCardsInPage(fake, secret), [], 'nothing saved yet');

        // The buyer ticks Stripe's save box: the card stays on their Customer.
        await pay(first, made.body, { card: TEST_CARDS.success, save: true });
        const wallet = (await first.api('GET', '/buyer')).body;
        assert.deepEqual(
          wallet.paymentMethods.map((m: any) => [m.brand, m.last4, m.id.slice(0, 3)]),
          [['visa', '4242', 'pm_']],
        );
        assert.equal(wallet.addresses.length, 1);
        const order = await db()
          .selectFrom('orders')
          .select('buyer_id')
          .where('checkout_id', '=', made.body.id)
          .executeTakeFirstOrThrow();
        assert.equal(order.buyer_id, first.buyerId);

        // Back, with a new session: ready to pay, the saved card shown in the page, one confirm.
        const back = await signInAs(identity, person);
        const ready = await create(back, { productId: tee.id, variantId: tee.medium, quantity: 1 });
        assert.equal(ready.status, 201, JSON.stringify(ready.body));
        assert.equal(ready.body.readyToPay, true);
        assert.deepEqual(ready.body.shippingAddress, ADDRESS_US);
        assert.equal(intentOf(ready.body).customer, customer, 'the same Customer');
        const [card] = ready.body.buyer.paymentMethods;
        const shown = await savedCardsInPage(fake, ready.body.payment.customerSessionClientSecret);
        assert.deepEqual(
          shown.map((pm) => pm.id),
          [card.id],
        );
        const paid = await pay(back, ready.body, { savedPaymentMethod: card.id });
        assert.match(paid.order.number, /^BIP-/);
        assert.equal(intentOf(ready.body).payment_method, card.id);
        const customers = [...fake.customers.values()].filter(
          (c) => c.metadata?.bip_buyer === first.buyerId,
        );
        assert.equal(customers.length, 1, 'one Customer per buyer');
      });
    }

    test('the customer session secret is never stored: not in the idempotency table, fresh on a replay', async () => {
      const me = await signInAs(ids[0]!, who());
      const tee = await makeTee(seller);
      const body = {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      };
      const key = newKey();
      const made = await create(me, body, key);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const first = made.body.payment.customerSessionClientSecret;
      assert.match(first, /^cuss_secret_/);

      const stored = await db()
        .selectFrom('idempotency_keys')
        .select(['response_body'])
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      // Stored answers are sealed (docs/security.md): what a replay opens is read through the service.
      const opened = JSON.stringify(
        await server.app.services.idempotency.storedAnswer('POST /checkouts', key),
      );
      assert.ok(stored.response_body && opened.includes(made.body.id), 'the answer is stored');
      assert.ok(!opened.includes('cuss_secret_'), 'but not the secret');
      assert.ok(!opened.includes('"buyer"'), 'nor the wallet');
      const all = await db().selectFrom('idempotency_keys').select('response_body').execute();
      assert.ok(!JSON.stringify(all).includes('cuss_secret_'), 'no secret in the whole table');

      const replay = await create(me, body, key);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.id, made.body.id);
      const again = replay.body.payment.customerSessionClientSecret;
      assert.match(again, /^cuss_secret_/);
      assert.notEqual(again, first, 'a fresh one');
      assert.equal(fake.customerSessions.get(again).customer, await customerOf(me.buyerId));
      assert.deepEqual(replay.body.buyer, made.body.buyer);

      const anonymous = await create(null, body, key);
      assert.equal(anonymous.headers.get('idempotent-replayed'), 'true');
      assert.equal(anonymous.body.payment.customerSessionClientSecret, undefined);
      assert.equal(anonymous.body.buyer, undefined);

      const read = await asBuyer(me, made.body.clientToken)('GET', `/checkouts/${made.body.id}`);
      assert.match(read.body.payment.customerSessionClientSecret, /^cuss_secret_/);
      assert.notEqual(read.body.payment.customerSessionClientSecret, again);
      const guest = await asBuyer(null, made.body.clientToken)('GET', `/checkouts/${made.body.id}`);
      assert.equal(guest.body.payment.customerSessionClientSecret, undefined);
    });

    test("one buyer's session cannot remove another's Stripe card; the owner can", async () => {
      const alice = await signInAs(ids[0]!, who());
      const mallory = await signInAs(ids[1]!, who());
      const tee = await makeTee(seller);
      const made = await create(alice, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      await pay(alice, made.body, { card: TEST_CARDS.success, save: true });
      const [card] = (await alice.api('GET', '/buyer')).body.paymentMethods;
      // Mallory has a Customer too (a checkout made one): still not hers.
      await create(mallory, { productId: tee.id, variantId: tee.small, quantity: 1 });
      const theirs = await mallory.api('DELETE', `/buyer/payment-methods/${card.id}`);
      assert.equal(theirs.status, 404, JSON.stringify(theirs.body));
      assert.equal(fake.paymentMethods.get(card.id).customer, await customerOf(alice.buyerId));
      assert.equal((await alice.api('DELETE', `/buyer/payment-methods/${card.id}`)).status, 204);
      assert.equal(fake.paymentMethods.get(card.id).customer, null, 'detached at Stripe');
      assert.deepEqual((await alice.api('GET', '/buyer')).body.paymentMethods, []);
    });

    test('erasure detaches every card at Stripe, deletes the Customer, and tells the seller', async () => {
      const me = await signInAs(ids[0]!, who());
      const tee = await makeTee(seller);
      const cards: string[] = [];
      for (const [number, shareEmail] of [
        [TEST_CARDS.success, true],
        ['5555555555554444', false],
      ] as const) {
        const made = await create(me, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
          shareEmail,
        });
        const paid = await pay(me, made.body, { card: number, save: true });
        cards.push(intentOf(made.body).payment_method);
        if (shareEmail) personal.add(paid.email);
      }
      const customer = (await customerOf(me.buyerId))!;
      assert.deepEqual(
        cards.map((id) => fake.paymentMethods.get(id).customer),
        [customer, customer],
      );

      assert.equal((await me.api('DELETE', '/buyer')).status, 204);
      assert.equal(fake.customers.get(customer).deleted, true, 'the Customer is deleted');
      for (const id of cards)
        assert.equal(fake.paymentMethods.get(id).customer, null, `${id} detached`);
      assert.ok(
        ![...fake.paymentMethods.values()].some((pm) => pm.customer === customer),
        'nothing left on the Customer',
      );
      const detached = fake.requests
        .filter((r) => r.path.endsWith('/detach'))
        .map((r) => r.path.split('/')[3]);
      assert.deepEqual(
        detached.filter((id) => cards.includes(id!)).sort(),
        [...cards].sort(),
        'each detached through the API',
      );
      const erased = await hooks.next('buyer.erased');
      assert.ok(erased.verified);
      assert.equal(erased.event.data.orders.length, 1, 'the order that carried the email');
      const left = await db()
        .selectFrom('buyers')
        .select('id')
        .where('id', '=', me.buyerId)
        .execute();
      assert.deepEqual(left, []);
    });

    test('linking a host sign-in to an email wallet keeps its Stripe cards (the Customer moves)', async () => {
      const person = who();
      const viaHost = await signInAs(ids[1]!, person);
      const email = `${person}@example.com`;
      personal.add(email);
      const tee = await makeTee(seller);
      const made = await create(viaHost, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
        email,
      });
      await pay(viaHost, made.body, { card: TEST_CARDS.success, save: true });
      const customer = await customerOf(viaHost.buyerId);
      const byEmail = await signInAs(ids[0]!, person); // the email's own wallet, no Customer yet
      assert.equal(await customerOf(byEmail.buyerId), null);

      const code = await askCode(server, smtp, email);
      const linked = await client(server.url, { 'X-Forwarded-For': freshIp() })(
        'POST',
        '/buyer/sessions',
        { hostToken: await host.mint(server.url, `user-${person}`), email, code },
      );
      assert.equal(linked.status, 201, JSON.stringify(linked.body));
      assert.equal(await customerOf(byEmail.buyerId), customer, 'the Customer follows the cards');
      assert.deepEqual(
        linked.body.buyer.paymentMethods.map((m: any) => m.last4),
        ['4242'],
      );
      assert.equal(fake.customers.get(customer!).deleted, undefined, 'not deleted');
    });

    test('hosted mode: the Checkout Session is made for the buyer’s Customer with saved cards on', async () => {
      const me = await signInAs(ids[1]!, who());
      const tee = await makeTee(seller);
      const made = await create(me, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
        email: `${who()}@example.com`,
        paymentMode: 'hosted',
        returnUrl: 'https://blog.example/posts/1',
      });
      personal.add(made.body.email);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.payment.provider, 'redirect');
      const session = [...fake.checkoutSessions.values()].find(
        (s) => s.metadata.checkout_id === made.body.id,
      );
      assert.equal(session.customer, await customerOf(me.buyerId));
      assert.equal(session.customer_email, null, 'Stripe takes the Customer’s, not both');
      assert.deepEqual(session.saved_payment_method_options, {
        allow_redisplay_filters: ['always'],
        payment_method_remove: 'enabled',
        payment_method_save: 'enabled',
      });
      assert.equal(made.body.buyer.savedAddressId, null);
    });
  });
}
