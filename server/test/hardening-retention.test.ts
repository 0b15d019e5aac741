// Issue 12, "Retention": the stored answer to `POST /v1/checkouts` held the checkout's client
// token — the key to reading, changing and cancelling it — in clear, with the buyer's email and
// address, and checkouts nobody paid kept the buyer's details forever. The defences: idempotency
// answers are sealed (AES-256-GCM under a key derived from the server's secret, bound to their
// scope and key) and forgotten after 24 hours; the sweeper forgets the personal data of closed
// checkouts after BIP_CHECKOUT_RETENTION_DAYS (30 by default), and the payload of webhook events
// delivered (or given up) as long ago. docs/security.md has the table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from './helpers/clock.ts';
import { openDbReader } from './helpers/invariants.ts';
import {
  ADDRESS_US,
  buyer,
  client,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
} from './helpers/server.ts';

const DAY = 24 * 3600_000;
const EMAIL = 'ada.reader@example.com';
const PERSONAL = [
  'email',
  'shipping_address',
  'shipping_preview',
  'post_ref',
  'return_url',
  'client_key',
  'payment_secret',
  'last_payment_error',
] as const;

for (const { name, skip } of dialects()) {
  describe(`retention (${name})`, { skip }, () => {
    test('a stored idempotency answer holds no client token, email or address in clear — and a replay still works', async (t) => {
      const server = await startTestServer(name);
      t.after(() => server.close());
      const db = await openDbReader(server.databaseUrl);
      t.after(() => db.close());
      const tee = await makeTee(await makeSeller(server));
      const key = newKey();
      const body = {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        email: EMAIL,
        shippingAddress: ADDRESS_US,
      };
      const first = await client(server.url)('POST', '/checkouts', body, {
        'Idempotency-Key': key,
      });
      assert.equal(first.status, 201);
      const token: string = first.body.clientToken;

      const stored = await db.all<{ response_body: string }>(
        'SELECT response_body FROM idempotency_keys',
      );
      assert.ok(stored.length > 0);
      for (const { response_body } of stored) {
        assert.ok(!response_body.includes(token), 'the client token is stored in clear');
        assert.ok(!response_body.includes(EMAIL), 'the email is stored in clear');
        assert.ok(!response_body.includes(ADDRESS_US.line1), 'the address is stored in clear');
      }

      const replay = await client(server.url)('POST', '/checkouts', body, {
        'Idempotency-Key': key,
      });
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.id, first.body.id);
      assert.equal(replay.body.clientToken, token, 'the replay hands back the same token');
      const read = await buyer(server.url, replay.body.clientToken)(
        'GET',
        `/checkouts/${first.body.id}`,
      );
      assert.equal(read.status, 200);
    });

    test('an answer stored before sealing (plain JSON) still replays', async (t) => {
      const server = await startTestServer(name);
      t.after(() => server.close());
      const db = await openDbReader(server.databaseUrl);
      t.after(() => db.close());
      const key = newKey();
      const request = { productId: 'x', variantId: 'y', quantity: 1 };
      const { canonicalJson, sha256 } = await import('../src/util.ts');
      const now = new Date().toISOString();
      await db.all(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, locked_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          'POST /checkouts',
          key,
          sha256(canonicalJson(request)),
          404,
          JSON.stringify({
            type: 'about:blank',
            title: 'Not found',
            status: 404,
            code: 'not_found',
          }),
          now,
          now,
        ],
      );
      const res = await client(server.url)('POST', '/checkouts', request, {
        'Idempotency-Key': key,
      });
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'not_found');
      assert.equal(res.headers.get('idempotent-replayed'), 'true');
    });

    test('the sweeper forgets closed checkouts’ personal data after the retention period, and old answers', async (t) => {
      const clock = new ManualClock();
      const server = await startTestServer(name, { BIP_CHECKOUT_RETENTION_DAYS: '10' }, { clock });
      t.after(() => server.close());
      const db = await openDbReader(server.databaseUrl);
      t.after(() => db.close());
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 20 });
      const start = async () => {
        const res = await client(server.url)(
          'POST',
          '/checkouts',
          {
            productId: tee.id,
            variantId: tee.small,
            quantity: 1,
            email: EMAIL,
            shippingAddress: ADDRESS_US,
            postRef: 'https://social.example/@band/1',
          },
          { 'Idempotency-Key': newKey() },
        );
        assert.equal(res.status, 201);
        return { id: res.body.id as string, api: buyer(server.url, res.body.clientToken) };
      };
      const canceled = await start();
      await canceled.api('DELETE', `/checkouts/${canceled.id}`, undefined, {
        'Idempotency-Key': newKey(),
      });
      const declined = await start();
      await declined.api('POST', `/checkouts/${declined.id}/confirm`, {
        payment: { provider: 'test', card: '4000000000000002' },
      });
      const paid = await start();
      const order = await paid.api('POST', `/checkouts/${paid.id}/confirm`, {
        payment: { provider: 'test', card: '4242424242424242' },
      });
      assert.equal(order.body.status, 'paid');
      clock.advance(DAY); // the declined one expires: its reservation lapsed
      await server.app.services.sweeper.runOnce();
      const open = await start(); // made a day later, still open when the others are forgotten

      const personal = async (id: string) => {
        const [row] = await db.all<Record<string, unknown>>(
          `SELECT status, ${PERSONAL.join(', ')} FROM checkouts WHERE id = ?`,
          [id],
        );
        return row!;
      };
      // Within the period, nothing is forgotten yet.
      clock.advance(8 * DAY);
      await server.app.services.sweeper.runOnce();
      assert.equal((await personal(canceled.id)).email, EMAIL);
      // Idempotency answers are kept 24 hours: the newest here is 8 days old.
      assert.equal((await db.all('SELECT key FROM idempotency_keys')).length, 0);

      clock.advance(3 * DAY);
      await server.app.services.sweeper.runOnce();
      for (const [what, id, status] of [
        ['canceled', canceled.id, 'canceled'],
        ['expired after a decline', declined.id, 'expired'],
        ['paid', paid.id, 'paid'],
      ] as const) {
        const row = await personal(id);
        assert.equal(row.status, status, what);
        for (const column of PERSONAL)
          assert.equal(row[column], null, `${what}: ${column} is still kept`);
      }
      // The buyer can still read their paid checkout (the order number, a download link).
      const receipt = await paid.api('GET', `/checkouts/${paid.id}`);
      assert.equal(receipt.status, 200);
      assert.equal(receipt.body.order.id, order.body.order.id);
      // The order is the seller's record of what to ship: it is kept whole.
      const [kept] = await db.all<{ shipping_address: string }>(
        'SELECT shipping_address FROM orders WHERE checkout_id = ?',
        [paid.id],
      );
      assert.match(kept!.shipping_address, /Main St/);
      // A checkout still open keeps what the buyer typed.
      assert.equal((await personal(open.id)).email, EMAIL);
      // The order.paid event that carried the address to the seller is emptied too.
      const events = await db.all<{ payload: string; status: string }>(
        'SELECT payload, status FROM outbox_events',
      );
      assert.ok(events.length > 0);
      for (const e of events) assert.ok(!e.payload.includes(ADDRESS_US.line1), e.status);
    });
  });
}
