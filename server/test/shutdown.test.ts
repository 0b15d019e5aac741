/**
 * Stopping the server: requests already being handled finish before the database closes — also
 * those whose client has gone (a reader closing the tab, a proxy timing out), which Node's
 * `server.close()` no longer waits for once their connection is closed.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type FakeStripe, startFakeStripe, stripeEnv } from './doubles/stripe-api.ts';
import { type DbReader, openDbReader } from './helpers/invariants.ts';
import { dialects, makeSeller, makeTee, newKey, startTestServer } from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`stopping the server (${name})`, { skip }, () => {
    let fake: FakeStripe;
    let db: DbReader | undefined;
    before(async () => {
      fake = await startFakeStripe();
    });
    after(async () => {
      await db?.close();
      await fake?.close();
    });

    test('a client that keeps its connection busy does not hold the stop up: it is told to leave', {
      timeout: 15_000,
    }, async () => {
      const server = await startTestServer(name);
      // One kept-alive connection, as a poller or a proxy's pool keeps one.
      const socket = connect(server.port, '127.0.0.1');
      let received = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => {
        received += chunk;
      });
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      // (a write racing the server's end of the connection fails: the loop below stops then)
      socket.on('error', () => {});
      const request = 'GET /v1/health HTTP/1.1\r\nHost: shop.test\r\n';
      const answers = () => received.split('HTTP/1.1 ').slice(1);
      const answered = async (n: number) => {
        while (answers().length < n) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      try {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(`${request}\r\n`);
        await answered(1);
        assert.match(answers()[0]!, /^200 [\s\S]*\r\nconnection: keep-alive\r\n/i);
        // A request being handled as the server is told to stop (its body still on its way):
        // its connection is not idle.
        const body = '{"productId":"none"}';
        socket.write(
          `POST /v1/checkouts HTTP/1.1\r\nHost: shop.test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        let closed = false;
        const closing = server.close().then(() => {
          closed = true;
        });
        socket.write(body.slice(5));
        await answered(2);
        assert.match(answers()[1]!, /^4\d\d [\s\S]*\r\nconnection: close\r\n/i, 'told to leave');
        // The client keeps asking on it until it is closed (before the fix it was answered,
        // kept alive, for as long as the client went on: Node's close() waited for ever).
        while (!socket.destroyed && !closed) {
          socket.write(`${request}\r\n`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await closing;
        await ended;
        assert.equal(answers().length, 2, 'nothing answered after the last');
      } finally {
        socket.destroy();
      }
    });

    test('a checkout being created when the server stops is finished, its client gone or not', async () => {
      const server = await startTestServer(name, stripeEnv(fake));
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 5 });
      // The creation waits at Stripe (the PaymentIntent) while the reader leaves and the
      // server is told to stop.
      const gate = fake.gate((method, path) => method === 'POST' && path === '/v1/payment_intents');
      const key = newKey();
      const reader = new AbortController();
      const creating = fetch(`${server.url}/v1/checkouts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify({ productId: tee.id, variantId: tee.small, quantity: 1 }),
        signal: reader.signal,
      }).catch((err: Error) => err);
      await gate.arrived(1);
      reader.abort();
      assert.ok((await creating) instanceof Error, 'the reader left');
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      // Long enough for the listener to close and, before the fix, the database with it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(closed, false, 'the server stopped with a request still being handled');
      gate.open();
      await closing;

      db = await openDbReader(server.databaseUrl);
      const rows = await db.all<{ payment_ref: string | null; reserved_quantity: number }>(
        `SELECT payment_ref, reserved_quantity FROM checkouts WHERE product_id = '${tee.id}'`,
      );
      assert.equal(rows.length, 1);
      assert.match(String(rows[0]!.payment_ref), /^pi_/, 'the payment was stored with it');
      const keys = await db.all<{ response_status: number | null }>(
        `SELECT response_status FROM idempotency_keys WHERE key = '${key}'`,
      );
      assert.deepEqual(
        keys.map((k) => Number(k.response_status)),
        [201],
        'its answer was stored for the retry',
      );
    });
  });
}
