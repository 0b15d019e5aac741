import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, png, refused, signInWithKey, uploadImage } from './helpers/dashboard.ts';
import {
  ADDRESS_US,
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

const IMAGE_LIMIT = 4096;

for (const { name, skip } of dialects()) {
  describe(`dashboard: products (${name})`, { skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(name, { BIP_IMAGE_LIMIT_BYTES: String(IMAGE_LIMIT) });
    });
    after(() => server?.close());

    describe('optimistic concurrency', () => {
      test('a product answers with its ETag; an edit sent with it moves it on', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const read = await seller.api('GET', `/seller/products/${tee.id}`);
        const etag = read.headers.get('etag');
        assert.ok(etag);
        assert.equal(read.body.etag, etag);
        const edit = await seller.api(
          'PATCH',
          `/seller/products/${tee.id}`,
          { title: 'Tour T-shirt, 2nd run' },
          { 'If-Match': etag },
        );
        assert.equal(edit.status, 200, JSON.stringify(edit.body));
        assert.notEqual(edit.headers.get('etag'), etag);
        assert.equal(edit.body.etag, edit.headers.get('etag'));
      });

      test('a stale edit is refused with 412 and changes nothing', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const opened = tee.product.etag;
        // Someone else saves first (another tab, a colleague, a script with the API key).
        const first = await seller.api(
          'PATCH',
          `/seller/products/${tee.id}`,
          { title: 'Theirs' },
          { 'If-Match': opened },
        );
        assert.equal(first.status, 200);
        for (const [method, path, body] of [
          ['PATCH', `/seller/products/${tee.id}`, { title: 'Mine' }],
          ['PATCH', `/seller/products/${tee.id}/variants/${tee.small}`, { price: 1 }],
        ] as const) {
          const stale = await seller.api(method, path, body, { 'If-Match': opened });
          refused(stale, 412, 'precondition_failed');
          assert.equal(stale.body.currentEtag, first.body.etag);
        }
        const now = (await seller.api('GET', `/seller/products/${tee.id}`)).body;
        assert.equal(now.title, 'Theirs');
        assert.equal(now.etag, first.body.etag);
        assert.equal(now.variants.length, 2);
        assert.equal(now.variants[0].price.amount, 2500);
        // An image upload against the old version is refused too, and nothing is stored for it.
        const img = await uploadImage(server, tee.id, png(), {
          Authorization: `Bearer ${seller.apiKey}`,
          'If-Match': opened,
        });
        refused(img, 412, 'precondition_failed');
        const images = await server.app.db.kysely
          .selectFrom('product_images')
          .select('id')
          .where('product_id', '=', tee.id)
          .execute();
        assert.equal(images.length, 0);
      });

      test('of two edits made against one version at once, exactly one wins', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const results = await Promise.all(
          ['A', 'B', 'C', 'D'].map((t) =>
            seller.api(
              'PATCH',
              `/seller/products/${tee.id}/variants/${tee.medium}`,
              { sku: t },
              { 'If-Match': tee.product.etag },
            ),
          ),
        );
        const statuses = results.map((r) => r.status).sort();
        assert.deepEqual(statuses, [200, 412, 412, 412]);
      });

      test('buyers’ holds do not change the ETag; the seller’s stock edit does', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller, { stock: 5 });
        const hold = await createCheckout(server.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 2,
          shippingAddress: ADDRESS_US,
        });
        assert.equal(hold.status, 201, JSON.stringify(hold.body));
        const read = await seller.api('GET', `/seller/products/${tee.id}`);
        assert.equal(read.body.variants[0].reserved, 2);
        assert.equal(read.body.etag, tee.product.etag);
        const stock = await seller.api(
          'PATCH',
          `/seller/products/${tee.id}/variants/${tee.small}`,
          { stock: 9 },
          { 'If-Match': read.body.etag },
        );
        assert.equal(stock.status, 200);
        assert.notEqual(stock.body.etag, read.body.etag);
      });

      test('an If-Match naming no version of this product is stale; * matches any', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        refused(
          await seller.api(
            'PATCH',
            `/seller/products/${tee.id}`,
            { title: 'x' },
            { 'If-Match': '"nope"' },
          ),
          412,
          'precondition_failed',
        );
        const star = await seller.api(
          'PATCH',
          `/seller/products/${tee.id}`,
          { title: 'Star' },
          { 'If-Match': '*' },
        );
        assert.equal(star.status, 200);
      });
    });

    describe('images', () => {
      test('an uploaded image is listed on the product and served immutable', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const session = await signInWithKey(server, seller.apiKey);
        const bytes = png(40);
        const res = await uploadImage(
          server,
          tee.id,
          bytes,
          {
            Cookie: session.cookie,
            Origin: server.url,
            'Sec-Fetch-Site': 'same-origin',
            'X-CSRF-Token': session.csrfToken,
            'If-Match': tee.product.etag,
          },
          { alt: 'The shirt, folded', type: 'application/octet-stream', name: 'x.bin' },
        );
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const image = res.body.images.at(-1);
        assert.equal(res.body.images.length, 2);
        assert.equal(image.alt, 'The shirt, folded');
        assert.match(image.url, new RegExp(`^${server.url}/v1/images/img_`));
        const served = await fetch(image.url);
        assert.equal(served.status, 200);
        // The type comes from the bytes, not from what the upload declared.
        assert.equal(served.headers.get('content-type'), 'image/png');
        assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
        // Buyers see it on the public product.
        const pub = await client(server.url)('GET', `/products/${tee.id}`);
        assert.ok(pub.body.images.some((i: { url: string }) => i.url === image.url));

        const imageId = image.url.split('/').at(-1);
        const removed = await browser(server, session)(
          'DELETE',
          `/seller/products/${tee.id}/images/${imageId}`,
        );
        assert.equal(removed.status, 200, JSON.stringify(removed.body));
        assert.equal(removed.body.images.length, 1);
        assert.equal((await fetch(image.url)).status, 404);
      });

      test('an image over BIP_IMAGE_LIMIT_BYTES is refused with 413', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const big = png(IMAGE_LIMIT * 2); // a real PNG, compressed under the limit…
        const raw = Buffer.concat([big, Buffer.alloc(IMAGE_LIMIT, 1)]); // …and one that is not
        const res = await uploadImage(server, tee.id, raw, {
          Authorization: `Bearer ${seller.apiKey}`,
        });
        refused(res, 413, 'payload_too_large');
        const huge = await uploadImage(server, tee.id, Buffer.alloc(200_000, 7), {
          Authorization: `Bearer ${seller.apiKey}`,
        });
        refused(huge, 413, 'payload_too_large');
      });

      test('what is not a PNG, JPEG, WebP, GIF or AVIF by its bytes is refused with 415', async () => {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller);
        const auth = { Authorization: `Bearer ${seller.apiKey}` };
        const cases: [string, Buffer][] = [
          ['text named .png', Buffer.from('hello, not an image at all, just text\n'.repeat(3))],
          [
            'SVG (can carry script)',
            Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          ],
          ['a PDF', Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')],
          ['HTML', Buffer.from('<!doctype html><html><body><script>alert(1)</script>')],
        ];
        for (const [what, bytes] of cases) {
          const res = await uploadImage(server, tee.id, bytes, auth, { type: 'image/png' });
          refused(res, 415, 'unsupported_image_type');
          assert.equal(res.body.errors[0].field, 'file', what);
        }
        const none = await fetch(`${server.url}/v1/seller/products/${tee.id}/images`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: '{}',
        });
        assert.equal(none.status, 415);
        const after = await seller.api('GET', `/seller/products/${tee.id}`);
        assert.equal(after.body.images.length, 1);
        assert.equal(after.body.etag, tee.product.etag);
      });
    });

    describe('one seller never sees another’s', () => {
      test('products, variants, images and files of another seller are not found', async () => {
        const alice = await makeSeller(server, 'Alice');
        const mallory = await makeSeller(server, 'Mallory');
        const tee = await makeTee(alice);
        const img = await uploadImage(server, tee.id, png(), {
          Authorization: `Bearer ${alice.apiKey}`,
        });
        assert.equal(img.status, 201);
        const imageId = img.body.images.at(-1).url.split('/').at(-1);
        const session = await signInWithKey(server, mallory.apiKey);
        const asMallory = browser(server, session);
        const attempts: [string, string, unknown?][] = [
          ['GET', `/seller/products/${tee.id}`],
          ['PATCH', `/seller/products/${tee.id}`, { title: 'Stolen' }],
          ['PATCH', `/seller/products/${tee.id}`, { status: 'archived' }],
          ['POST', `/seller/products/${tee.id}/variants`, { options: { Size: 'L' }, price: 1 }],
          ['PATCH', `/seller/products/${tee.id}/variants/${tee.small}`, { stock: 0 }],
          ['DELETE', `/seller/products/${tee.id}/images/${imageId}`],
        ];
        for (const [method, path, body] of attempts) {
          refused(await asMallory(method, path, body), 404, 'not_found');
          refused(await mallory.api(method, path, body), 404, 'not_found');
        }
        const upload = await uploadImage(server, tee.id, png(), {
          Authorization: `Bearer ${mallory.apiKey}`,
        });
        refused(upload, 404, 'not_found');
        const list = await asMallory('GET', '/seller/products');
        assert.deepEqual(list.body.products, []);
        const still = await alice.api('GET', `/seller/products/${tee.id}`);
        assert.equal(still.body.title, 'Tour T-shirt');
        assert.equal(still.body.status, 'active');
        assert.equal(still.body.images.length, 2);
      });
    });

    test('archiving and restoring a product', async () => {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller);
      const session = await signInWithKey(server, seller.apiKey);
      const archived = await browser(server, session)(
        'PATCH',
        `/seller/products/${tee.id}`,
        { status: 'archived' },
        { 'If-Match': tee.product.etag },
      );
      assert.equal(archived.status, 200);
      assert.equal((await client(server.url)('GET', `/products/${tee.id}`)).status, 404);
      const restored = await browser(server, session)(
        'PATCH',
        `/seller/products/${tee.id}`,
        { status: 'active' },
        { 'If-Match': archived.body.etag },
      );
      assert.equal(restored.status, 200);
      assert.equal((await client(server.url)('GET', `/products/${tee.id}`)).status, 200);
    });
  });
}
