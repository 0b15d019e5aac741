import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type FakeStripe, startFakeStripe, stripeEnv, TEST_CARDS } from './doubles/stripe-api.ts';
import {
  client,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

/** GET without following redirects. */
const get = (url: string) => fetch(url, { redirect: 'manual' });

/** The content of `<meta property|name="key" content="…">`. */
function meta(html: string, key: string): string | undefined {
  const tag = html.match(new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)"`));
  return tag?.[1];
}

/** A form POST, as a browser without JavaScript sends it. */
const submit = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });

/** The fields of the page's form, as it renders them. */
function formOf(html: string) {
  return {
    action: html.match(/<form method="post" action="([^"]+)"/)?.[1],
    nonce: html.match(/name="nonce" value="([^"]+)"/)?.[1],
  };
}

const ADDRESS = {
  name: 'Ada Reader',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

for (const { name, skip } of dialects()) {
  describe(`product pages (${name})`, { skip }, () => {
    describe('reading', () => {
      let server: TestServer;
      let seller: Awaited<ReturnType<typeof makeSeller>>;
      before(async () => {
        server = await startTestServer(name);
        seller = await makeSeller(server, 'Nour & the Night Trains');
      });
      after(() => server?.close());

      test('/p/{id} and a wrong slug move (301) to the one canonical address, query kept', async () => {
        const tee = await makeTee(seller);
        const canonical = `${server.url}/p/${tee.id}/tour-t-shirt`;
        for (const path of [`/p/${tee.id}`, `/p/${tee.id}/`, `/p/${tee.id}/old-title`]) {
          const res = await get(`${server.url}${path}?utm_source=feed`);
          assert.equal(res.status, 301, path);
          assert.equal(res.headers.get('location'), `${canonical}?utm_source=feed`);
        }
        assert.equal((await get(canonical)).status, 200);
      });

      test('the page: title, price, seller, images, cards, JSON-LD, canonical and oEmbed links', async () => {
        const tee = await makeTee(seller, { price: 2500 });
        const canonical = `${server.url}/p/${tee.id}/tour-t-shirt`;
        const res = await get(canonical);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        const html = await res.text();
        assert.match(html, /<title>Tour T-shirt — Nour &amp; the Night Trains<\/title>/);
        assert.match(html, /<h1 dir="auto">Tour T-shirt<\/h1>/);
        assert.match(html, /\$25\.00/);
        assert.match(html, /<img src="https:\/\/img\.example\/tee\.jpg" alt="A black T-shirt" \/>/);
        assert.equal(meta(html, 'og:type'), 'product');
        assert.equal(meta(html, 'og:title'), 'Tour T-shirt');
        assert.equal(meta(html, 'og:url'), canonical);
        assert.equal(meta(html, 'og:image'), 'https://img.example/tee.jpg');
        assert.equal(meta(html, 'og:image:alt'), 'A black T-shirt');
        assert.equal(meta(html, 'product:price:amount'), '25.00');
        assert.equal(meta(html, 'product:price:currency'), 'USD');
        assert.equal(meta(html, 'twitter:card'), 'summary_large_image');
        assert.equal(meta(html, 'twitter:image'), 'https://img.example/tee.jpg');
        assert.match(html, new RegExp(`<link rel="canonical" href="${canonical}" />`));
        const oembed = html.match(
          /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/,
        )?.[1];
        assert.equal(
          oembed?.replaceAll('&amp;', '&'),
          `${server.url}/v1/oembed?url=${encodeURIComponent(canonical)}&format=json`,
        );
        const ld = JSON.parse(
          html.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)?.[1] ?? 'null',
        );
        assert.equal(ld['@type'], 'Product');
        assert.equal(ld.name, 'Tour T-shirt');
        assert.deepEqual(ld.image, ['https://img.example/tee.jpg']);
        assert.deepEqual(ld.offers, {
          '@type': 'AggregateOffer',
          url: canonical,
          lowPrice: '25.00',
          highPrice: '25.00',
          offerCount: 2,
          priceCurrency: 'USD',
          availability: 'https://schema.org/InStock',
          seller: { '@type': 'Organization', name: 'Nour & the Night Trains' },
        });
        // the element, with the endpoint and the page as the post that sold it
        assert.match(
          html,
          new RegExp(
            `<buy-in-post product="${tee.id}" endpoint="${server.url}" post="${canonical}">`,
          ),
        );
      });

      test('a strict policy: no inline script or style but the page’s own sheet, by hash', async () => {
        const tee = await makeTee(seller);
        const res = await get(`${server.url}/p/${tee.id}/tour-t-shirt`);
        const csp = res.headers.get('content-security-policy') ?? '';
        const html = await res.text();
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /base-uri 'none'/);
        assert.match(csp, /img-src [^;]*https:\/\/img\.example/);
        const style = html.match(/<style>(.*?)<\/style>/s)?.[1] ?? '';
        const hash = createHash('sha256').update(style).digest('base64');
        assert.match(csp, new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
        // every script is data (JSON-LD) or loaded from a source the policy names
        const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
        assert.deepEqual(inline, [' type="application/ld+json"']);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      });

      test('without Stripe the page does not offer the no-JavaScript form', async () => {
        const tee = await makeTee(seller);
        const html = await (await get(`${server.url}/p/${tee.id}/tour-t-shirt`)).text();
        assert.doesNotMatch(html, /<form/);
        assert.match(html, /Buying here needs JavaScript/);
        assert.equal((await submit(`${server.url}/p/${tee.id}/buy`, {})).status, 404);
      });

      test('everything a seller wrote is escaped, in the page and in the JSON-LD', async () => {
        const evil = '</script><script>alert(1)</script> "q" <b>';
        const res1 = await seller.api('POST', '/seller/products', {
          id: 'evil',
          title: evil,
          description: `${evil}\n\nSecond paragraph`,
          kind: 'digital',
          options: [],
          images: [{ url: 'https://img.example/x.jpg?a="b"&c=<d>', alt: evil }],
          variants: [{ id: 'evil-1', options: {}, price: 100, stock: null }],
        });
        assert.equal(res1.status, 201, JSON.stringify(res1.body));
        const first = await get(`${server.url}/p/evil`);
        const html = await (await get(first.headers.get('location')!)).text();
        assert.doesNotMatch(html, /<script>alert/);
        assert.doesNotMatch(html, /<b>/);
        assert.match(
          html,
          /&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &quot;q&quot;/,
        );
        const ld = html.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)?.[1] ?? '';
        assert.ok(!ld.includes('<'), ld);
        assert.equal(JSON.parse(ld).name, evil);
        assert.match(html, /<p>Second paragraph<\/p>/);
      });

      test('the element on the page may sell: its own origin is one every seller sells from', async () => {
        const tee = await makeTee(seller);
        const body = { productId: tee.id, variantId: tee.small, quantity: 1 };
        const own = await createCheckout(server.url, body, newKey());
        assert.equal(own.status, 201); // no Origin
        const fromPage = await client(server.url)('POST', '/checkouts', body, {
          'Idempotency-Key': newKey(),
          Origin: server.url,
        });
        assert.equal(fromPage.status, 201, JSON.stringify(fromPage.body));
        const elsewhere = await client(server.url)('POST', '/checkouts', body, {
          'Idempotency-Key': newKey(),
          Origin: 'https://evil.example',
        });
        assert.equal(elsewhere.status, 403);
      });

      test('an unknown or archived product is a 404 page', async () => {
        const unknown = await get(`${server.url}/p/no-such-thing`);
        assert.equal(unknown.status, 404);
        assert.match(await unknown.text(), /No such product/);
        const tee = await makeTee(seller);
        await seller.api('PATCH', `/seller/products/${tee.id}`, { status: 'archived' });
        assert.equal((await get(`${server.url}/p/${tee.id}/tour-t-shirt`)).status, 404);
      });

      test('the endpoint serves the built element for the page, to any origin', async (t) => {
        const tee = await makeTee(seller);
        const html = await (await get(`${server.url}/p/${tee.id}/tour-t-shirt`)).text();
        const src = html.match(/<script type="module" src="([^"]+)"/)?.[1];
        if (!src) return t.skip('the element is not built (npm run build)');
        assert.equal(src, `${server.url}/element/buy-in-post.js`);
        const res = await get(src);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        // the entry may change with a rebuild; the chunks it loads (by import(): it is one
        // self-contained file) are named by their content
        assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
        const chunk = (await res.text()).match(
          /import\(["'`]\.\/([a-z]+-[\w-]{8}\.js)["'`]\)/,
        )?.[1];
        assert.ok(chunk, 'the entry loads a chunk');
        const imported = await get(`${server.url}/element/${chunk}`);
        assert.equal(imported.status, 200);
        assert.match(imported.headers.get('cache-control') ?? '', /immutable/);
        assert.equal((await get(`${server.url}/element/..%2Fpackage.json`)).status, 404);
      });
    });

    describe('buying without JavaScript (Stripe’s hosted page)', () => {
      let server: TestServer;
      let fake: FakeStripe;
      let seller: Awaited<ReturnType<typeof makeSeller>>;
      before(async () => {
        fake = await startFakeStripe();
        server = await startTestServer(name, stripeEnv(fake));
        fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
        seller = await makeSeller(server, 'Nour');
      });
      after(async () => {
        await server?.close();
        await fake?.close();
      });

      async function formFor(id: string) {
        const res = await get(`${server.url}/p/${id}/tour-t-shirt`);
        assert.equal(res.headers.get('cache-control'), 'private, no-cache');
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, new RegExp(`form-action 'self' ${server.url} ${fake.url}`));
        return formOf(await res.text());
      }

      test('a plain form post makes a hosted checkout and goes there (303); paid, the order is the seller’s', async () => {
        const tee = await makeTee(seller, { price: 2500 });
        const { action, nonce } = await formFor(tee.id);
        assert.equal(action, `${server.url}/p/${tee.id}/buy`);
        assert.ok(nonce);
        const form = {
          nonce,
          variant: tee.medium,
          quantity: '2',
          email: 'ada@example.com',
          ...ADDRESS,
        };
        const res = await submit(action!, form);
        assert.equal(res.status, 303);
        const hosted = res.headers.get('location')!;
        assert.ok(hosted.startsWith(`${fake.url}/c/pay/`), hosted);
        // the same form sent twice (a double press): the same checkout
        const again = await submit(action!, form);
        assert.equal(again.headers.get('location'), hosted);

        const paid = await submit(hosted, {
          card: TEST_CARDS.success,
          name: ADDRESS.name,
          line1: ADDRESS.line1,
          city: ADDRESS.city,
          postal_code: ADDRESS.postalCode,
          country: 'US',
        });
        assert.equal(paid.status, 303);
        const back = new URL(paid.headers.get('location')!);
        assert.equal(`${back.origin}${back.pathname}`, `${server.url}/p/${tee.id}/tour-t-shirt`);
        const page = await (
          await get(`${back.href.replace(/bip_session=[^&]*&?/, '')}&bip_return=done`)
        ).text();
        assert.match(page, /your payment went through/);
        await fake.idle(); // the webhook that says it is paid
        const { orders } = (await seller.api('GET', '/seller/orders')).body;
        assert.equal(orders.length, 1);
        assert.equal(orders[0]!.quantity, 2);
        assert.equal(orders[0]!.postRef, `${server.url}/p/${tee.id}/tour-t-shirt`);
      });

      test('a form with a field left out comes back (422) with what was typed and what to fix', async () => {
        const tee = await makeTee(seller);
        const { action, nonce } = await formFor(tee.id);
        const res = await submit(action!, {
          nonce: nonce!,
          variant: tee.small,
          quantity: '1',
          ...ADDRESS,
          city: '',
        });
        assert.equal(res.status, 422);
        const html = await res.text();
        assert.match(html, /role="alert"/);
        assert.match(html, /<li>City: /);
        assert.match(html, /value="1 Main St"/);
        // the same key, since nothing was made with it
        assert.equal(formOf(html).nonce, nonce);
      });

      test('a refusal (sold out) is shown, with a fresh key for the next try', async () => {
        const tee = await makeTee(seller, { stock: 0 });
        const res1 = await seller.api(
          'PATCH',
          `/seller/products/${tee.id}/variants/${tee.medium}`,
          { stock: 1 },
        );
        assert.ok(res1.status < 300, JSON.stringify(res1.body));
        const { action, nonce } = await formFor(tee.id);
        const res = await submit(action!, {
          nonce: nonce!,
          variant: tee.small,
          quantity: '1',
          ...ADDRESS,
        });
        assert.equal(res.status, 409);
        const html = await res.text();
        assert.match(html, /role="alert"/);
        assert.notEqual(formOf(html).nonce, nonce);
      });

      test('a post from another site is judged by the seller’s sites, as the protocol’s would be', async () => {
        const tee = await makeTee(seller);
        const { action, nonce } = await formFor(tee.id);
        const form = { nonce: nonce!, variant: tee.small, quantity: '1', ...ADDRESS };
        const foreign = await submit(action!, form, { Origin: 'https://evil.example' });
        assert.equal(foreign.status, 403);
        assert.match(await foreign.text(), /may not sell/);
      });
    });
  });
}
