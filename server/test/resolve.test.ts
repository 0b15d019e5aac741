import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import {
  client,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

for (const { name, skip } of dialects()) {
  describe(`resolve (${name})`, { skip }, () => {
    let server: TestServer;
    let seller: Awaited<ReturnType<typeof makeSeller>>;
    const api = () => client(server.url);
    const resolve = (urls: string[], headers: Record<string, string> = {}) =>
      api()('GET', `/resolve?urls=${urls.map(encodeURIComponent).join(',')}`, undefined, headers);

    before(async () => {
      server = await startTestServer(name);
      seller = await makeSeller(server, 'Nour');
    });
    after(() => server?.close());

    test('product pages of this endpoint, with or without slug, map to their product', async () => {
      const tee = await makeTee(seller);
      const urls = [
        `${server.url}/p/${tee.id}`,
        `${server.url}/p/${tee.id}/tour-t-shirt`,
        `${server.url}/p/${tee.id}/an-old-title/?utm_source=x#top`,
      ];
      const res = await resolve(urls);
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.resolved,
        urls.map((url) => ({ url, productId: tee.id })),
      );
      assert.deepEqual(res.body.missing, []);
    });

    test("a product's own url counts; unknown URLs and other paths are missing, as asked", async () => {
      const own = `https://nour.example/shop/${Math.random().toString(36).slice(2)}`;
      const res1 = await seller.api('POST', '/seller/products', {
        id: `own-${Math.random().toString(36).slice(2, 8)}`,
        title: 'Poster',
        kind: 'physical',
        url: own,
        options: [],
        images: [],
        variants: [
          { id: `v-${Math.random().toString(36).slice(2, 8)}`, options: {}, price: 1500, stock: 5 },
        ],
      });
      assert.equal(res1.status, 201);
      const id = res1.body.id;
      const asked = [
        `${own}/`, // a trailing slash the seller did not write
        `${own}#photos`,
        'https://news.example/story,with,commas',
        `${server.url}/p/nope-${id}`,
        `${server.url}/products/${id}`,
        `${server.url}/p/${id}/slug/extra`,
      ];
      const res = await resolve(asked);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.resolved, [
        { url: asked[0], productId: id },
        { url: asked[1], productId: id },
      ]);
      assert.deepEqual(res.body.missing, asked.slice(2));
    });

    test("a product's own url is looked up through an index, not by reading every product", async () => {
      const db = server.app.db.kysely;
      const query = db
        .selectFrom('products')
        .select(['id', 'url'])
        .where('url', 'in', ['https://shop.example/a', 'https://shop.example/b'])
        .where('status', '=', 'active')
        .compile();
      const plan =
        name === 'sqlite'
          ? await db.executeQuery(
              CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
            )
          : await db.connection().execute(async (c) => {
              // The table is small: asked to avoid a sequential scan, the planner shows the index.
              await sql`SET enable_seqscan = off`.execute(c);
              try {
                return await c.executeQuery(
                  CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]),
                );
              } finally {
                await sql`RESET enable_seqscan`.execute(c);
              }
            });
      assert.match(JSON.stringify(plan.rows), /products_url/);
    });

    test('an archived product resolves no more', async () => {
      const tee = await makeTee(seller);
      const url = `${server.url}/p/${tee.id}`;
      assert.equal((await resolve([url])).body.resolved.length, 1);
      await seller.api('PATCH', `/seller/products/${tee.id}`, { status: 'archived' });
      const res = await resolve([url], { 'Cache-Control': 'no-cache' });
      assert.deepEqual(res.body, { resolved: [], missing: [url] });
    });

    test('repeats are answered once; 50 URLs are fine, 51 or none are a problem', async () => {
      const tee = await makeTee(seller);
      const url = `${server.url}/p/${tee.id}`;
      const twice = await resolve([url, url]);
      assert.deepEqual(twice.body.resolved, [{ url, productId: tee.id }]);
      const fifty = Array.from({ length: 50 }, (_, i) => `https://x.example/${i}`);
      assert.equal((await resolve(fifty)).status, 200);
      const tooMany = await resolve([...fifty, 'https://x.example/50']);
      assert.equal(tooMany.status, 422);
      assert.equal(tooMany.body.code, 'validation_failed');
      assert.match(tooMany.headers.get('content-type') ?? '', /problem\+json/);
      const none = await api()('GET', '/resolve?urls=');
      assert.equal(none.status, 422);
      assert.equal((await api()('GET', '/resolve')).status, 422);
    });

    test('cacheable: Cache-Control, an ETag, and a 304 for it', async () => {
      const tee = await makeTee(seller);
      const res = await resolve([`${server.url}/p/${tee.id}`]);
      assert.match(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
      const etag = res.headers.get('etag');
      assert.ok(etag);
      const again = await resolve([`${server.url}/p/${tee.id}`], { 'If-None-Match': etag });
      assert.equal(again.status, 304);
    });

    test('pages of sellers’ sites may ask (CORS), as they may look products up', async () => {
      const res = await fetch(`${server.url}/v1/resolve?urls=https://a.example/`, {
        headers: { Origin: 'https://blog.example' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://blog.example');
      const other = await fetch(`${server.url}/v1/resolve?urls=https://a.example/`, {
        headers: { Origin: 'https://evil.example' },
      });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    });
  });
}
