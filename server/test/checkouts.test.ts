import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { canonicalJson, sha256 } from '../src/util.ts';
import {
  ADDRESS_FR,
  ADDRESS_US,
  buyer,
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`checkouts (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    before(async () => {
      server = await startTestServer(name);
      seller = await makeSeller(server);
    });
    after(() => server?.close());

    const variantStock = async (productId: string, variantId: string) => {
      const res = await seller.api('GET', `/seller/products/${productId}`);
      const v = res.body.variants.find((x: { id: string }) => x.id === variantId);
      return { stock: v.stock, reserved: v.reserved };
    };

    test('creating a checkout reserves stock and prices on the server', async () => {
      const tee = await makeTee(seller, { stock: 10, price: 2500 });
      const res = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 2,
        postRef: 'post-42',
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.status, 'open');
      assert.equal(res.body.quantity, 2);
      assert.deepEqual(res.body.totals.subtotal, { amount: 5000, currency: 'USD' });
      assert.equal(res.body.totals.shipping, null, 'no address yet: shipping unknown');
      assert.deepEqual(res.body.totals.total, { amount: 5000, currency: 'USD' });
      assert.equal(res.body.readyToPay, false);
      assert.deepEqual(res.body.payment, { provider: 'test' });
      assert.match(res.body.clientToken, /^ct_/);
      assert.equal(res.body.postRef, 'post-42');
      assert.deepEqual(await variantStock(tee.id, tee.medium), { stock: 10, reserved: 2 });
    });

    test('amounts past 2^31 minor units are exact, as numbers, through to the order', async () => {
      const tee = await makeTee(seller, { stock: 5, price: 3_000_000_000 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 3,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201);
      const { subtotal, shipping, total } = created.body.totals;
      assert.deepEqual(subtotal, { amount: 9_000_000_000, currency: 'USD' });
      assert.equal(typeof total.amount, 'number');
      assert.equal(total.amount, 9_000_000_000 + shipping.amount);
      const paid = await buyer(server.url, created.body.clientToken)(
        'POST',
        `/checkouts/${created.body.id}/confirm`,
        { payment: { provider: 'test', card: '4242424242424242' } },
      );
      assert.equal(paid.status, 200);
      const orders = await seller.api('GET', `/seller/orders?productId=${tee.id}`);
      assert.equal(orders.body.orders[0].total.amount, total.amount);
    });

    test('a total past what Money carries (10^10 minor units) is refused, on creation and on change', async () => {
      const tee = await makeTee(seller, { stock: 5, price: 3_000_000_000 });
      const body = { productId: tee.id, variantId: tee.small, shippingAddress: ADDRESS_US };
      const tooMuch = await createCheckout(server.url, { ...body, quantity: 4 });
      assert.equal(tooMuch.status, 422);
      assert.equal(tooMuch.body.code, 'validation_failed');
      assert.equal(tooMuch.body.errors[0].field, 'quantity');
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 0 });

      const created = await createCheckout(server.url, { ...body, quantity: 3 });
      assert.equal(created.status, 201);
      const api = buyer(server.url, created.body.clientToken);
      const more = await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 4 });
      assert.equal(more.status, 422);
      assert.equal(more.body.errors[0].field, 'quantity');
      const read = await api('GET', `/checkouts/${created.body.id}`);
      assert.equal(read.body.quantity, 3, 'the checkout is as it was');
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 3 });
    });

    test('the client cannot set the price: unknown fields are refused', async () => {
      const tee = await makeTee(seller);
      const res = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        price: 1,
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.code, 'validation_failed');
    });

    test('shipping zone, free-shipping threshold and tax follow the address and quantity', async () => {
      const tee = await makeTee(seller, { stock: 50, price: 2000 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      assert.equal(created.status, 201);
      // US: $5 flat, no tax
      assert.deepEqual(created.body.totals, {
        subtotal: { amount: 2000, currency: 'USD' },
        shipping: { amount: 500, currency: 'USD' },
        tax: { amount: 0, currency: 'USD' },
        total: { amount: 2500, currency: 'USD' },
      });
      const api = buyer(server.url, created.body.clientToken);
      // 3 × $20 = $60 ≥ $50 threshold: free shipping
      const more = await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 3 });
      assert.equal(more.status, 200);
      assert.equal(more.body.totals.shipping.amount, 0);
      assert.equal(more.body.totals.total.amount, 6000);
      // France: $15 flat and 20 % tax on goods + shipping
      const fr = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingAddress: ADDRESS_FR,
      });
      assert.equal(fr.status, 200);
      assert.equal(fr.body.totals.shipping.amount, 1500);
      assert.equal(fr.body.totals.tax.amount, 1500); // 20 % of 7500
      assert.equal(fr.body.totals.total.amount, 9000);
      assert.equal(fr.body.readyToPay, true);
      // a country the seller does not ship to: refused, nothing changed
      const jp = await api('PATCH', `/checkouts/${created.body.id}`, {
        shippingAddress: { ...ADDRESS_FR, country: 'JP' },
      });
      assert.equal(jp.status, 422);
      assert.equal(jp.body.code, 'does_not_ship');
      const read = await api('GET', `/checkouts/${created.body.id}`);
      assert.equal(read.body.shippingAddress.country, 'FR');
      assert.equal(read.body.totals.total.amount, 9000);
    });

    test('quantity and variant changes move the reservation', async () => {
      const tee = await makeTee(seller, { stock: 5 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 2,
      });
      const api = buyer(server.url, created.body.clientToken);
      assert.equal(
        (await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 4 })).status,
        200,
      );
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 4 });
      const tooMany = await api('PATCH', `/checkouts/${created.body.id}`, { quantity: 6 });
      assert.equal(tooMany.status, 409);
      assert.equal(tooMany.body.code, 'out_of_stock');
      assert.equal(tooMany.body.available, 1);
      assert.deepEqual(
        await variantStock(tee.id, tee.small),
        { stock: 5, reserved: 4 },
        'a refused change holds nothing more',
      );
      assert.equal(
        (
          await api('PATCH', `/checkouts/${created.body.id}`, {
            variantId: tee.medium,
            quantity: 1,
          })
        ).status,
        200,
      );
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 0 });
      assert.deepEqual(await variantStock(tee.id, tee.medium), { stock: 5, reserved: 1 });
    });

    test('paying with the test card makes an order and commits the stock', async () => {
      const tee = await makeTee(seller, { stock: 5 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.medium,
        quantity: 2,
        email: 'ada@example.com',
        shippingAddress: ADDRESS_US,
      });
      const api = buyer(server.url, created.body.clientToken);
      const paid = await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4242 4242 4242 4242' },
      });
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      assert.equal(paid.body.status, 'paid');
      assert.match(paid.body.order.number, /^BIP-[2-9A-Z]{7}$/);
      assert.equal(paid.body.order.downloadUrl, null);
      assert.deepEqual(await variantStock(tee.id, tee.medium), { stock: 3, reserved: 0 });
      const orders = await seller.api('GET', `/seller/orders?productId=${tee.id}`);
      assert.equal(orders.body.orders.length, 1);
      const order = orders.body.orders[0];
      assert.equal(order.number, paid.body.order.number);
      assert.equal(order.total.amount, 5000, '$50 reaches the free-shipping threshold');
      assert.equal(order.email, null, 'no consent, no email for the seller');
      assert.equal(order.shippingAddress.city, 'Springfield');
      // paying twice does nothing more
      const again = await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4242424242424242' },
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'checkout_not_open');
      assert.equal(again.body.status, 409, 'problem+json status stays the HTTP status');
      assert.equal(again.body.checkoutStatus, 'paid');
      assert.deepEqual(await variantStock(tee.id, tee.medium), { stock: 3, reserved: 0 });
    });

    test('the seller sees the email only when the buyer shares it', async () => {
      const tee = await makeTee(seller);
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        email: 'share@example.com',
        shareEmail: true,
        shippingAddress: ADDRESS_US,
      });
      const api = buyer(server.url, created.body.clientToken);
      await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4242424242424242' },
      });
      const orders = await seller.api('GET', `/seller/orders?productId=${tee.id}`);
      assert.equal(orders.body.orders[0].email, 'share@example.com');
    });

    test('a declined card leaves the checkout open to try again', async () => {
      const tee = await makeTee(seller, { stock: 3 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      const api = buyer(server.url, created.body.clientToken);
      const declined = await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4000000000009995' },
      });
      assert.equal(declined.status, 402);
      assert.equal(declined.body.code, 'payment_declined');
      assert.equal(declined.body.declineCode, 'insufficient_funds');
      const read = await api('GET', `/checkouts/${created.body.id}`);
      assert.equal(read.body.status, 'open');
      assert.equal(read.body.lastPaymentError.code, 'insufficient_funds');
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 3, reserved: 1 });
      const ok = await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4242424242424242' },
      });
      assert.equal(ok.body.status, 'paid');
      assert.equal(ok.body.lastPaymentError, null);
    });

    test('a physical order cannot be paid without an address', async () => {
      const tee = await makeTee(seller);
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
      });
      const res = await buyer(server.url, created.body.clientToken)(
        'POST',
        `/checkouts/${created.body.id}/confirm`,
        {
          payment: { provider: 'test', card: '4242424242424242' },
        },
      );
      assert.equal(res.status, 422);
      assert.equal(res.body.errors[0].field, 'shippingAddress');
    });

    test('canceling releases the reservation, and a canceled checkout cannot be paid', async () => {
      const tee = await makeTee(seller, { stock: 2 });
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 2,
        shippingAddress: ADDRESS_US,
      });
      const api = buyer(server.url, created.body.clientToken);
      const canceled = await api('DELETE', `/checkouts/${created.body.id}`);
      assert.equal(canceled.status, 200);
      assert.equal(canceled.body.status, 'canceled');
      assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 2, reserved: 0 });
      const pay = await api('POST', `/checkouts/${created.body.id}/confirm`, {
        payment: { provider: 'test', card: '4242424242424242' },
      });
      assert.equal(pay.status, 409);
    });

    test('a checkout is readable only with its client token', async () => {
      const tee = await makeTee(seller);
      const created = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
      });
      const anon = client(server.url);
      assert.equal((await anon('GET', `/checkouts/${created.body.id}`)).status, 401);
      const wrong = buyer(server.url, 'ct_wrong');
      const res = await wrong('GET', `/checkouts/${created.body.id}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'not_found');
      assert.equal((await wrong('DELETE', `/checkouts/${created.body.id}`)).status, 404);
      assert.equal(
        (await wrong('PATCH', `/checkouts/${created.body.id}`, { quantity: 2 })).status,
        404,
      );
    });

    describe('idempotency', () => {
      test('same key and same body: the same checkout, one reservation', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const key = newKey();
        const body = { productId: tee.id, variantId: tee.small, quantity: 2 };
        const first = await createCheckout(server.url, body, key);
        const second = await createCheckout(
          server.url,
          { quantity: 2, variantId: tee.small, productId: tee.id },
          key,
        );
        assert.equal(first.status, 201);
        assert.equal(second.status, 201);
        assert.equal(second.body.id, first.body.id);
        assert.equal(second.body.clientToken, first.body.clientToken);
        assert.equal(second.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 2 });
      });

      test('same key and another body: 422, nothing written', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const key = newKey();
        await createCheckout(
          server.url,
          { productId: tee.id, variantId: tee.small, quantity: 1 },
          key,
        );
        const other = await createCheckout(
          server.url,
          { productId: tee.id, variantId: tee.small, quantity: 3 },
          key,
        );
        assert.equal(other.status, 422);
        assert.equal(other.body.code, 'idempotency_conflict');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 1 });
      });

      test('a double click (two concurrent requests, one key) makes one checkout', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const key = newKey();
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const results = await Promise.all([
          createCheckout(server.url, body, key),
          createCheckout(server.url, body, key),
        ]);
        const statuses = results.map((r) => r.status).sort();
        assert.ok(
          (statuses[0] === 201 && statuses[1] === 201) ||
            (statuses[0] === 201 && statuses[1] === 409),
          `got ${statuses}`,
        );
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 1 });
      });

      test('a repeat whose first took the last unit is answered as the first was, not sold out', async () => {
        const tee = await makeTee(seller, { stock: 1 });
        const key = newKey();
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const first = await createCheckout(server.url, body, key);
        assert.equal(first.status, 201);
        // Its answer was lost on the way; the retry finds no unit left to hold, and the key taken.
        const retry = await createCheckout(server.url, body, key);
        assert.equal(retry.status, 201, JSON.stringify(retry.body));
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.equal(retry.body.id, first.body.id);
        assert.equal(retry.body.clientToken, first.body.clientToken);
        // Another key is refused: sold out.
        const other = await createCheckout(server.url, body);
        assert.equal(other.status, 409);
        assert.equal(other.body.code, 'out_of_stock');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 1, reserved: 1 });
      });

      test('a refusal is kept under its key: the same request, once it would succeed, is refused again', async () => {
        const tee = await makeTee(seller, { stock: 1 });
        const key = newKey();
        const taken = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
        });
        assert.equal(taken.status, 201);
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const refused = await createCheckout(server.url, body, key);
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'out_of_stock');
        // The unit comes back; the key still answers what it answered.
        const cancel = await buyer(server.url, taken.body.clientToken)(
          'DELETE',
          `/checkouts/${taken.body.id}`,
        );
        assert.equal(cancel.status, 200);
        const again = await createCheckout(server.url, body, key);
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'out_of_stock');
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 1, reserved: 0 });
      });

      test('a key held by a request still running is answered 409; one held by a request that died a minute ago is taken over', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const db = server.app.db.kysely;
        // What a create leaves while its payment is being set up at the provider (or, if its
        // process died there, for good): the key, held, with no answer.
        const hold = async (key: string, request: object, ageMs: number) => {
          const at = new Date(Date.now() - ageMs).toISOString();
          await db
            .insertInto('idempotency_keys')
            .values({
              scope: 'POST /checkouts',
              key,
              request_hash: sha256(canonicalJson(request)),
              response_status: null,
              response_body: null,
              locked_at: at,
              created_at: at,
            })
            .execute();
        };
        const running = newKey();
        await hold(running, body, 1_000);
        const busy = await createCheckout(server.url, body, running);
        assert.equal(busy.status, 409);
        assert.equal(busy.body.code, 'idempotency_in_progress');
        assert.equal(busy.headers.get('retry-after'), '1');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 0 });

        const died = newKey();
        await hold(died, body, 61_000);
        const retried = await createCheckout(server.url, body, died);
        assert.equal(retried.status, 201, JSON.stringify(retried.body));
        assert.notEqual(retried.headers.get('idempotent-replayed'), 'true');
        const replay = await createCheckout(server.url, body, died);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.equal(replay.body.id, retried.body.id);

        // Held for another request, dead or alive: that key is not this request's.
        const otherDied = newKey();
        await hold(otherDied, { ...body, quantity: 2 }, 61_000);
        const conflict = await createCheckout(server.url, body, otherDied);
        assert.equal(conflict.status, 422);
        assert.equal(conflict.body.code, 'idempotency_conflict');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 1 });
      });

      test('the answer is stored with the checkout: when it cannot be, nothing is written and the key runs again', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const key = newKey();
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const db = server.app.db.kysely;
        // Storing this key's answer fails (a full disk, a lost connection, at that very write),
        // whether the answer is written with the key or after it.
        if (name === 'sqlite')
          for (const [trigger, event] of [
            ['answer_fails', 'INSERT'],
            ['answer_update_fails', 'UPDATE OF response_status'],
          ] as const)
            await sql`CREATE TRIGGER ${sql.raw(trigger)} BEFORE ${sql.raw(event)} ON idempotency_keys
              WHEN NEW.key = ${sql.lit(key)} AND NEW.response_status IS NOT NULL
              BEGIN SELECT RAISE(ABORT, 'answer lost'); END`.execute(db);
        else {
          await sql`CREATE FUNCTION answer_fails() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'answer lost'; END $$`.execute(db);
          await sql`CREATE TRIGGER answer_fails
            BEFORE INSERT OR UPDATE OF response_status ON idempotency_keys FOR EACH ROW
            WHEN (NEW.key = ${sql.lit(key)} AND NEW.response_status IS NOT NULL)
            EXECUTE FUNCTION answer_fails()`.execute(db);
        }
        const lost = await createCheckout(server.url, body, key);
        if (name === 'sqlite') {
          await sql`DROP TRIGGER answer_fails`.execute(db);
          await sql`DROP TRIGGER answer_update_fails`.execute(db);
        } else {
          await sql`DROP TRIGGER answer_fails ON idempotency_keys`.execute(db);
          await sql`DROP FUNCTION answer_fails()`.execute(db);
        }
        assert.equal(lost.status, 500);
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 0 });
        const made = await db
          .selectFrom('checkouts')
          .select('id')
          .where('product_id', '=', tee.id)
          .execute();
        assert.equal(made.length, 0, 'a checkout without its answer would be made again');

        const again = await createCheckout(server.url, body, key);
        assert.equal(again.status, 201);
        assert.notEqual(again.headers.get('idempotent-replayed'), 'true');
        const replay = await createCheckout(server.url, body, key);
        assert.equal(replay.body.id, again.body.id);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(await variantStock(tee.id, tee.small), { stock: 5, reserved: 1 });
      });

      test('creating without a key is refused', async () => {
        const tee = await makeTee(seller);
        const res = await client(server.url)('POST', '/checkouts', {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
        });
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'idempotency_key_required');
      });

      test('a repeated confirm with the same key replays the answer, one order', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        const created = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
        });
        const api = buyer(server.url, created.body.clientToken);
        const key = newKey();
        const pay = { payment: { provider: 'test', card: '4242424242424242' } };
        const a = await api('POST', `/checkouts/${created.body.id}/confirm`, pay, {
          'Idempotency-Key': key,
        });
        const b = await api('POST', `/checkouts/${created.body.id}/confirm`, pay, {
          'Idempotency-Key': key,
        });
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
        assert.equal(b.body.order.number, a.body.order.number);
        const orders = await seller.api('GET', `/seller/orders?productId=${tee.id}`);
        assert.equal(orders.body.orders.length, 1);
      });
    });
  });
}
