import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
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

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  /** 'seller' sends seller A's key, 'buyer' the checkout's token, 'none' nothing */
  as?: 'seller' | 'buyer' | 'none';
  headers?: Record<string, string>;
  status: number;
  code: string;
}

/** Everything a request could have written: row counts and stock figures. */
async function snapshot(server: TestServer) {
  const db = server.app.db.kysely;
  const count = async (
    table:
      | 'checkouts'
      | 'orders'
      | 'products'
      | 'variants'
      | 'fulfillments'
      | 'outbox_events'
      | 'product_files',
  ) =>
    Number(
      (await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow())
        .n,
    );
  const stock = await db
    .selectFrom('variants')
    .select([
      sql<number>`coalesce(sum(stock), 0)`.as('stock'),
      sql<number>`coalesce(sum(reserved), 0)`.as('reserved'),
    ])
    .executeTakeFirstOrThrow();
  const sellers = await db
    .selectFrom('sellers')
    .select(['name', 'shipping_zones', 'allowed_origins', 'webhook_url'])
    .orderBy('id')
    .execute();
  const checkouts = await db
    .selectFrom('checkouts')
    .select(['status', 'quantity', 'variant_id', 'shipping_address', 'email'])
    .orderBy('id')
    .execute();
  return {
    checkouts: await count('checkouts'),
    orders: await count('orders'),
    products: await count('products'),
    variants: await count('variants'),
    fulfillments: await count('fulfillments'),
    events: await count('outbox_events'),
    files: await count('product_files'),
    stock: Number(stock.stock),
    reserved: Number(stock.reserved),
    sellers,
    checkoutRows: checkouts,
  };
}

const control = 'Ada\u0007Reader';
const c1Control = 'Ada\u009b31mReader'; // the 8-bit terminal escape (CSI)
const loneSurrogate = 'Ada \uD800 Reader';
const huge = 'x'.repeat(70 * 1024);

