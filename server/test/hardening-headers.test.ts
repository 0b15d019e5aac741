// Issue 12, defect 8 (the endpoint's part): no answer said `X-Content-Type-Options: nosniff`, a
// download was served with whatever content type its seller chose (`text/html` is a page on the
// endpoint's origin), and seller answers carrying buyers' names and addresses could be cached.
// The defences: one middleware puts nosniff on every answer — errors and unknown paths included
// — downloads are always opaque bytes to save, and every seller answer is `no-store`.
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
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

const PAY = { payment: { provider: 'test', card: '4242424242424242' } };

for (const { name, skip } of dialects()) {
  describe(`answer headers (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    let orderId: string;
    let downloadUrl: string;

    before(async () => {
      server = await startTestServer(name);
      seller = await makeSeller(server);
      const tee = await makeTee(seller);
      const c = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
        email: 'ada@example.com',
        shareEmail: true,
      });
      const paid = await buyer(server.url, c.body.clientToken)(
        'POST',
        `/checkouts/${c.body.id}/confirm`,
        PAY,
      );
      orderId = paid.body.order.id;

      // A seller uploads an HTML page (or SVG with script) as its "download".
      const album = await seller.api('POST', '/seller/products', {
        title: 'Booklet',
        kind: 'digital',
        variants: [{ price: 500, stock: null }],
      });
      const upload = await fetch(
        `${server.url}/v1/seller/products/${album.body.id}/file?name=booklet.html`,
        {
          method: 'PUT',
          headers: { Authorization: `Bearer ${seller.apiKey}`, 'Content-Type': 'text/html' },
          body: '<script>alert(document.domain)</script>',
        },
      );
      assert.equal(upload.status, 200);
      const d = await createCheckout(server.url, {
        productId: album.body.id,
        variantId: album.body.variants[0].id,
        quantity: 1,
      });
      const bought = await buyer(server.url, d.body.clientToken)(
        'POST',
        `/checkouts/${d.body.id}/confirm`,
        PAY,
      );
      downloadUrl = bought.body.order.downloadUrl;
    });
    after(() => server?.close());

    test('every answer says X-Content-Type-Options: nosniff — successes, problems, unknown paths', async () => {
      const anon = client(server.url);
      const answers: [string, { status: number; headers: Headers }][] = [
        ['health', await anon('GET', '/health')],
        ['openapi', await anon('GET', '/openapi.json')],
        ['unknown product', await anon('GET', '/products/nope')],
        ['unknown route', await anon('GET', '/nowhere')],
        ['no token', await anon('GET', `/checkouts/chk_x`)],
        ['not JSON', await anon('POST', '/checkouts', 'x', { 'Content-Type': 'text/plain' })],
        ['seller', await seller.api('GET', '/seller/me')],
        ['bad seller key', await client(server.url)('GET', '/seller/orders')],
        ['download', await fetch(downloadUrl)],
        ['bad download', await fetch(`${server.url}/v1/downloads/x.y.z`)],
      ];
      const outside = await fetch(`${server.url}/not-v1`);
      answers.push(['outside /v1', outside]);
      const preflight = await fetch(`${server.url}/v1/checkouts`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://blog.example',
          'Access-Control-Request-Method': 'POST',
        },
      });
      answers.push(['preflight', preflight]);
      for (const [what, res] of answers)
        assert.equal(
          res.headers.get('x-content-type-options'),
          'nosniff',
          `${what} (${res.status}) lacks nosniff`,
        );
    });

    test('a download is opaque bytes to save, whatever type its seller gave it', async () => {
      const res = await fetch(downloadUrl);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      // Opened anyway (a browser that ignores the rest), it runs nothing and loads nothing.
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
      assert.equal(await res.text(), '<script>alert(document.domain)</script>');
    });

    test('seller answers carrying buyer data are Cache-Control: no-store', async () => {
      const answers = {
        orders: await seller.api('GET', '/seller/orders'),
        order: await seller.api('GET', `/seller/orders/${orderId}`),
        fulfilled: await seller.api('POST', `/seller/orders/${orderId}/fulfillments`, {
          carrier: 'UPS',
          trackingNumber: '1Z999',
        }),
        me: await seller.api('GET', '/seller/me'),
        deliveries: await seller.api('GET', '/seller/webhook-deliveries'),
        'unknown order': await seller.api('GET', '/seller/orders/ord_nope'),
      };
      assert.equal(answers.order.body.email, 'ada@example.com', 'the answer does carry buyer data');
      for (const [what, res] of Object.entries(answers))
        assert.match(
          res.headers.get('cache-control') ?? '',
          /\bno-store\b/,
          `${what} (${res.status}) may be cached`,
        );
    });
  });
}
