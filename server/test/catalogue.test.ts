import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`catalogue (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    let other: Awaited<ReturnType<typeof makeSeller>>;
    const api = () => client(server.url);
    before(async () => {
      server = await startTestServer(name);
      seller = await makeSeller(server, 'Nour');
      other = await makeSeller(server, 'Someone Else');
    });
    after(() => server?.close());

    describe('public look-up', () => {
      test('a batch keeps the order asked, collapses repeats and lists what is missing', async () => {
        const a = await makeTee(seller);
        const b = await makeTee(other);
        const archived = await makeTee(seller);
        await seller.api('PATCH', `/seller/products/${archived.id}`, { status: 'archived' });
        const res = await api()('GET', `/products?ids=${b.id},nope,${a.id},${b.id},${archived.id}`);
        assert.equal(res.status, 200);
        assert.deepEqual(
          res.body.products.map((p: { id: string }) => p.id),
          [b.id, a.id],
        );
        assert.deepEqual(res.body.missing, ['nope', archived.id]);
      });

      test('50 ids are fine, 51 are not', async () => {
        const ids = Array.from({ length: 50 }, (_, i) => `x${i}`);
        const ok = await api()('GET', `/products?ids=${ids.join(',')}`);
        assert.equal(ok.status, 200);
        assert.equal(ok.body.missing.length, 50);
        const tooMany = await api()('GET', `/products?ids=${[...ids, 'x50'].join(',')}`);
        assert.equal(tooMany.status, 422);
      });

      test('a product says who sells it, what it costs, what is left and where it ships', async () => {
        const tee = await makeTee(seller, { stock: 4, price: 2500 });
        const res = await api()('GET', `/products/${tee.id}`);
        assert.equal(res.status, 200);
        const p = res.body;
        assert.deepEqual(p.seller, { id: seller.id, name: 'Nour', kind: 'artist' });
        assert.equal(p.kind, 'physical');
        assert.equal(p.url, 'https://shop.example/tee');
        assert.deepEqual(p.images, [
          { url: 'https://img.example/tee.jpg', alt: 'A black T-shirt' },
        ]);
        assert.deepEqual(p.options, [{ name: 'Size', values: ['S', 'M'] }]);
        assert.deepEqual(p.priceFrom, { amount: 2500, currency: 'USD' });
        assert.deepEqual(p.shipsTo, ['DE', 'FR', 'GB', 'US']);
        const medium = p.variants.find((v: { id: string }) => v.id === tee.medium);
        assert.deepEqual(medium.options, { Size: 'M' });
        assert.deepEqual(medium.compareAtPrice, { amount: 3000, currency: 'USD' });
        assert.equal(medium.availability, 'low_stock');
        assert.equal(medium.maxQuantity, 4);
        assert.equal(p.available, true);
      });

      test('availability follows reservations and stock', async () => {
        const tee = await makeTee(seller, { stock: 3 });
        await createCheckout(server.url, { productId: tee.id, variantId: tee.small, quantity: 3 });
        await seller.api('PATCH', `/seller/products/${tee.id}/variants/${tee.medium}`, {
          stock: 0,
        });
        const p = (await api()('GET', `/products/${tee.id}`)).body;
        for (const v of p.variants) {
          assert.equal(v.availability, 'out_of_stock');
          assert.equal(v.maxQuantity, 0);
        }
        assert.equal(p.available, false);
      });

      test('untracked stock (digital goods) is always available and ships nowhere', async () => {
        const res = await seller.api('POST', '/seller/products', {
          title: 'Album',
          kind: 'digital',
          variants: [{ price: 900, stock: null }],
        });
        assert.equal(res.status, 201);
        const p = (await api()('GET', `/products/${res.body.id}`)).body;
        assert.deepEqual(p.shipsTo, []);
        assert.equal(p.variants[0].availability, 'in_stock');
        assert.equal(p.variants[0].maxQuantity, 99);
      });

      test('responses carry an ETag; a matching If-None-Match gets 304; a change makes a new ETag', async () => {
        const tee = await makeTee(seller, { stock: 10 });
        const first = await fetch(`${server.url}/v1/products?ids=${tee.id}`);
        const etag = first.headers.get('etag');
        assert.ok(etag);
        assert.match(first.headers.get('cache-control') ?? '', /max-age=\d+/);
        const again = await fetch(`${server.url}/v1/products?ids=${tee.id}`, {
          headers: { 'If-None-Match': etag },
        });
        assert.equal(again.status, 304);
        await seller.api('PATCH', `/seller/products/${tee.id}/variants/${tee.small}`, { stock: 2 });
        const changed = await fetch(`${server.url}/v1/products?ids=${tee.id}`, {
          headers: { 'If-None-Match': etag },
        });
        assert.equal(changed.status, 200);
        assert.notEqual(changed.headers.get('etag'), etag);
        const one = await fetch(`${server.url}/v1/products/${tee.id}`);
        assert.ok(one.headers.get('etag'));
      });
    });

    describe('seller API', () => {
      test('products list with stock and reservations, only the seller’s own', async () => {
        const mine = await makeTee(seller, { stock: 7 });
        const theirs = await makeTee(other);
        await createCheckout(server.url, {
          productId: mine.id,
          variantId: mine.small,
          quantity: 2,
        });
        const res = await seller.api('GET', '/seller/products');
        assert.equal(res.status, 200);
        const ids = res.body.products.map((p: { id: string }) => p.id);
        assert.ok(ids.includes(mine.id));
        assert.ok(!ids.includes(theirs.id), 'never another seller’s product');
        const p = res.body.products.find((x: { id: string }) => x.id === mine.id);
        assert.deepEqual(
          p.variants.map((v: { stock: number; reserved: number }) => [v.stock, v.reserved]),
          [
            [7, 2],
            [7, 0],
          ],
        );
      });

      test('create, change and archive a product; add and change variants', async () => {
        const created = await seller.api('POST', '/seller/products', {
          id: 'poster-1',
          title: 'Tour poster',
          description: 'Screen-printed.\nSigned.',
          kind: 'physical',
          options: [{ name: 'Size', values: ['A3', 'A2'] }],
          images: [{ url: 'https://img.example/poster.jpg', alt: 'Poster' }],
          variants: [
            { id: 'poster-1-a3', sku: 'P-A3', options: { Size: 'A3' }, price: 1500, stock: 3 },
          ],
        });
        assert.equal(created.status, 201);
        assert.equal(created.body.variants[0].sku, 'P-A3');
        const added = await seller.api('POST', '/seller/products/poster-1/variants', {
          id: 'poster-1-a2',
          options: { Size: 'A2' },
          price: 2200,
          stock: 1,
        });
        assert.equal(added.status, 201);
        assert.equal(added.body.variants.length, 2);
        const changed = await seller.api(
          'PATCH',
          '/seller/products/poster-1/variants/poster-1-a2',
          { price: 2000, compareAtPrice: 2500 },
        );
        assert.equal(changed.body.variants[1].price.amount, 2000);
        const pub = (await api()('GET', '/products/poster-1')).body;
        assert.equal(pub.priceFrom.amount, 1500);
        assert.equal(pub.description, 'Screen-printed.\nSigned.');
        const renamed = await seller.api('PATCH', '/seller/products/poster-1', {
          title: 'Signed tour poster',
        });
        assert.equal(renamed.body.title, 'Signed tour poster');
        await seller.api('PATCH', '/seller/products/poster-1/variants/poster-1-a3', {
          status: 'archived',
        });
        assert.equal((await api()('GET', '/products/poster-1')).body.variants.length, 1);
        await seller.api('PATCH', '/seller/products/poster-1', { status: 'archived' });
        assert.equal((await api()('GET', '/products/poster-1')).status, 404);
        assert.equal(
          (await seller.api('GET', '/seller/products/poster-1')).body.status,
          'archived',
        );
      });

      test('stock cannot go below what open checkouts hold', async () => {
        const tee = await makeTee(seller, { stock: 5 });
        await createCheckout(server.url, { productId: tee.id, variantId: tee.small, quantity: 3 });
        const low = await seller.api('PATCH', `/seller/products/${tee.id}/variants/${tee.small}`, {
          stock: 2,
        });
        assert.equal(low.status, 422);
        assert.equal(low.body.errors[0].field, 'stock');
        const ok = await seller.api('PATCH', `/seller/products/${tee.id}/variants/${tee.small}`, {
          stock: 3,
        });
        assert.equal(ok.status, 200);
      });

      test('settings: shipping zones, tax rates, origins and webhook URL', async () => {
        const res = await other.api('PATCH', '/seller/me', {
          name: 'Someone Else Ltd',
          kind: 'brand',
          shippingZones: [{ name: 'Gulf', countries: ['AE', 'SA'], rate: 900, freeOver: 10000 }],
          taxRates: [{ country: 'AE', rateBps: 500 }],
          allowedOrigins: ['https://shop.example'],
          webhookUrl: 'https://hooks.example/bip',
        });
        assert.equal(res.status, 200);
        const me = await other.api('GET', '/seller/me');
        assert.equal(me.body.name, 'Someone Else Ltd');
        assert.equal(me.body.kind, 'brand');
        assert.deepEqual(me.body.taxRates, [{ country: 'AE', rateBps: 500 }]);
        assert.deepEqual(me.body.allowedOrigins, ['https://shop.example']);
        assert.equal(me.body.webhookUrl, 'https://hooks.example/bip');
        const tee = await makeTee(other);
        assert.deepEqual((await api()('GET', `/products/${tee.id}`)).body.shipsTo, ['AE', 'SA']);
        assert.equal((await api()('GET', `/products/${tee.id}`)).body.seller.kind, 'brand');
        assert.equal(me.body.webhookSecret, undefined, 'the secret is never echoed');
      });

      test('no key, a wrong key: 401', async () => {
        assert.equal((await api()('GET', '/seller/products')).status, 401);
        const wrong = await client(server.url, { Authorization: 'Bearer bip_sk_not-a-key' })(
          'GET',
          '/seller/orders',
        );
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.code, 'unauthorized');
      });
    });
  });
}
