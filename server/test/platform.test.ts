import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
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
  describe(`platform (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    before(async () => {
      server = await startTestServer(name);
      seller = await makeSeller(server); // allows https://blog.example
    });
    after(() => server?.close());

    test('health reports the protocol versions, the database and the payment provider', async () => {
      const res = await client(server.url)('GET', '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        status: 'ok',
        version: '0.1.0',
        protocols: ['1'],
        database: name,
        payments: 'test',
      });
    });

    test('openapi.json describes every route', async () => {
      const res = await client(server.url)('GET', '/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.body.openapi, '3.1.0');
      const paths = Object.keys(res.body.paths);
      for (const p of [
        '/health',
        '/products',
        '/products/{id}',
        '/checkouts',
        '/checkouts/{id}',
        '/checkouts/{id}/confirm',
        '/downloads/{token}',
        '/seller/me',
        '/seller/products',
        '/seller/products/{id}',
        '/seller/products/{id}/variants',
        '/seller/products/{id}/variants/{variantId}',
        '/seller/products/{id}/file',
        '/seller/orders',
        '/seller/orders/{id}',
        '/seller/orders/{id}/fulfillments',
        '/seller/webhook-deliveries',
      ]) {
        assert.ok(paths.includes(p), `${p} documented`);
      }
      assert.deepEqual(Object.keys(res.body.paths['/checkouts/{id}']).sort(), [
        'delete',
        'get',
        'patch',
      ]);
      assert.ok(res.body.components.schemas.Checkout);
      assert.ok(res.body.components.schemas.Problem);
    });

    describe('CORS', () => {
      test('an origin a seller lists may call the public API; others may not', async () => {
        const tee = await makeTee(seller);
        const allowed = await fetch(`${server.url}/v1/products/${tee.id}`, {
          headers: { Origin: 'https://blog.example' },
        });
        assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://blog.example');
        const stranger = await fetch(`${server.url}/v1/products/${tee.id}`, {
          headers: { Origin: 'https://evil.example' },
        });
        assert.equal(stranger.headers.get('access-control-allow-origin'), null);
      });

      test('a preflight for checkout creation allows the protocol’s headers', async () => {
        const res = await fetch(`${server.url}/v1/checkouts`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'https://blog.example',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type,idempotency-key',
          },
        });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get('access-control-allow-origin'), 'https://blog.example');
        assert.match(res.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/i);
        assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
      });

      test('a checkout from a site the seller does not list is refused', async () => {
        const tee = await makeTee(seller);
        const res = await createCheckout(
          server.url,
          { productId: tee.id, variantId: tee.small, quantity: 1 },
          newKey(),
        );
        assert.equal(res.status, 201, 'no Origin (server to server) is fine');
        const refused = await client(server.url)(
          'POST',
          '/checkouts',
          { productId: tee.id, variantId: tee.small, quantity: 1 },
          { 'Idempotency-Key': newKey(), Origin: 'https://evil.example' },
        );
        assert.equal(refused.status, 403);
        assert.equal(refused.body.code, 'origin_not_allowed');
        const ok = await client(server.url)(
          'POST',
          '/checkouts',
          { productId: tee.id, variantId: tee.small, quantity: 1 },
          { 'Idempotency-Key': newKey(), Origin: 'https://blog.example' },
        );
        assert.equal(ok.status, 201);
      });

      test('development mode lets any origin in', async () => {
        const dev = await startTestServer(name, { BIP_MODE: 'development' });
        try {
          const s = await makeSeller(dev);
          const tee = await makeTee(s);
          const res = await fetch(`${dev.url}/v1/products/${tee.id}`, {
            headers: { Origin: 'http://localhost:5173' },
          });
          assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
          const created = await client(dev.url)(
            'POST',
            '/checkouts',
            { productId: tee.id, variantId: tee.small, quantity: 1 },
            { 'Idempotency-Key': newKey(), Origin: 'http://localhost:5173' },
          );
          assert.equal(created.status, 201);
        } finally {
          await dev.close();
        }
      });
    });

    test('checkout creation is rate limited per client address', async () => {
      const limited = await startTestServer(name, { BIP_CHECKOUT_RATE_LIMIT: '3' });
      try {
        const s = await makeSeller(limited);
        const tee = await makeTee(s, { stock: 100 });
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          statuses.push(
            (
              await createCheckout(limited.url, {
                productId: tee.id,
                variantId: tee.small,
                quantity: 1,
              })
            ).status,
          );
        }
        assert.deepEqual(statuses, [201, 201, 201, 429]);
        const res = await createCheckout(limited.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
        });
        assert.equal(res.body.code, 'rate_limited');
        assert.ok(Number(res.headers.get('retry-after')) > 0);
        const reserved = await limited.app.db.kysely
          .selectFrom('variants')
          .select('reserved')
          .where('id', '=', tee.small)
          .executeTakeFirstOrThrow();
        assert.equal(reserved.reserved, 3, 'refused requests hold nothing');
        // reading is not limited
        assert.equal((await client(limited.url)('GET', `/products/${tee.id}`)).status, 200);
      } finally {
        await limited.close();
      }
    });

    test('an internal failure answers 500 internal_error and leaks nothing', async () => {
      const broken = await startTestServer(name);
      try {
        const s = await makeSeller(broken);
        const tee = await makeTee(s, { stock: 3 });
        const c = await createCheckout(broken.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 1,
          shippingAddress: ADDRESS_US,
        });
        const paid = await buyer(broken.url, c.body.clientToken)(
          'POST',
          `/checkouts/${c.body.id}/confirm`,
          {
            payment: { provider: 'test', card: '4242424242424242' },
          },
        );
        // break the database under the running server
        await broken.app.db.kysely.schema.dropTable('fulfillments').execute();
        const original = console.error;
        console.error = () => {}; // the server logs the cause; keep the test output clean
        let res: { status: number; headers: Headers; body: any };
        try {
          res = await s.api('GET', `/seller/orders/${paid.body.order.id}`);
        } finally {
          console.error = original;
        }
        assert.equal(res.status, 500);
        assert.equal(res.body.code, 'internal_error');
        assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
        const text = JSON.stringify(res.body);
        assert.doesNotMatch(text, /fulfillments|sqlite|relation|select|stack|at /i);
      } finally {
        await broken.close();
      }
    });
  });
}
