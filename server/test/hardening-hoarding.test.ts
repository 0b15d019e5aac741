// Issue 12, defect 3: one address, five requests, held every unit of a product for 15 minutes,
// renewable forever — the limit counted requests, not units; a change (PATCH) was not limited at
// all; and the limit lived in each process's memory, so N processes sharing a PostgreSQL database
// allowed N times as much. The defences: what one client holds is bounded in the database (units
// of a variant, open holds), inside the transaction that takes the units (a lock per client on
// PostgreSQL, SQLite's single writer), so the bounds hold across processes and under concurrency;
// a seller may cap the units of a product one checkout (and one client) may hold; creations and
// changes are rate limited per client with counters in the database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Clock } from '../src/util.ts';
import {
  ADDRESS_US,
  client,
  dialects,
  freshDatabaseUrl,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

let ipSeq = 0;
/** A client address of its own (trusted X-Forwarded-For), so tests share no counters. */
const freshIp = () => `203.0.113.${(ipSeq++ % 250) + 1}`;

/** The bounds under test, with the rest generous (the helper's defaults are for other tests). */
function limits(extra: Record<string, string> = {}) {
  return {
    BIP_TRUST_PROXY: 'true',
    BIP_CLIENT_MAX_HOLDS: '100',
    BIP_CLIENT_MAX_UNITS: '100',
    BIP_CHECKOUT_RATE_LIMIT: '1000',
    BIP_CHECKOUT_CHANGE_RATE_LIMIT: '1000',
    ...extra,
  };
}

/**
 * Real time, set back so that it starts a second into a minute: a test of the one-minute rate
 * limits (a few seconds long) cannot see its window end halfway, which would let a burst through.
 */
function minuteAlignedClock(): Clock {
  const began = Date.now();
  const start = Math.floor(began / 60_000) * 60_000 + 1_000;
  return { now: () => new Date(start + (Date.now() - began)) };
}

/** A buyer at one address, on one server or spread over several. */
function from(ip: string, ...servers: TestServer[]) {
  let turn = 0;
  const api = () => client(servers[turn++ % servers.length]!.url, { 'X-Forwarded-For': ip });
  return {
    create: (body: Record<string, unknown>, key = newKey()) =>
      api()(
        'POST',
        '/checkouts',
        { shippingAddress: ADDRESS_US, ...body },
        { 'Idempotency-Key': key },
      ),
    change: (id: string, token: string, body: Record<string, unknown>) =>
      api()('PATCH', `/checkouts/${id}`, body, { Authorization: `Bearer ${token}` }),
    cancel: (id: string, token: string) =>
      api()('DELETE', `/checkouts/${id}`, undefined, {
        Authorization: `Bearer ${token}`,
        'Idempotency-Key': newKey(),
      }),
  };
}

async function reserved(server: TestServer, variantId: string) {
  const v = await server.app.db.kysely
    .selectFrom('variants')
    .select('reserved')
    .where('id', '=', variantId)
    .executeTakeFirstOrThrow();
  return v.reserved;
}

for (const { name, skip } of dialects()) {
  describe(`stock hoarding (${name})`, { skip }, () => {
    test('one client holds at most BIP_CLIENT_MAX_UNITS units of a variant; others still can buy', async (t) => {
      const server = await startTestServer(name, limits({ BIP_CLIENT_MAX_UNITS: '4' }));
      t.after(() => server.close());
      const tee = await makeTee(await makeSeller(server), { stock: 50 });
      const hoarder = from(freshIp(), server);

      const first = await hoarder.create({ productId: tee.id, variantId: tee.small, quantity: 3 });
      assert.equal(first.status, 201);
      const more = await hoarder.create({ productId: tee.id, variantId: tee.small, quantity: 2 });
      assert.equal(more.status, 429, JSON.stringify(more.body));
      assert.equal(more.body.code, 'rate_limited');
      assert.ok(Number(more.headers.get('retry-after')) > 0);
      const raised = await hoarder.change(first.body.id, first.body.clientToken, { quantity: 5 });
      assert.equal(raised.status, 429, 'a change cannot raise it past the bound either');
      // Up to the bound, and on another variant, it may.
      assert.equal(
        (await hoarder.create({ productId: tee.id, variantId: tee.small, quantity: 1 })).status,
        201,
      );
      assert.equal(
        (await hoarder.create({ productId: tee.id, variantId: tee.medium, quantity: 4 })).status,
        201,
      );
      const other = from(freshIp(), server);
      assert.equal(
        (await other.create({ productId: tee.id, variantId: tee.small, quantity: 4 })).status,
        201,
      );
      assert.equal(await reserved(server, tee.small), 8, 'refused requests hold nothing');
    });

    test('one client has at most BIP_CLIENT_MAX_HOLDS open checkouts; a cancel frees one', async (t) => {
      const server = await startTestServer(name, limits({ BIP_CLIENT_MAX_HOLDS: '3' }));
      t.after(() => server.close());
      const tee = await makeTee(await makeSeller(server), { stock: 50 });
      const hoarder = from(freshIp(), server);
      const made = [];
      const third = newKey();
      for (const key of [newKey(), newKey(), third]) {
        const res = await hoarder.create(
          { productId: tee.id, variantId: tee.small, quantity: 1 },
          key,
        );
        assert.equal(res.status, 201);
        made.push(res.body);
      }
      // The third's answer lost on the way, its retry — a fourth hold, were it new — is answered
      // as the third was.
      const retried = await hoarder.create(
        { productId: tee.id, variantId: tee.small, quantity: 1 },
        third,
      );
      assert.equal(retried.status, 201, JSON.stringify(retried.body));
      assert.equal(retried.headers.get('idempotent-replayed'), 'true');
      assert.equal(retried.body.id, made[2].id);
      const key = newKey();
      const fourth = { productId: tee.id, variantId: tee.medium, quantity: 1 };
      const refused = await hoarder.create(fourth, key);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 'rate_limited');
      assert.equal((await hoarder.cancel(made[0].id, made[0].clientToken)).status, 200);
      // The refusal was not stored under its Idempotency-Key: the same request, retried, runs.
      assert.equal((await hoarder.create(fourth, key)).status, 201);
    });

    test('a seller caps the units per checkout (and per client) of a product; the public view says so', async (t) => {
      const server = await startTestServer(name, limits());
      t.after(() => server.close());
      const seller = await makeSeller(server);
      const made = await seller.api('POST', '/seller/products', {
        title: 'Signed print',
        kind: 'physical',
        maxPerCheckout: 2,
        variants: [{ price: 5000, stock: 40 }],
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.maxPerCheckout, 2);
      const productId = made.body.id;
      const variantId = made.body.variants[0].id;
      const view = await client(server.url)('GET', `/products/${productId}`);
      assert.equal(view.body.variants[0].maxQuantity, 2);

      const buyer = from(freshIp(), server);
      const three = await buyer.create({ productId, variantId, quantity: 3 });
      assert.equal(three.status, 422, JSON.stringify(three.body));
      assert.equal(three.body.code, 'validation_failed');
      assert.deepEqual(
        three.body.errors.map((e: { field: string }) => e.field),
        ['quantity'],
      );
      const two = await buyer.create({ productId, variantId, quantity: 2 });
      assert.equal(two.status, 201);
      assert.equal(
        (await buyer.change(two.body.id, two.body.clientToken, { quantity: 3 })).status,
        422,
      );
      // …and a second checkout from the same client does not get round it.
      assert.equal((await buyer.create({ productId, variantId, quantity: 1 })).status, 429);

      const lifted = await seller.api('PATCH', `/seller/products/${productId}`, {
        maxPerCheckout: null,
      });
      assert.equal(lifted.body.maxPerCheckout, null);
      assert.equal(
        (await buyer.change(two.body.id, two.body.clientToken, { quantity: 3 })).status,
        200,
      );
    });

    test('changes (PATCH) are rate limited per client too', async (t) => {
      const server = await startTestServer(name, limits({ BIP_CHECKOUT_CHANGE_RATE_LIMIT: '3' }), {
        clock: minuteAlignedClock(),
      });
      t.after(() => server.close());
      const tee = await makeTee(await makeSeller(server), { stock: 50 });
      const buyer = from(freshIp(), server);
      const c = await buyer.create({ productId: tee.id, variantId: tee.small, quantity: 1 });
      const statuses = [];
      for (let q = 1; q <= 4; q++)
        statuses.push((await buyer.change(c.body.id, c.body.clientToken, { quantity: q })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      // Another address is not slowed by it.
      const other = from(freshIp(), server);
      assert.equal(
        (await other.change(c.body.id, c.body.clientToken, { quantity: 2 })).status,
        200,
      );
    });

    test('the creation rate limit holds for a burst: each checkout counts in its own transaction, each refusal and replay after it', async (t) => {
      const server = await startTestServer(name, limits({ BIP_CHECKOUT_RATE_LIMIT: '5' }), {
        clock: minuteAlignedClock(),
      });
      t.after(() => server.close());
      const tee = await makeTee(await makeSeller(server), { stock: 100 });
      const count = async () =>
        (
          await server.app.db.kysely
            .selectFrom('rate_limit_counters')
            .select('count')
            .where('bucket', 'like', 'checkout-create:%')
            .execute()
        ).reduce((n, r) => n + r.count, 0);

      // A replay counts too (after the request: it writes nothing).
      const buyer = from(freshIp(), server);
      const key = newKey();
      const first = await buyer.create(
        { productId: tee.id, variantId: tee.small, quantity: 1 },
        key,
      );
      assert.equal(first.status, 201);
      assert.equal(await count(), 1);
      const replay = await buyer.create(
        { productId: tee.id, variantId: tee.small, quantity: 1 },
        key,
      );
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(await count(), 2);
      // Twelve at once: all pass the first look at the window; the take in each checkout's
      // transaction lets three more through, no more.
      const burst = await Promise.all(
        Array.from({ length: 12 }, () =>
          buyer.create({ productId: tee.id, variantId: tee.small, quantity: 1 }),
        ),
      );
      const statuses = burst.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 3, statuses.join(', '));
      assert.ok(burst.every((r) => r.status === 201 || r.body.code === 'rate_limited'));
      assert.equal(await count(), 5);
      assert.equal(await reserved(server, tee.small), 4, 'refused requests hold nothing');
    });

    test('the bounds and rate limits hold across two processes sharing the database, under concurrency', async (t) => {
      const databaseUrl = await freshDatabaseUrl(name);
      const env = limits({
        BIP_CLIENT_MAX_HOLDS: '3',
        BIP_CLIENT_MAX_UNITS: '5',
        BIP_CHECKOUT_RATE_LIMIT: '8',
      });
      const clock = minuteAlignedClock();
      const one = await startTestServer(name, env, { databaseUrl, clock });
      t.after(() => one.close());
      const two = await startTestServer(name, env, { databaseUrl, clock });
      t.after(() => two.close());
      const tee = await makeTee(await makeSeller(one), { stock: 100 });

      // Twelve at once from one address, spread over both processes: three holds at most.
      const hoarder = from(freshIp(), one, two);
      const burst = await Promise.all(
        Array.from({ length: 12 }, () =>
          hoarder.create({ productId: tee.id, variantId: tee.small, quantity: 1 }),
        ),
      );
      const created = burst.filter((r) => r.status === 201).length;
      assert.equal(created, 3, burst.map((r) => `${r.status} ${r.body?.code ?? ''}`).join(', '));
      assert.ok(burst.every((r) => r.status === 201 || r.status === 429));
      assert.equal(await reserved(one, tee.small), 3);

      // Units: two processes, one bound (5) for the client.
      const units = from(freshIp(), one, two);
      const big = await Promise.all([
        units.create({ productId: tee.id, variantId: tee.medium, quantity: 3 }),
        units.create({ productId: tee.id, variantId: tee.medium, quantity: 3 }),
      ]);
      assert.deepEqual(big.map((r) => r.status).sort(), [201, 429]);

      // The creation rate limit (8 a minute) is one count for both processes.
      const busy = from(freshIp(), one, two);
      const statuses = [];
      for (let i = 0; i < 10; i++) {
        const res = await busy.create({
          productId: tee.id,
          variantId: 'no-such-variant',
          quantity: 1,
        });
        statuses.push(res.status);
      }
      assert.equal(statuses.filter((s) => s === 429).length, 2, statuses.join(', '));
    });
  });
}
