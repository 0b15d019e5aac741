import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../src/util.ts';
import { startChildServer, waitFor } from './helpers/processes.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  freshDatabaseUrl,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/** 200 buyers at once for 5 units: the database, not luck, decides who gets one. */
async function stampede(urls: string[], productId: string, variantId: string, n = 200) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      createCheckout(urls[i % urls.length]!, { productId, variantId, quantity: 1 }),
    ),
  );
  const count = (s: number) => results.filter((r) => r.status === s).length;
  return {
    created: count(201),
    outOfStock: results.filter((r) => r.status === 409 && r.body.code === 'out_of_stock').length,
    results,
  };
}

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  private t = Date.now();
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

for (const { name, skip } of dialects()) {
  describe(`stock (${name})`, { skip }, () => {
    test('200 concurrent checkouts for 5 units: exactly 5 reservations', async () => {
      const server = await startTestServer(name);
      try {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller, { stock: 5 });
        const { created, outOfStock } = await stampede([server.url], tee.id, tee.small);
        assert.equal(created, 5);
        assert.equal(outOfStock, 195);
        const v = await server.app.db.kysely
          .selectFrom('variants')
          .selectAll()
          .where('id', '=', tee.small)
          .executeTakeFirstOrThrow();
        assert.equal(v.reserved, 5);
        const open = await server.app.db.kysely
          .selectFrom('checkouts')
          .select('id')
          .where('variant_id', '=', tee.small)
          .execute();
        assert.equal(open.length, 5, 'no checkout row for a refused buyer');
      } finally {
        await server.close();
      }
    });

    test('two server processes sharing the database: still exactly 5', async () => {
      const databaseUrl = await freshDatabaseUrl(name);
      // This process makes the schema and the catalogue; two children take the load.
      const setup = await startTestServer(name, {}, { databaseUrl });
      const seller = await makeSeller(setup);
      const tee = await makeTee(seller, { stock: 5 });
      await setup.close();
      const a = await startChildServer(databaseUrl);
      const b = await startChildServer(databaseUrl);
      try {
        const { created, outOfStock, results } = await stampede([a.url, b.url], tee.id, tee.small);
        assert.equal(created, 5, `statuses: ${[...new Set(results.map((r) => r.status))]}`);
        assert.equal(outOfStock, 195);
        const check = await startTestServer(name, {}, { databaseUrl });
        const v = await check.app.db.kysely
          .selectFrom('variants')
          .selectAll()
          .where('id', '=', tee.small)
          .executeTakeFirstOrThrow();
        await check.close();
        assert.equal(v.reserved, 5);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });

    describe('reservation expiry', () => {
      let server: TestServer;
      let clock: ManualClock;
      let seller: Awaited<ReturnType<typeof makeSeller>>;
      before(async () => {
        clock = new ManualClock();
        server = await startTestServer(name, { BIP_RESERVATION_SECONDS: '600' }, { clock });
        seller = await makeSeller(server);
      });
      after(() => server?.close());

      const reserved = async (variantId: string) =>
        (
          await server.app.db.kysely
            .selectFrom('variants')
            .select('reserved')
            .where('id', '=', variantId)
            .executeTakeFirstOrThrow()
        ).reserved;

      test('an expired reservation frees its units for the next buyer', async () => {
        const tee = await makeTee(seller, { stock: 1 });
        const first = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
        });
        assert.equal(first.status, 201);
        assert.equal(
          (
            await createCheckout(server.url, {
              productId: tee.id,
              variantId: tee.small,
              quantity: 1,
            })
          ).status,
          409,
        );
        clock.advance(601_000);
        const second = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
        });
        assert.equal(second.status, 201, 'the lapsed reservation was released');
        assert.equal(await reserved(tee.small), 1);
        const old = await buyer(server.url, first.body.clientToken)(
          'GET',
          `/checkouts/${first.body.id}`,
        );
        assert.equal(old.body.status, 'expired');
      });

      test('an expired checkout cannot be confirmed or changed', async () => {
        const tee = await makeTee(seller, { stock: 3 });
        const c = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 2,
          shippingAddress: ADDRESS_US,
        });
        const api = buyer(server.url, c.body.clientToken);
        clock.advance(601_000);
        const pay = await api('POST', `/checkouts/${c.body.id}/confirm`, {
          payment: { provider: 'test', card: '4242424242424242' },
        });
        assert.equal(pay.status, 410);
        assert.equal(pay.body.code, 'checkout_expired');
        const patch = await api('PATCH', `/checkouts/${c.body.id}`, { quantity: 1 });
        assert.equal(patch.status, 410);
        assert.equal(await reserved(tee.small), 0);
        const orders = await seller.api('GET', `/seller/orders?productId=${tee.id}`);
        assert.equal(orders.body.orders.length, 0);
      });

      test('the sweeper releases lapsed reservations with nobody asking', async () => {
        const tee = await makeTee(seller, { stock: 4 });
        await createCheckout(server.url, { productId: tee.id, variantId: tee.medium, quantity: 3 });
        assert.equal(await reserved(tee.medium), 3);
        clock.advance(601_000);
        const released = await server.app.services.checkouts.releaseExpired();
        assert.ok(released >= 1);
        assert.equal(await reserved(tee.medium), 0);
      });
    });

    test('the periodic sweeper runs on its own', async () => {
      const clock = new ManualClock();
      const server = await startTestServer(
        name,
        { BIP_RESERVATION_SECONDS: '60', BIP_SWEEP_INTERVAL_MS: '20' },
        { clock },
      );
      try {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller, { stock: 2 });
        await createCheckout(server.url, { productId: tee.id, variantId: tee.small, quantity: 2 });
        clock.advance(61_000);
        await waitFor(
          async () => {
            const v = await server.app.db.kysely
              .selectFrom('variants')
              .select('reserved')
              .where('id', '=', tee.small)
              .executeTakeFirstOrThrow();
            return v.reserved === 0;
          },
          5_000,
          'the sweeper to release the reservation',
        );
      } finally {
        await server.close();
      }
    });
  });
}
