import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  capturedLog,
  identities,
  type Receiver,
  type SignedIn,
  webhookReceiver,
} from './helpers/buyer-checkout.ts';
import {
  ADDRESS_FR,
  ADDRESS_US,
  buyer,
  client,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import { type Issuer, type Smtp, startIssuer, startSmtp, walletEnv } from './helpers/wallet.ts';

/**
 * The wallet at the checkout, with the built-in test provider (issue 10, phase 2): the real
 * server over HTTP on SQLite and PostgreSQL, real SMTP for codes and a local JWKS for host
 * tokens. A signed-in buyer's checkout is bound to them, starts from their saved details, and
 * pays with a saved card; nothing of one buyer's wallet reaches another's session; the
 * share-email tick becomes a consent the buyer withdraws in one call, and erasure tells the
 * sellers that saw the email.
 */

function refused(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
}

const VISA = '4242424242424242';
const DECLINED = '4000000000000002';

for (const { name, skip } of dialects()) {
  describe(`wallet at the checkout, test provider (${name})`, { skip }, () => {
    let server: TestServer;
    let smtp: Smtp;
    let host: Issuer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    let hooks: Receiver;
    const captured = capturedLog();
    /** Every email and street line the tests use: none may reach the log. */
    const personal = new Set<string>([ADDRESS_US.line1, ADDRESS_FR.line1]);

    before(async () => {
      smtp = await startSmtp();
      host = await startIssuer();
      server = await startTestServer(
        name,
        walletEnv(smtp, {
          BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [host.issuer]: host.jwksUrl }),
        }),
        { log: captured.log },
      );
      seller = await makeSeller(server, 'Wallet Seller');
      hooks = await webhookReceiver(() => seller.webhookSecret);
      await seller.api('PATCH', '/seller/me', { webhookUrl: hooks.url });
    });
    after(async () => {
      await server?.close();
      await smtp?.close();
      await host?.close();
      await hooks?.close();
      // What the server logged during the whole suite: ids and events, no buyer's details.
      const out = captured.text();
      assert.match(out, /the shipping address is kept in the wallet/, 'the log was captured');
      for (const p of personal) assert.ok(!out.includes(p), `"${p}" reached the log`);
      assert.doesNotMatch(out, /@example\.com/, 'an email reached the log');
    });

    const who = () => `reader-${randomUUID().slice(0, 8)}`;
    const db = () => server.app.db.kysely;
    /** Checkout calls as the element makes them: the client token, and the buyer's session. */
    const asBuyer = (session: SignedIn | null, token?: string) =>
      client(server.url, {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(session ? { 'Buyer-Session': session.token } : {}),
      });
    const create = (session: SignedIn | null, body: Record<string, unknown>, key = newKey()) =>
      asBuyer(session)('POST', '/checkouts', body, { 'Idempotency-Key': key });
    const signInAs = (identity: (typeof ids)[number], person: string) => {
      const s = identity.signIn(server, person);
      void s.then((x) => x.email && personal.add(x.email));
      return s;
    };
    const ids = identities(
      () => smtp,
      () => host,
    );

    for (const identity of ids) {
      test(`a returning buyer (${identity.name}) opens a checkout ready to pay and pays with the saved card in one confirm`, async () => {
        const person = who();
        const tee = await makeTee(seller, { stock: 10, price: 2500 });
        const first = await signInAs(identity, person);

        // First purchase: typed details; the card is saved because the buyer ticks "save".
        const typedEmail = first.email ?? `${person}.typed@example.com`;
        personal.add(typedEmail);
        const made = await create(first, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
          ...(first.email ? {} : { email: typedEmail }),
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        assert.equal(made.body.email, typedEmail);
        assert.deepEqual(made.body.buyer, {
          email: first.email ? `${first.email[0]}•••@example.com` : null,
          addresses: [],
          paymentMethods: [],
          emailSharedWithSeller: false,
          savedAddressId: null,
        });
        const row = await db()
          .selectFrom('checkouts')
          .select(['buyer_id'])
          .where('id', '=', made.body.id)
          .executeTakeFirstOrThrow();
        assert.equal(row.buyer_id, first.buyerId, 'the checkout is bound to the buyer');
        const paidFirst = await asBuyer(first, made.body.clientToken)(
          'POST',
          `/checkouts/${made.body.id}/confirm`,
          { payment: { provider: 'test', card: VISA, saveCard: true } },
          { 'Idempotency-Key': newKey() },
        );
        assert.equal(paidFirst.status, 200, JSON.stringify(paidFirst.body));
        assert.equal(paidFirst.body.status, 'paid');
        const order = await db()
          .selectFrom('orders')
          .selectAll()
          .where('id', '=', paidFirst.body.order.id)
          .executeTakeFirstOrThrow();
        assert.equal(order.buyer_id, first.buyerId, 'the order keeps the buyer');
        assert.equal(order.email, null, 'the seller does not get the email unticked');

        const wallet = (await first.api('GET', '/buyer')).body;
        assert.deepEqual(
          wallet.addresses.map((a: any) => [a.name, a.line1, a.city]),
          [[ADDRESS_US.name, '• Main St', ADDRESS_US.city]],
          'the address is kept, masked',
        );
        assert.deepEqual(
          wallet.paymentMethods.map((m: any) => [m.brand, m.last4]),
          [['visa', '4242']],
        );
        const stored = JSON.stringify(
          await db()
            .selectFrom('buyer_payment_methods')
            .selectAll()
            .where('buyer_id', '=', first.buyerId)
            .execute(),
        );
        assert.ok(!stored.includes(VISA.slice(0, 12)), 'never the number');

        // Returning: a new session (another day, another site) and nothing typed.
        const back = await signInAs(identity, person);
        assert.equal(back.buyerId, first.buyerId, 'the same wallet');
        const ready = await create(back, { productId: tee.id, variantId: tee.medium, quantity: 1 });
        assert.equal(ready.status, 201, JSON.stringify(ready.body));
        assert.equal(ready.body.readyToPay, true, 'ready to pay at once');
        assert.deepEqual(ready.body.shippingAddress, ADDRESS_US);
        assert.equal(ready.body.totals.shipping.amount, 500, 'priced for the saved address');
        assert.equal(ready.body.email, first.email, 'the wallet’s email, when it has one');
        assert.equal(ready.body.buyer.savedAddressId, wallet.addresses[0].id);
        const card = ready.body.buyer.paymentMethods[0];
        assert.equal(card.last4, '4242');

        const paid = await asBuyer(back, ready.body.clientToken)(
          'POST',
          `/checkouts/${ready.body.id}/confirm`,
          { payment: { provider: 'test', savedPaymentMethodId: card.id } },
          { 'Idempotency-Key': newKey() },
        );
        assert.equal(paid.status, 200, JSON.stringify(paid.body));
        assert.equal(paid.body.status, 'paid', 'paid in one confirm');
        assert.match(paid.body.order.number, /^BIP-/);
        const after = (await back.api('GET', '/buyer')).body;
        assert.equal(after.addresses.length, 1, 'the saved address is not saved twice');
        assert.equal(after.paymentMethods.length, 1);
      });
    }

    test('a saved card keeps its test outcome: a saved declining card still declines', async () => {
      const me = await signInAs(ids[0]!, who());
      await server.app.services.wallet.saveTestCard(me.buyerId, DECLINED);
      const tee = await makeTee(seller);
      const made = await create(me, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_FR,
      });
      const [saved] = made.body.buyer.paymentMethods;
      assert.equal(saved.last4, '0002');
      const row = await db()
        .selectFrom('buyer_payment_methods')
        .selectAll()
        .where('id', '=', saved.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.test_outcome, 'card_declined');
      assert.ok(!JSON.stringify(row).includes('400000000000'), 'never the number');
      const declined = await asBuyer(me, made.body.clientToken)(
        'POST',
        `/checkouts/${made.body.id}/confirm`,
        { payment: { provider: 'test', savedPaymentMethodId: saved.id } },
      );
      refused(declined, 402, 'payment_declined');
      assert.equal(declined.body.declineCode, 'card_declined');
      const open = await asBuyer(me, made.body.clientToken)('GET', `/checkouts/${made.body.id}`);
      assert.equal(open.body.status, 'open');
    });

    test("another buyer's session gets nothing of the wallet, and cannot use its saved details", async () => {
      const alice = await signInAs(ids[0]!, who());
      const mallory = await signInAs(ids[1]!, who());
      const wallet = server.app.services.wallet;
      const aliceAddress = await wallet.saveAddress(alice.buyerId, ADDRESS_FR);
      await wallet.saveTestCard(alice.buyerId, VISA);
      const malloryAddress = await wallet.saveAddress(mallory.buyerId, ADDRESS_US);
      const tee = await makeTee(seller);
      const product = { productId: tee.id, variantId: tee.small, quantity: 1 };

      // Alice's saved address by id, from Mallory's session (or none): as if it did not exist.
      const count = async () => (await db().selectFrom('checkouts').select('id').execute()).length;
      const before = await count();
      for (const session of [mallory, null])
        refused(
          await create(session, { ...product, savedAddressId: aliceAddress }),
          404,
          'not_found',
        );
      const res = await create(mallory, { ...product, savedAddressId: aliceAddress });
      assert.deepEqual(
        res.body.errors.map((e: any) => e.field),
        ['savedAddressId'],
      );
      assert.equal(await count(), before, 'no checkout made');

      const made = await create(alice, product);
      assert.equal(made.status, 201);
      const [card] = made.body.buyer.paymentMethods;
      const theirs = asBuyer(mallory, made.body.clientToken);
      const seen = await theirs('GET', `/checkouts/${made.body.id}`);
      assert.equal(seen.status, 200, 'the client token is still the key to the checkout');
      assert.equal(seen.body.buyer, undefined, 'nothing of Alice’s wallet');
      for (const leak of [card.id, aliceAddress])
        assert.ok(!JSON.stringify(seen.body).includes(leak), `${leak} shown to another buyer`);
      const wrongAddress = await theirs('PATCH', `/checkouts/${made.body.id}`, {
        savedAddressId: malloryAddress,
      });
      refused(wrongAddress, 404, 'not_found');
      assert.deepEqual(
        wrongAddress.body.errors.map((e: any) => e.field),
        ['savedAddressId'],
      );
      const wrongCard = await theirs('POST', `/checkouts/${made.body.id}/confirm`, {
        payment: { provider: 'test', savedPaymentMethodId: card.id },
      });
      refused(wrongCard, 404, 'not_found');
      assert.deepEqual(
        wrongCard.body.errors.map((e: any) => e.field),
        ['payment.savedPaymentMethodId'],
      );
      const saving = await theirs('POST', `/checkouts/${made.body.id}/confirm`, {
        payment: { provider: 'test', card: VISA, saveCard: true },
      });
      refused(saving, 422, 'validation_failed');
      const still = await asBuyer(alice, made.body.clientToken)(
        'GET',
        `/checkouts/${made.body.id}`,
      );
      assert.equal(still.body.status, 'open', 'nothing was paid');
      assert.equal(still.body.buyer.paymentMethods[0].id, card.id, 'Alice still sees her wallet');

      // A session that is not (or no longer) valid: 401, so the element carries on as a guest.
      const forged = await client(server.url, { 'Buyer-Session': 'bip_sess_forged' })(
        'POST',
        '/checkouts',
        product,
        { 'Idempotency-Key': newKey() },
      );
      refused(forged, 401, 'unauthorized');
      assert.match(forged.body.detail, /Buyer-Session is not valid/);
      await mallory.api('DELETE', '/buyer/sessions/current');
      refused(await theirs('GET', `/checkouts/${made.body.id}`), 401, 'unauthorized');
    });

    test('a saved address chosen on a change ships there; a typed one replaces it', async () => {
      const me = await signInAs(ids[1]!, who());
      const saved = await server.app.services.wallet.saveAddress(me.buyerId, ADDRESS_FR);
      const tee = await makeTee(seller);
      const made = await create(me, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
        email: `${who()}@example.com`,
      });
      personal.add(made.body.email);
      assert.equal(made.body.buyer.savedAddressId, null, 'a typed address wins over the saved one');
      const api = asBuyer(me, made.body.clientToken);
      const chosen = await api('PATCH', `/checkouts/${made.body.id}`, { savedAddressId: saved });
      assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
      assert.deepEqual(chosen.body.shippingAddress, ADDRESS_FR);
      assert.equal(chosen.body.totals.shipping.amount, 1500, 'priced for France');
      assert.equal(chosen.body.buyer.savedAddressId, saved);
      const typed = await api('PATCH', `/checkouts/${made.body.id}`, {
        shippingAddress: ADDRESS_US,
      });
      assert.equal(typed.body.buyer.savedAddressId, null);
      refused(
        await api('PATCH', `/checkouts/${made.body.id}`, {
          savedAddressId: saved,
          shippingAddress: ADDRESS_US,
        }),
        422,
        'validation_failed',
      );
    });

    test('share-email becomes a consent for that seller only when ticked, withdrawn in one call', async () => {
      const me = await signInAs(ids[0]!, who());
      const tee = await makeTee(seller);
      const buy = async (shareEmail: boolean) => {
        const made = await create(me, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
          shareEmail,
        });
        const paid = await asBuyer(me, made.body.clientToken)(
          'POST',
          `/checkouts/${made.body.id}/confirm`,
          { payment: { provider: 'test', card: VISA } },
        );
        assert.equal(paid.body.status, 'paid', JSON.stringify(paid.body));
        return { made: made.body, paid: paid.body };
      };
      const consents = async () => (await me.api('GET', '/buyer')).body.consents;

      const unticked = await buy(false);
      assert.equal(unticked.made.buyer.emailSharedWithSeller, false);
      assert.deepEqual(await consents(), [], 'nothing recorded unticked');

      const ticked = await buy(true);
      const [consent] = await consents();
      assert.deepEqual(
        { ...consent, grantedAt: typeof consent.grantedAt },
        { sellerId: seller.id, sellerName: 'Wallet Seller', grantedAt: 'string' },
      );
      const order = await seller.api('GET', `/seller/orders/${ticked.paid.order.id}`);
      assert.equal(order.body.email, me.email, 'the seller sees the email it was allowed to');

      const next = await create(me, { productId: tee.id, variantId: tee.small, quantity: 1 });
      assert.equal(next.body.buyer.emailSharedWithSeller, true, 'the previous grant shows');

      assert.equal((await me.api('DELETE', `/buyer/consents/${seller.id}`)).status, 204);
      assert.deepEqual(await consents(), []);
      refused(await me.api('DELETE', `/buyer/consents/${seller.id}`), 404, 'not_found');
      const later = await asBuyer(me, next.body.clientToken)('GET', `/checkouts/${next.body.id}`);
      assert.equal(later.body.buyer.emailSharedWithSeller, false);
    });

    test('erasure sends a signed buyer.erased to the sellers that saw the email, naming the orders', async () => {
      const me = await signInAs(ids[0]!, who());
      const other = await makeSeller(server, 'Never Told');
      const otherHooks = await webhookReceiver(() => other.webhookSecret);
      try {
        await other.api('PATCH', '/seller/me', { webhookUrl: otherHooks.url });
        const pay = async (s: typeof seller, shareEmail: boolean) => {
          const tee = await makeTee(s);
          const made = await create(me, {
            productId: tee.id,
            variantId: tee.small,
            quantity: 1,
            shippingAddress: ADDRESS_US,
            shareEmail,
          });
          const paid = await asBuyer(me, made.body.clientToken)(
            'POST',
            `/checkouts/${made.body.id}/confirm`,
            { payment: { provider: 'test', card: VISA } },
          );
          const { id, number } = paid.body.order as { id: string; number: string };
          return { id, number };
        };
        const shared = await pay(seller, true);
        await pay(other, false);
        // Withdrawn later: the seller received the email all the same, and is told.
        await pay(seller, false);
        await me.api('DELETE', `/buyer/consents/${seller.id}`);

        assert.equal((await me.api('DELETE', '/buyer')).status, 204);
        const erased = await hooks.next('buyer.erased');
        assert.ok(erased.verified, 'signed with the seller’s secret');
        assert.deepEqual(erased.event.data, { orders: [shared] });
        assert.ok(!erased.body.includes('@'), 'no email in it');
        const queued = await db()
          .selectFrom('outbox_events')
          .select('type')
          .where('seller_id', '=', other.id)
          .execute();
        assert.ok(
          !queued.some((e) => e.type === 'buyer.erased'),
          'a seller never shown the email hears nothing',
        );
        const left = await db()
          .selectFrom('buyer_consents')
          .selectAll()
          .where('buyer_id', '=', me.buyerId)
          .execute();
        assert.deepEqual(left, []);
      } finally {
        await otherHooks.close();
      }
    });

    test('a page on an allowed site may send Buyer-Session (CORS preflight)', async () => {
      const res = await fetch(`${server.url}/v1/checkouts/chk_x/confirm`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://blog.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers':
            'authorization,buyer-session,content-type,idempotency-key',
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://blog.example');
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /Buyer-Session/);
    });

    test('erasure empties the buyer’s checkouts that ended unpaid; paid ones keep their record', async () => {
      const me = await signInAs(ids[0]!, who());
      const tee = await makeTee(seller);
      const product = {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      };
      const dropped = await create(me, product);
      await asBuyer(me, dropped.body.clientToken)('DELETE', `/checkouts/${dropped.body.id}`);
      const bought = await create(me, product);
      await asBuyer(me, bought.body.clientToken)('POST', `/checkouts/${bought.body.id}/confirm`, {
        payment: { provider: 'test', card: VISA },
      });
      assert.equal((await me.api('DELETE', '/buyer')).status, 204);
      const rows = await db()
        .selectFrom('checkouts')
        .select(['id', 'status', 'email', 'shipping_address', 'buyer_id'])
        .where('id', 'in', [dropped.body.id, bought.body.id])
        .orderBy('status')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.status, r.email === null, r.shipping_address === null, r.buyer_id]),
        [
          ['canceled', true, true, null],
          ['paid', false, false, null],
        ],
      );
    });

    test('a digital product: the wallet’s email, no address, paid with a saved card', async () => {
      const me = await signInAs(ids[0]!, who());
      await server.app.services.wallet.saveAddress(me.buyerId, ADDRESS_US);
      await server.app.services.wallet.saveTestCard(me.buyerId, VISA);
      const res = await seller.api('POST', '/seller/products', {
        title: 'Zine (PDF)',
        kind: 'digital',
        variants: [{ price: 500, stock: null }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const made = await create(me, {
        productId: res.body.id,
        variantId: res.body.variants[0].id,
        quantity: 1,
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.shippingAddress, null);
      assert.equal(made.body.email, me.email);
      assert.equal(made.body.readyToPay, true);
      const paid = await buyer(server.url, made.body.clientToken)(
        'POST',
        `/checkouts/${made.body.id}/confirm`,
        {
          payment: { provider: 'test', savedPaymentMethodId: made.body.buyer.paymentMethods[0].id },
        },
        { 'Buyer-Session': me.token },
      );
      assert.equal(paid.body.status, 'paid', JSON.stringify(paid.body));
    });
  });
}
