// The product look-ups kept in memory (services/product-cache.ts): a seller's change is seen on
// the next look-up by every process on the database, availability is never older than
// BIP_PRODUCT_CACHE_MS, a client asking for no cache reads the database, and what is kept is
// byte for byte what a fresh read answers.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ChangeFeed, ChangeListener } from '../src/db/changes.ts';
import {
  ProductCache,
  type ProductsAnswer,
  utf8,
  weakEtag,
} from '../src/services/product-cache.ts';
import { ManualClock } from './helpers/clock.ts';
import { type ChildServer, startChildServer, waitFor } from './helpers/processes.ts';
import {
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/** Long enough that nothing in a test expires by itself: only a change can refresh a look-up. */
const KEEP_MS = 60_000;

interface Look {
  status: number;
  etag: string | null;
  body: any;
  text: string;
}

async function look(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/v1${path}`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    body: text ? JSON.parse(text) : null,
    text,
  } satisfies Look;
}

const variant = (product: any, id: string) =>
  product.variants.find((v: { id: string }) => v.id === id);

/**
 * Whether the server at `base` answers `tee`'s look-up from memory: its own checkout (which
 * does not refresh what is kept) does not show in the next look-up.
 */
async function keeps(base: string, tee: { id: string; small: string }) {
  const path = `/products?ids=${tee.id}`;
  const before = await look(base, path);
  await createCheckout(base, { productId: tee.id, variantId: tee.small, quantity: 1 });
  return (await look(base, path)).text === before.text;
}

for (const { name, skip } of dialects()) {
  describe(`product look-ups kept in memory (${name})`, { skip }, () => {
    describe('two server processes on one database', () => {
      let a: TestServer;
      let b: ChildServer;
      let seller: Awaited<ReturnType<typeof makeSeller>>;
      const clock = new ManualClock();
      before(async () => {
        // `a` runs in this process on a clock the test moves; `b` is another OS process.
        a = await startTestServer(name, { BIP_PRODUCT_CACHE_MS: String(KEEP_MS) }, { clock });
        b = await startChildServer(a.databaseUrl, { BIP_PRODUCT_CACHE_MS: String(KEEP_MS) });
        seller = await makeSeller(a, 'Nour');
        // On PostgreSQL a process keeps nothing until it listens for the others' changes: wait
        // until both keep, or the tests below could pass with nothing kept at all.
        await waitFor(() => a.app.db.changes.live, 10_000, 'a listening');
        const witness = await makeTee(seller, { stock: 1_000 });
        await waitFor(() => keeps(b.url, witness), 10_000, 'b keeping look-ups');
      });
      after(async () => {
        await b?.stop();
        await a?.close();
      });

      /** Both processes have answered (and kept) `path`; returns their answers. */
      const warm = async (path: string) => {
        const fromA = await look(a.url, path);
        const fromB = await look(b.url, path);
        assert.equal(fromA.status, fromB.status);
        return { fromA, fromB };
      };

      // Fresher is never wrong: on PostgreSQL another commit may refresh the memory early, so
      // the "still as it was" half is checked where nothing else commits (SQLite).
      test('a checkout does not refresh what is kept; BIP_PRODUCT_CACHE_MS later it shows', {
        skip:
          name === 'postgres' && 'PostgreSQL may refresh early (other commits); checked on SQLite',
      }, async () => {
        const tee = await makeTee(seller, { stock: 8 });
        const path = `/products?ids=${tee.id}`;
        const { fromA } = await warm(path);
        assert.equal(variant(fromA.body.products[0], tee.small).maxQuantity, 8);
        // Made through `a`: no other connection commits, so even SQLite's check sees nothing.
        const held = await createCheckout(a.url, {
          productId: tee.id,
          variantId: tee.small,
          quantity: 3,
        });
        assert.equal(held.status, 201);
        const kept = await look(a.url, path);
        assert.equal(kept.text, fromA.text, 'answered from memory, as it was');
        clock.advance(KEEP_MS - 1);
        assert.equal((await look(a.url, path)).text, fromA.text, 'still within the bound');
        clock.advance(1);
        const later = await look(a.url, path);
        assert.equal(variant(later.body.products[0], tee.small).maxQuantity, 5);
        assert.notEqual(later.etag, fromA.etag);
      });

      test('a product changed through one process is seen on the next look-up of the other', async () => {
        const tee = await makeTee(seller, { stock: 10, price: 2500 });
        const batch = `/products?ids=${tee.id},nope`;
        const one = `/products/${tee.id}`;
        const before = await warm(batch);
        await warm(one);

        // The title, through `a`: `b` sees it at once.
        assert.equal(
          (await seller.api('PATCH', `/seller/products/${tee.id}`, { title: 'Night Tee' })).status,
          200,
        );
        const afterTitle = await look(b.url, batch, { 'If-None-Match': before.fromB.etag! });
        assert.equal(afterTitle.status, 200);
        assert.equal(afterTitle.body.products[0].title, 'Night Tee');
        assert.notEqual(afterTitle.etag, before.fromB.etag);
        assert.equal((await look(b.url, one)).body.title, 'Night Tee');
        assert.equal((await look(a.url, one)).body.title, 'Night Tee');

        // A price and the stock, through `b`: `a` sees them at once.
        const viaB = client(b.url, { Authorization: `Bearer ${seller.apiKey}` });
        const changed = await viaB('PATCH', `/seller/products/${tee.id}/variants/${tee.medium}`, {
          price: 1900,
          stock: 2,
        });
        assert.equal(changed.status, 200);
        const seen = await look(a.url, batch);
        assert.deepEqual(variant(seen.body.products[0], tee.medium).price, {
          amount: 1900,
          currency: 'USD',
        });
        assert.equal(variant(seen.body.products[0], tee.medium).availability, 'low_stock');
        assert.equal(variant((await look(a.url, one)).body, tee.medium).maxQuantity, 2);

        // Archived through `a`: `b` lists it as missing, and its own page is gone.
        await seller.api('PATCH', `/seller/products/${tee.id}`, { status: 'archived' });
        assert.deepEqual((await look(b.url, batch)).body, {
          products: [],
          missing: [tee.id, 'nope'],
        });
        assert.equal((await look(b.url, one)).status, 404);
      });

      test('a product looked up before it exists is found once made elsewhere; a new variant shows', async () => {
        const id = `later-${Date.now()}`;
        const { fromA, fromB } = await warm(`/products?ids=${id}`);
        assert.deepEqual(fromA.body.missing, [id]);
        assert.deepEqual(fromB.body.missing, [id]);
        const viaB = client(b.url, { Authorization: `Bearer ${seller.apiKey}` });
        const made = await viaB('POST', '/seller/products', {
          id,
          title: 'Poster',
          kind: 'physical',
          options: [{ name: 'Size', values: ['A3', 'A2'] }],
          variants: [{ options: { Size: 'A3' }, price: 1500, stock: 5 }],
        });
        assert.equal(made.status, 201);
        assert.equal((await look(a.url, `/products?ids=${id}`)).body.products[0].id, id);
        await warm(`/products/${id}`);
        const added = await seller.api('POST', `/seller/products/${id}/variants`, {
          options: { Size: 'A2' },
          price: 2500,
          stock: 5,
        });
        assert.equal(added.status, 201);
        const seen = (await look(b.url, `/products/${id}`)).body;
        assert.deepEqual(
          seen.variants.map((v: { options: { Size: string } }) => v.options.Size),
          ['A3', 'A2'],
        );
      });

      test("a seller's name and shipping zones, changed through one process, show on the other", async () => {
        const tee = await makeTee(seller);
        const path = `/products?ids=${tee.id}`;
        const { fromA } = await warm(path);
        assert.deepEqual(fromA.body.products[0].shipsTo, ['DE', 'FR', 'GB', 'US']);
        const viaB = client(b.url, { Authorization: `Bearer ${seller.apiKey}` });
        const res = await viaB('PATCH', '/seller/me', {
          name: 'Nour Studio',
          shippingZones: [{ name: 'Home', countries: ['US'], rate: 500, freeOver: null }],
        });
        assert.equal(res.status, 200);
        const seen = (await look(a.url, path)).body.products[0];
        assert.equal(seen.seller.name, 'Nour Studio');
        assert.deepEqual(seen.shipsTo, ['US']);
      });
    });

    describe('one process', () => {
      let server: TestServer;
      let seller: Awaited<ReturnType<typeof makeSeller>>;
      before(async () => {
        server = await startTestServer(name, { BIP_PRODUCT_CACHE_MS: String(KEEP_MS) });
        seller = await makeSeller(server);
        await waitFor(() => server.app.db.changes.live, 10_000, 'listening');
      });
      after(() => server?.close());

      test('what is kept is byte for byte what a fresh read answers, and revalidates to 304', async () => {
        const a = await makeTee(seller);
        const b = await makeTee(seller);
        const path = `/products?ids=${b.id},nope,${a.id},${b.id}`;
        const first = await look(server.url, path);
        const kept = await look(server.url, path);
        const fresh = await look(server.url, path, { 'Cache-Control': 'no-cache' });
        assert.equal(kept.text, first.text);
        assert.equal(fresh.text, first.text);
        assert.equal(fresh.etag, first.etag);
        assert.deepEqual(
          first.body.products.map((p: { id: string }) => p.id),
          [b.id, a.id],
        );
        assert.deepEqual(first.body.missing, ['nope']);
        // The same products, asked for one by one, are the same JSON.
        const one = await look(server.url, `/products/${a.id}`);
        assert.deepEqual(one.body, first.body.products[1]);
        assert.equal((await look(server.url, path, { 'If-None-Match': first.etag! })).status, 304);
        assert.equal(
          (await look(server.url, `/products/${a.id}`, { 'If-None-Match': `"x", ${one.etag}` }))
            .status,
          304,
        );
      });

      test('a kept answer carries every header the first answer did (CORS, Vary, nosniff), 200 and 304', async () => {
        // Kept answers go out ahead of the middleware (routes/products.ts: keptProducts), with
        // what the middleware would have added: the headers must be the same, for an origin a
        // seller lists, one none does, and no origin at all.
        // node:http, not fetch: fetch() adds `Cache-Control: no-cache` to a request with
        // If-None-Match (the Fetch standard), which the kept answers rightly pass by.
        const headersOf = (path: string, sent: Record<string, string>) =>
          new Promise<{ status: number; headers: [string, string][] }>((resolve, reject) => {
            http
              .get(`${server.url}/v1${path}`, { headers: sent }, (res) => {
                res.resume();
                res.on('end', () => {
                  const headers = Object.entries(res.headers as Record<string, string>);
                  resolve({
                    status: res.statusCode!,
                    headers: headers.filter(([k]) => k !== 'date').sort(),
                  });
                });
              })
              .on('error', reject);
          });
        const ours = (h: [string, string][], name: string) => h.find(([k]) => k === name)?.[1];
        // The look-ups the routes make (what a kept answer skips).
        const { lookups } = server.app.services.catalog;
        let reads = 0;
        for (const name of ['lookUp', 'lookUpOne'] as const) {
          const read = lookups[name].bind(lookups) as (...args: unknown[]) => never;
          lookups[name] = ((...args: unknown[]) => {
            reads++;
            return read(...args);
          }) as never;
        }
        for (const one of [false, true]) {
          for (const origin of ['https://blog.example', 'https://evil.example', undefined]) {
            const tee = await makeTee(seller);
            const path = one ? `/products/${tee.id}` : `/products?ids=${tee.id},nope`;
            const sent: Record<string, string> = origin ? { Origin: origin } : {};
            const said = `${path} from ${origin ?? 'no origin'}`;
            // Read through the routes (no-cache), 200 then 304, and kept; then the same from
            // memory: the routes' reads are counted, and none is made.
            const fresh = await headersOf(path, { ...sent, 'Cache-Control': 'no-cache' });
            const etag = ours(fresh.headers, 'etag')!;
            const freshNotModified = await headersOf(path, {
              ...sent,
              'If-None-Match': etag,
              'Cache-Control': 'no-cache',
            });
            // Any change heard since (on SQLite the first writes after a start may show as
            // another connection's, once) is heard here: a read, kept again.
            await headersOf(path, sent);
            const readsBefore = reads;
            const kept = await headersOf(path, sent);
            const keptNotModified = await headersOf(path, { ...sent, 'If-None-Match': etag });
            assert.equal(reads, readsBefore, `${said}: answered from memory`);
            assert.equal(
              ours(kept.headers, 'access-control-allow-origin'),
              origin === 'https://blog.example' ? origin : undefined,
              said,
            );
            assert.deepEqual(kept, fresh, said);
            assert.equal(keptNotModified.status, 304);
            assert.deepEqual(keptNotModified, freshNotModified, `${said}: 304`);
          }
        }
      });

      test('a look-up asking for no cache reads the database (what the element does after out_of_stock)', async () => {
        const tee = await makeTee(seller, { stock: 4 });
        const path = `/products/${tee.id}`;
        assert.equal(variant((await look(server.url, path)).body, tee.small).maxQuantity, 4);
        await createCheckout(server.url, { productId: tee.id, variantId: tee.small, quantity: 4 });
        assert.equal(variant((await look(server.url, path)).body, tee.small).maxQuantity, 4);
        // fetch(url, { cache: 'no-cache' }) sends max-age=0
        const fresh = await look(server.url, path, { 'Cache-Control': 'max-age=0' });
        assert.equal(variant(fresh.body, tee.small).availability, 'out_of_stock');
        // ... and what it read is kept for the next reader.
        assert.equal(variant((await look(server.url, path)).body, tee.small).maxQuantity, 0);
      });

      test('an invalid query is refused every time, never answered from memory', async () => {
        const tee = await makeTee(seller);
        for (const query of ['', `${tee.id},a%00b`, `${tee.id},${'x'.repeat(65)}`]) {
          assert.equal((await look(server.url, `/products?ids=${query}`)).status, 422);
          assert.equal((await look(server.url, `/products?ids=${query}`)).status, 422);
        }
        assert.equal((await look(server.url, `/products?ids=${tee.id}`)).status, 200);
      });
    });

    test('BIP_PRODUCT_CACHE_MS=0 keeps nothing', async () => {
      const server = await startTestServer(name, { BIP_PRODUCT_CACHE_MS: '0' });
      try {
        const seller = await makeSeller(server);
        const tee = await makeTee(seller, { stock: 3 });
        const path = `/products?ids=${tee.id}`;
        assert.equal(
          variant((await look(server.url, path)).body.products[0], tee.small).maxQuantity,
          3,
        );
        await createCheckout(server.url, { productId: tee.id, variantId: tee.small, quantity: 1 });
        assert.equal(
          variant((await look(server.url, path)).body.products[0], tee.small).maxQuantity,
          2,
        );
      } finally {
        await server.close();
      }
    });

    if (name === 'postgres')
      test('while its listening connection is lost, a process keeps nothing; it listens again', async () => {
        const server = await startTestServer(name, { BIP_PRODUCT_CACHE_MS: String(KEEP_MS) });
        const admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
        await admin.connect();
        try {
          const seller = await makeSeller(server);
          const tee = await makeTee(seller, { stock: 6 });
          const path = `/products?ids=${tee.id}`;
          await waitFor(() => server.app.db.changes.live, 10_000, 'listening');
          await look(server.url, path);
          const schema = new URL(server.databaseUrl).searchParams.get('schema');
          const killed = await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`,
            [`bip_changes.${schema}`],
          );
          assert.equal(killed.rowCount, 1, 'one listening connection per process');
          await waitFor(() => !server.app.db.changes.live, 10_000, 'the loss noticed');
          // Changes made meanwhile by other processes went unheard: nothing kept before the
          // loss is used again — not while it is lost, nor once it listens again.
          await createCheckout(server.url, {
            productId: tee.id,
            variantId: tee.small,
            quantity: 2,
          });
          assert.equal(
            variant((await look(server.url, path)).body.products[0], tee.small).maxQuantity,
            4,
          );
          await waitFor(() => server.app.db.changes.live, 10_000, 'listening again');
          const kept = await look(server.url, path);
          await createCheckout(server.url, {
            productId: tee.id,
            variantId: tee.small,
            quantity: 1,
          });
          assert.equal((await look(server.url, path)).text, kept.text, 'kept again');
        } finally {
          await admin.end();
          await server.close();
        }
      });
  });
}