for (const { name, skip } of dialects()) {
  describe(`bad input is refused and writes nothing (${name})`, { skip }, () => {
    let server: TestServer;
    let a: Awaited<ReturnType<typeof makeSeller>>;
    let b: Awaited<ReturnType<typeof makeSeller>>;
    let teeA: Awaited<ReturnType<typeof makeTee>>;
    let teeB: Awaited<ReturnType<typeof makeTee>>;
    let checkout: { id: string; clientToken: string };
    let orderB: string;

    before(async () => {
      server = await startTestServer(name);
      a = await makeSeller(server, 'Seller A');
      b = await makeSeller(server, 'Seller B');
      teeA = await makeTee(a, { stock: 5 });
      teeB = await makeTee(b, { stock: 5 });
      const c = await createCheckout(server.url, {
        productId: teeA.id,
        variantId: teeA.small,
        quantity: 1,
      });
      checkout = c.body;
      const cb = await createCheckout(server.url, {
        productId: teeB.id,
        variantId: teeB.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      const paid = await buyer(server.url, cb.body.clientToken)(
        'POST',
        `/checkouts/${cb.body.id}/confirm`,
        {
          payment: { provider: 'test', card: '4242424242424242' },
        },
      );
      orderB = paid.body.order.id;
    });
    after(() => server?.close());

    const goodCheckout = () => ({ productId: teeA.id, variantId: teeA.small, quantity: 1 });
    const goodProduct = () => ({
      title: 'Poster',
      kind: 'physical',
      options: [{ name: 'Size', values: ['A3', 'A2'] }],
      variants: [{ options: { Size: 'A3' }, price: 1500, stock: 3 }],
    });

    const cases = (): Case[] => [
      // products
      {
        name: 'batch without ids',
        method: 'GET',
        path: '/products',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'batch with empty ids',
        method: 'GET',
        path: '/products?ids=',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'batch of 51 ids',
        method: 'GET',
        path: `/products?ids=${Array.from({ length: 51 }, (_, i) => `p${i}`).join(',')}`,
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'batch with a NUL in an id',
        method: 'GET',
        path: '/products?ids=a%00b',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'product id that is an emoji',
        method: 'GET',
        path: '/products/%F0%9F%98%80',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'unknown product',
        method: 'GET',
        path: '/products/no-such-thing',
        status: 404,
        code: 'not_found',
      },
      // checkout creation
      {
        name: 'create without Idempotency-Key',
        method: 'POST',
        path: '/checkouts',
        body: goodCheckout(),
        headers: { 'Idempotency-Key': '' },
        status: 400,
        code: 'idempotency_key_required',
      },
      {
        name: 'create with a too-short key',
        method: 'POST',
        path: '/checkouts',
        body: goodCheckout(),
        headers: { 'Idempotency-Key': 'abc' },
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'quantity 0',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: 0 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'quantity -1',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: -1 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'quantity 1.5',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: 1.5 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'quantity 1e9',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: 1e9 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'quantity as a string',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: '2' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'quantity null',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: null },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'no productId',
        method: 'POST',
        path: '/checkouts',
        body: { variantId: teeA.small, quantity: 1 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'unknown productId',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), productId: 'nope' },
        status: 404,
        code: 'not_found',
      },
      {
        name: 'another seller’s variant',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), variantId: teeB.small },
        status: 422,
        code: 'variant_unavailable',
      },
      {
        name: 'more than the stock',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), quantity: 50 },
        status: 409,
        code: 'out_of_stock',
      },
      {
        name: 'a client-set price',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), price: { amount: 1, currency: 'USD' } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a bad email',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), email: 'not-an-email' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a control character in the name',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), shippingAddress: { ...ADDRESS_US, name: control } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a C1 control character in the name',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), shippingAddress: { ...ADDRESS_US, name: c1Control } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a lone surrogate in the name',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), shippingAddress: { ...ADDRESS_US, name: loneSurrogate } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a lower-case country',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), shippingAddress: { ...ADDRESS_US, country: 'us' } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a country not shipped to',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), shippingAddress: { ...ADDRESS_US, country: 'JP' } },
        status: 422,
        code: 'does_not_ship',
      },
      {
        name: 'a 10,000-character postRef',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), postRef: 'p'.repeat(10_000) },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a body over the size limit',
        method: 'POST',
        path: '/checkouts',
        body: { ...goodCheckout(), postRef: huge },
        status: 413,
        code: 'payload_too_large',
      },
      {
        name: 'malformed JSON',
        method: 'POST',
        path: '/checkouts',
        body: '{"productId": ',
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'text/plain',
        method: 'POST',
        path: '/checkouts',
        body: JSON.stringify(goodCheckout()),
        headers: { 'Content-Type': 'text/plain' },
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        name: 'an array body',
        method: 'POST',
        path: '/checkouts',
        body: [goodCheckout()],
        status: 422,
        code: 'validation_failed',
      },
      // existing checkout
      {
        name: 'read without a token',
        method: 'GET',
        path: `/checkouts/${checkout.id}`,
        as: 'none',
        status: 401,
        code: 'unauthorized',
      },
      {
        name: 'patch quantity 0',
        method: 'PATCH',
        path: `/checkouts/${checkout.id}`,
        as: 'buyer',
        body: { quantity: 0 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'patch to another seller’s variant',
        method: 'PATCH',
        path: `/checkouts/${checkout.id}`,
        as: 'buyer',
        body: { variantId: teeB.small },
        status: 422,
        code: 'variant_unavailable',
      },
      {
        name: 'patch an unknown checkout',
        method: 'PATCH',
        path: '/checkouts/chk_nope',
        as: 'buyer',
        body: { quantity: 2 },
        status: 404,
        code: 'not_found',
      },
      {
        name: 'patch with an unknown field',
        method: 'PATCH',
        path: `/checkouts/${checkout.id}`,
        as: 'buyer',
        body: { total: 1 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'confirm with letters for a card',
        method: 'POST',
        path: `/checkouts/${checkout.id}/confirm`,
        as: 'buyer',
        body: { payment: { provider: 'test', card: 'abcd' } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'confirm with an unknown provider',
        method: 'POST',
        path: `/checkouts/${checkout.id}/confirm`,
        as: 'buyer',
        body: { payment: { provider: 'cash' } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'confirm without payment',
        method: 'POST',
        path: `/checkouts/${checkout.id}/confirm`,
        as: 'buyer',
        body: {},
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'confirm without an address',
        method: 'POST',
        path: `/checkouts/${checkout.id}/confirm`,
        as: 'buyer',
        body: { payment: { provider: 'test', card: '4242424242424242' } },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'cancel an unknown checkout',
        method: 'DELETE',
        path: '/checkouts/chk_nope',
        as: 'buyer',
        status: 404,
        code: 'not_found',
      },
      {
        name: 'a forged download link',
        method: 'GET',
        path: '/downloads/not.a.token',
        status: 404,
        code: 'not_found',
      },
      // seller API
      {
        name: 'seller settings without a key',
        method: 'GET',
        path: '/seller/me',
        as: 'none',
        status: 401,
        code: 'unauthorized',
      },
      {
        name: 'a negative shipping rate',
        method: 'PATCH',
        path: '/seller/me',
        as: 'seller',
        body: { shippingZones: [{ name: 'X', countries: ['US'], rate: -1 }] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'an origin with a path',
        method: 'PATCH',
        path: '/seller/me',
        as: 'seller',
        body: { allowedOrigins: ['https://blog.example/posts'] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'an ftp webhook URL',
        method: 'PATCH',
        path: '/seller/me',
        as: 'seller',
        body: { webhookUrl: 'ftp://x.example/hook' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a tax rate over 100 %',
        method: 'PATCH',
        path: '/seller/me',
        as: 'seller',
        body: { taxRates: [{ country: 'FR', rateBps: 10_001 }] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a product without variants',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), variants: [] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a variant with an unknown option value',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), variants: [{ options: { Size: 'A0' }, price: 1 }] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'two variants with the same options',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: {
          ...goodProduct(),
          variants: [
            { options: { Size: 'A3' }, price: 1 },
            { options: { Size: 'A3' }, price: 2 },
          ],
        },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a kind that does not exist',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), kind: 'service' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a taken product id',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), id: teeB.id },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a negative price',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), variants: [{ options: { Size: 'A3' }, price: -5 }] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'fractional stock',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), variants: [{ options: { Size: 'A3' }, price: 5, stock: 1.5 }] },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a 300-character title',
        method: 'POST',
        path: '/seller/products',
        as: 'seller',
        body: { ...goodProduct(), title: 't'.repeat(300) },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'another seller’s product',
        method: 'GET',
        path: `/seller/products/${teeB.id}`,
        as: 'seller',
        status: 404,
        code: 'not_found',
      },
      {
        name: 'changing another seller’s product',
        method: 'PATCH',
        path: `/seller/products/${teeB.id}`,
        as: 'seller',
        body: { title: 'Mine now' },
        status: 404,
        code: 'not_found',
      },
      {
        name: 'a variant duplicating options',
        method: 'POST',
        path: `/seller/products/${teeA.id}/variants`,
        as: 'seller',
        body: { options: { Size: 'S' }, price: 100 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'negative stock',
        method: 'PATCH',
        path: `/seller/products/${teeA.id}/variants/${teeA.small}`,
        as: 'seller',
        body: { stock: -1 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'stock below what checkouts hold',
        method: 'PATCH',
        path: `/seller/products/${teeA.id}/variants/${teeA.small}`,
        as: 'seller',
        body: { stock: 0 },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'another product’s variant',
        method: 'PATCH',
        path: `/seller/products/${teeA.id}/variants/${teeB.small}`,
        as: 'seller',
        body: { price: 1 },
        status: 404,
        code: 'not_found',
      },
      {
        name: 'a file for a physical product',
        method: 'PUT',
        path: `/seller/products/${teeA.id}/file?name=a.zip`,
        as: 'seller',
        body: 'bytes',
        headers: { 'Content-Type': 'application/zip' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a file name with a slash',
        method: 'PUT',
        path: `/seller/products/${teeA.id}/file?name=../a.zip`,
        as: 'seller',
        body: 'bytes',
        headers: { 'Content-Type': 'application/zip' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'orders with limit 0',
        method: 'GET',
        path: '/seller/orders?limit=0',
        as: 'seller',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'orders since a non-date',
        method: 'GET',
        path: '/seller/orders?since=yesterday',
        as: 'seller',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'orders with a forged cursor',
        method: 'GET',
        path: '/seller/orders?cursor=zzz',
        as: 'seller',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'another seller’s order',
        method: 'GET',
        path: `/seller/orders/${orderB}`,
        as: 'seller',
        status: 404,
        code: 'not_found',
      },
      {
        name: 'fulfilling another seller’s order',
        method: 'POST',
        path: `/seller/orders/${orderB}/fulfillments`,
        as: 'seller',
        body: { trackingNumber: 'X1' },
        status: 404,
        code: 'not_found',
      },
      {
        name: 'a fulfilment without tracking number',
        method: 'POST',
        path: `/seller/orders/${orderB}/fulfillments`,
        as: 'seller',
        body: { carrier: 'DHL' },
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a delivery log of 1,000',
        method: 'GET',
        path: '/seller/webhook-deliveries?limit=1000',
        as: 'seller',
        status: 422,
        code: 'validation_failed',
      },
      {
        name: 'a wrong seller key',
        method: 'GET',
        path: '/seller/products',
        headers: { Authorization: 'Bearer bip_sk_wrong' },
        as: 'none',
        status: 401,
        code: 'unauthorized',
      },
      { name: 'an unknown route', method: 'GET', path: '/nowhere', status: 404, code: 'not_found' },
    ];

    test('every case: 4xx problem+json with a stable code, nothing written', async () => {
      const all = cases();
      assert.ok(all.length >= 60);
      for (const c of all) {
        const before = await snapshot(server);
        const auth: Record<string, string> =
          c.as === 'seller'
            ? { Authorization: `Bearer ${a.apiKey}` }
            : c.as === 'buyer'
              ? { Authorization: `Bearer ${checkout.clientToken}` }
              : {};
        const headers: Record<string, string> = { ...auth, ...c.headers };
        if (c.method === 'POST' && c.path === '/checkouts' && !('Idempotency-Key' in headers))
          headers['Idempotency-Key'] = newKey();
        if (headers['Idempotency-Key'] === '') delete headers['Idempotency-Key'];
        const res = await client(server.url)(c.method, c.path, c.body, headers);
        assert.equal(
          res.status,
          c.status,
          `${c.name}: expected ${c.status}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`,
        );
        assert.match(
          res.headers.get('content-type') ?? '',
          /^application\/problem\+json/,
          `${c.name}: content type`,
        );
        assert.equal(res.body.code, c.code, `${c.name}: code`);
        assert.equal(res.body.status, c.status, `${c.name}: status in the body`);
        assert.equal(typeof res.body.title, 'string');
        if (c.code === 'validation_failed' && c.status === 422) {
          assert.ok(
            Array.isArray(res.body.errors) && res.body.errors.length > 0,
            `${c.name}: per-field errors`,
          );
          assert.ok(
            res.body.errors.every((e: { field: string; message: string }) => e.field && e.message),
          );
        }
        assert.deepEqual(await snapshot(server), before, `${c.name}: nothing written`);
      }
    });
  });
}
