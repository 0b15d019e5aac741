import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { SIGNATURE_HEADER, verifyWebhook } from '../src/services/outbox.ts';
import { waitFor } from './helpers/processes.ts';
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

interface Received {
  body: string;
  signature: string | undefined;
  verified: boolean;
  event: { id: string; type: string; data: { order: Record<string, any> } };
}

/** A seller's webhook receiver: verifies each signature and answers as `respond` says. */
async function receiver(
  secret: () => string,
  respond: (n: number, res: ServerResponse) => void = (_, res) => res.end('ok'),
) {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      attempts++;
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined;
      received.push({
        body,
        signature,
        verified: verifyWebhook(body, signature, secret()),
        event: JSON.parse(body),
      });
      respond(attempts, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function buyTee(server: TestServer, seller: Awaited<ReturnType<typeof makeSeller>>) {
  const tee = await makeTee(seller, { stock: 5 });
  const c = await createCheckout(server.url, {
    productId: tee.id,
    variantId: tee.medium,
    quantity: 1,
    shippingAddress: ADDRESS_US,
  });
  const paid = await buyer(server.url, c.body.clientToken)(
    'POST',
    `/checkouts/${c.body.id}/confirm`,
    {
      payment: { provider: 'test', card: '4242424242424242' },
    },
  );
  assert.equal(paid.status, 200);
  return paid.body;
}

for (const { name, skip } of dialects()) {
  describe(`seller webhooks (${name})`, { skip }, () => {
    test('a paid order reaches the seller once, signed', async () => {
      const server = await startTestServer(name);
      const seller = await makeSeller(server);
      const hook = await receiver(() => seller.webhookSecret);
      try {
        await seller.api('PATCH', '/seller/me', { webhookUrl: hook.url });
        const paid = await buyTee(server, seller);
        await waitFor(() => hook.received.length >= 1, 5_000, 'the order.paid webhook');
        const [first] = hook.received;
        assert.ok(first!.verified, 'the signature verifies with the seller’s secret');
        assert.equal(first!.event.type, 'order.paid');
        assert.equal(first!.event.data.order.number, paid.order.number);
        assert.equal(first!.event.data.order.shippingAddress.city, 'Springfield');
        // tampering with the body or using another secret breaks the signature
        assert.equal(
          verifyWebhook(
            first!.body.replace('Springfield', 'Elsewhere'),
            first!.signature,
            seller.webhookSecret,
          ),
          false,
        );
        assert.equal(verifyWebhook(first!.body, first!.signature, 'whsec_wrong'), false);
        // a stale timestamp is refused (replay window)
        assert.equal(
          verifyWebhook(
            first!.body,
            first!.signature,
            seller.webhookSecret,
            300,
            Date.now() + 3_600_000,
          ),
          false,
        );
        // The receiver hears the event before the dispatcher has written the delivery down
        // (it records the answer it got): wait for the record, then check there is one.
        const log = await waitFor(
          async () => {
            const res = await seller.api('GET', '/seller/webhook-deliveries');
            return res.body.deliveries.length > 0 ? res : null;
          },
          5_000,
          'the delivery in the log',
        );
        assert.equal(log.body.deliveries.length, 1);
        assert.equal(log.body.deliveries[0].ok, true);
        assert.equal(log.body.deliveries[0].eventType, 'order.paid');
      } finally {
        await hook.close();
        await server.close();
      }
    });

    test('a receiver that fails twice gets the event on the third try', async () => {
      const server = await startTestServer(name);
      const seller = await makeSeller(server);
      const hook = await receiver(
        () => seller.webhookSecret,
        (n, res) => {
          res.statusCode = n <= 2 ? 500 : 200;
          res.end();
        },
      );
      try {
        await seller.api('PATCH', '/seller/me', { webhookUrl: hook.url });
        await buyTee(server, seller);
        await waitFor(() => hook.received.length >= 3, 10_000, 'three attempts');
        assert.equal(
          new Set(hook.received.map((r) => r.event.id)).size,
          1,
          'the same event each time',
        );
        assert.ok(hook.received.every((r) => r.verified));
        const log = await waitFor(
          async () => {
            const res = await seller.api('GET', '/seller/webhook-deliveries');
            return res.body.deliveries.length === 3 ? res.body.deliveries : null;
          },
          5_000,
          'the delivery log',
        );
        const byAttempt = [...log].sort((a: any, b: any) => a.attempt - b.attempt);
        assert.deepEqual(
          byAttempt.map((d: any) => [d.attempt, d.ok, d.statusCode]),
          [
            [1, false, 500],
            [2, false, 500],
            [3, true, 200],
          ],
        );
        const event = await server.app.db.kysely
          .selectFrom('outbox_events')
          .selectAll()
          .executeTakeFirstOrThrow();
        assert.equal(event.status, 'delivered');
      } finally {
        await hook.close();
        await server.close();
      }
    });

    test('events wait while the seller has no webhook URL, then flow', async () => {
      const server = await startTestServer(name);
      const seller = await makeSeller(server);
      const hook = await receiver(() => seller.webhookSecret);
      try {
        await buyTee(server, seller);
        const pending = await server.app.db.kysely
          .selectFrom('outbox_events')
          .selectAll()
          .execute();
        assert.equal(pending.length, 1);
        assert.equal(pending[0]!.status, 'pending');
        await server.app.services.webhooks.runOnce();
        assert.equal(hook.received.length, 0);
        await seller.api('PATCH', '/seller/me', { webhookUrl: hook.url });
        await waitFor(() => hook.received.length === 1, 5_000, 'the waiting event');
        assert.equal(hook.received[0]!.event.type, 'order.paid');
      } finally {
        await hook.close();
        await server.close();
      }
    });

    test('fulfilment sends order.fulfilled with the tracking number', async () => {
      const server = await startTestServer(name);
      const seller = await makeSeller(server);
      const hook = await receiver(() => seller.webhookSecret);
      try {
        await seller.api('PATCH', '/seller/me', { webhookUrl: hook.url });
        const paid = await buyTee(server, seller);
        const res = await seller.api('POST', `/seller/orders/${paid.order.id}/fulfillments`, {
          carrier: 'La Poste',
          trackingNumber: 'LP123456789FR',
        });
        assert.equal(res.status, 201);
        assert.equal(res.body.status, 'fulfilled');
        await waitFor(
          () => hook.received.some((r) => r.event.type === 'order.fulfilled'),
          5_000,
          'order.fulfilled',
        );
        const f = hook.received.find((r) => r.event.type === 'order.fulfilled')!;
        assert.ok(f.verified);
        assert.equal(f.event.data.order.fulfillments[0].trackingNumber, 'LP123456789FR');
      } finally {
        await hook.close();
        await server.close();
      }
    });

    test('nothing is lost when the server stops mid-delivery', async () => {
      const databaseUrl = await freshDatabaseUrl(name);
      // the lease on a claimed event lapses after 2 × timeout + 1 s
      const env = { BIP_WEBHOOK_TIMEOUT_MS: '500' };
      const first = await startTestServer(name, env, { databaseUrl });
      const seller = await makeSeller(first);
      let hang = true;
      const held: ServerResponse[] = [];
      const hook = await receiver(
        () => seller.webhookSecret,
        (_, res) => {
          if (hang) held.push(res);
          else res.end('ok');
        },
      );
      try {
        await seller.api('PATCH', '/seller/me', { webhookUrl: hook.url });
        await buyTee(first, seller);
        await waitFor(() => hook.received.length >= 1, 5_000, 'the first, hanging delivery');
        await first.close(); // mid-delivery: the receiver has not answered
        hang = false;
        for (const res of held) res.destroy();
        const second = await startTestServer(name, env, { databaseUrl });
        try {
          await waitFor(() => hook.received.length >= 2, 15_000, 'redelivery by the new server');
          assert.equal(hook.received[1]!.event.id, hook.received[0]!.event.id);
          assert.ok(hook.received[1]!.verified);
          const event = await waitFor(
            async () => {
              const e = await second.app.db.kysely
                .selectFrom('outbox_events')
                .selectAll()
                .executeTakeFirstOrThrow();
              return e.status === 'delivered' ? e : null;
            },
            5_000,
            'the event marked delivered',
          );
          assert.equal(event.status, 'delivered');
        } finally {
          await second.close();
        }
      } finally {
        await hook.close();
      }
    });
  });
}