describe('ProductCache', () => {
  /** A change feed the test drives: it says what other processes changed, and when it listens. */
  class FakeFeed implements ChangeFeed {
    live = true;
    readonly listeners = new Set<ChangeListener>();
    publish = async () => {};
    subscribe(l: ChangeListener) {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    }
    poll() {}
    sync = async () => {};
    close = async () => {};
    hear(topic: string | null) {
      for (const l of this.listeners) l.changed(topic);
    }
    setLive(live: boolean) {
      this.live = live;
      for (const l of this.listeners) l.live(live);
    }
  }
  const answer = (text: string): ProductsAnswer => {
    const body = utf8(text);
    return { body, etag: weakEtag(body) };
  };
  const setUp = (opts: { maxProducts?: number; maxAnswerBytes?: number } = {}) => {
    const clock = new ManualClock();
    const feed = new FakeFeed();
    const cache = new ProductCache({ ttlMs: 1_000, clock, changes: feed, ...opts });
    return { clock, feed, cache };
  };

  test('kept for less than the bound, from when the read began; a clock set back expires it', () => {
    const { clock, cache } = setUp();
    const ticket = cache.ticket();
    clock.advance(400); // the read took 400 ms
    cache.keepAnswer(ticket, ticket.at, '?a', answer('{"a":1}'));
    cache.keepProducts(ticket, [['a', '{"a":1}']]);
    clock.advance(599);
    assert.ok(cache.answer('?a'));
    assert.ok(cache.product('a'));
    clock.advance(1);
    assert.equal(cache.answer('?a'), undefined);
    assert.equal(cache.product('a'), undefined);
    const again = cache.ticket();
    cache.keepAnswer(again, again.at, '?a', answer('{"a":2}'));
    clock.advance(-1);
    assert.equal(cache.answer('?a'), undefined);
  });

  test('a load begun before a change keeps nothing, and no later look-up joins it', async () => {
    const { feed, cache } = setUp();
    const ticket = cache.ticket();
    let finish: (a: ProductsAnswer) => void = () => {};
    const slow = cache.shared('?a', () => new Promise((resolve) => (finish = resolve)));
    feed.hear('product:a');
    let loads = 0;
    const fresh = cache.shared('?a', async () => {
      loads++;
      return answer('{"new":true}');
    });
    assert.equal(loads, 1, 'a look-up after the change starts its own read');
    finish(answer('{"old":true}'));
    await slow;
    cache.keepAnswer(ticket, ticket.at, '?a', answer('{"old":true}'));
    cache.keepProducts(ticket, [['a', '{"old":true}']]);
    assert.equal(cache.answer('?a'), undefined);
    assert.equal(cache.product('a'), undefined);
    assert.equal((await fresh).body.toString(), '{"new":true}');
  });

  test('a product changed forgets it and every answer; a seller or an unknown change, everything', () => {
    const { feed, cache } = setUp();
    const keep = () => {
      const t = cache.ticket();
      cache.keepProducts(t, [
        ['a', '{}'],
        ['b', null],
      ]);
      cache.keepAnswer(t, t.at, '?b', answer('{}'));
    };
    keep();
    feed.hear('product:a');
    assert.equal(cache.product('a'), undefined);
    assert.ok(cache.product('b'));
    assert.equal(cache.answer('?b'), undefined);
    for (const topic of ['seller:s1', null]) {
      keep();
      feed.hear(topic);
      assert.equal(cache.product('a'), undefined);
      assert.equal(cache.product('b'), undefined);
    }
    keep();
    feed.hear('checkout:c1'); // not the catalogue's
    assert.ok(cache.product('a'));
  });

  test('while the feed is not live nothing is kept or answered; live again, it starts empty', () => {
    const { feed, cache } = setUp();
    const before = cache.ticket();
    cache.keepProducts(before, [['a', '{}']]);
    feed.setLive(false);
    assert.equal(cache.product('a'), undefined);
    const during = cache.ticket();
    cache.keepProducts(during, [['a', '{}']]);
    cache.keepAnswer(during, during.at, '?a', answer('{}'));
    assert.equal(cache.answer('?a'), undefined);
    feed.setLive(true);
    assert.equal(cache.product('a'), undefined, 'what was kept before the loss is gone');
    assert.equal(cache.answer('?a'), undefined);
    const after = cache.ticket();
    cache.keepProducts(after, [['a', '{}']]);
    assert.ok(cache.product('a'));
  });

  test('memory is bounded: the oldest products and answers go first', () => {
    const { cache } = setUp({ maxProducts: 2, maxAnswerBytes: 10 });
    const t = cache.ticket();
    cache.keepProducts(t, [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    assert.equal(cache.product('a'), undefined);
    assert.ok(cache.product('b') && cache.product('c'));
    cache.keepAnswer(t, t.at, '?1', answer('12345'));
    cache.keepAnswer(t, t.at, '?2', answer('12345'));
    cache.keepAnswer(t, t.at, '?3', answer('123'));
    assert.equal(cache.answer('?1'), undefined);
    assert.ok(cache.answer('?2') && cache.answer('?3'));
  });
});
