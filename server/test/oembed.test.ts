import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  client,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`oEmbed (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    const api = () => client(server.url);
    const oembed = (query: Record<string, string>) =>
      api()('GET', `/oembed?${new URLSearchParams(query)}`);

    before(async () => {
      server = await startTestServer(name, {
        BIP_ELEMENT_SCRIPT_URL: 'https://cdn.example/bip/buy-in-post.js',
      });
      seller = await makeSeller(server, 'Nour <& the Night Trains>');
    });
    after(() => server?.close());

    test('a product page URL gets a rich answer: the element with a plain link inside', async () => {
      const tee = await makeTee(seller, { price: 2500 });
      const res = await oembed({ url: `${server.url}/p/${tee.id}`, format: 'json' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const page = `${server.url}/p/${tee.id}/tour-t-shirt`;
      assert.deepEqual(res.body, {
        version: '1.0',
        type: 'rich',
        title: 'Tour T-shirt',
        author_name: 'Nour <& the Night Trains>',
        provider_name: new URL(server.url).host,
        provider_url: server.url,
        cache_age: 3600,
        html: `<script type="module" src="https://cdn.example/bip/buy-in-post.js"></script><buy-in-post product="${tee.id}" endpoint="${server.url}"><a href="${page}">Tour T-shirt — $25.00</a></buy-in-post>`,
        width: 400,
        height: 56,
      });
    });

    test("a product's own url works too, and format defaults to json", async () => {
      const tee = await makeTee(seller);
      const res = await oembed({ url: 'https://shop.example/tee' });
      assert.equal(res.status, 200);
      assert.equal(res.body.type, 'rich');
      // makeTee gives every tee that url: the oldest keeps it
      assert.notEqual(res.body.html.indexOf('product="tee-'), -1);
      assert.ok(tee.id);
    });

    test('maxwidth and maxheight are honoured', async () => {
      const tee = await makeTee(seller);
      const res = await oembed({
        url: `${server.url}/p/${tee.id}`,
        maxwidth: '300',
        maxheight: '40',
      });
      assert.equal(res.body.width, 300);
      assert.equal(res.body.height, 40);
      const wide = await oembed({ url: `${server.url}/p/${tee.id}`, maxwidth: '2000' });
      assert.equal(wide.body.width, 400);
      const bad = await oembed({ url: `${server.url}/p/${tee.id}`, maxwidth: '-3' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.code, 'validation_failed');
    });

    test('an unknown or archived product is 404; xml (any format but json) is 501', async () => {
      const unknown = await oembed({ url: 'https://news.example/story', format: 'json' });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'not_found');
      const tee = await makeTee(seller);
      await seller.api('PATCH', `/seller/products/${tee.id}`, { status: 'archived' });
      assert.equal((await oembed({ url: `${server.url}/p/${tee.id}` })).status, 404);
      const xml = await oembed({ url: `${server.url}/p/${tee.id}`, format: 'xml' });
      assert.equal(xml.status, 501);
      assert.match(xml.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal((await api()('GET', '/oembed')).status, 422);
    });

    test('markup in titles is escaped in the snippet', async () => {
      const res1 = await seller.api('POST', '/seller/products', {
        id: 'odd-title',
        title: 'A "quoted" <b>bold</b> & more',
        kind: 'digital',
        options: [],
        images: [],
        variants: [{ id: 'odd-title-1', options: {}, price: 500, stock: null }],
      });
      assert.equal(res1.status, 201);
      const res = await oembed({ url: `${server.url}/p/odd-title` });
      assert.equal(res.status, 200);
      assert.ok(!res.body.html.includes('<b>'), res.body.html);
      assert.match(
        res.body.html,
        /A &quot;quoted&quot; &lt;b&gt;bold&lt;\/b&gt; &amp; more — \$5\.00<\/a>/,
      );
    });
  });
}
