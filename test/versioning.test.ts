// Version negotiation (docs/versioning.md): the element speaks protocol v1. When a product
// look-up fails on an endpoint that answered, it asks `GET /v1/health` which versions the
// endpoint serves, and says plainly — in the element's language — when it cannot speak to it,
// instead of a broken button. The reference endpoint is real; the endpoints of another version
// do not exist yet, so the page's fetch answers for their (made-up) origins as they would.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import { servedVersions } from '../src/internal/negotiate.ts';
import { buyButton, CATALOGUE, ENDPOINT } from './helpers/fixtures.ts';

type Answer = { status: number; body: unknown; type?: string };
/** Endpoints of other versions, by origin: what each path answers (404 otherwise). */
const fakes = new Map<string, (path: string) => Answer>();
const realFetch = window.fetch;
const asked: string[] = [];

function problem404(): Answer {
  return {
    status: 404,
    type: 'application/problem+json',
    body: { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found' },
  };
}

before(() => {
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const fake = fakes.get(url.origin);
    if (!fake) return realFetch(input, init);
    asked.push(url.pathname);
    const a = fake(url.pathname);
    return Promise.resolve(
      new Response(a.body === undefined ? null : JSON.stringify(a.body), {
        status: a.status,
        headers: { 'Content-Type': a.type ?? 'application/json' },
      }),
    );
  };
  // A v2-only endpoint: no /v1 routes, but its /v1/health says what it serves.
  fakes.set('https://v2.shop.test', (path) =>
    path === '/v1/health'
      ? { status: 200, body: { status: 'ok', version: '2.0.0', protocols: ['2', '3'] } }
      : problem404(),
  );
  // Something that is no commerce endpoint at all: every path is 404.
  fakes.set('https://not-a-shop.test', () => ({
    status: 404,
    body: 'Not Found',
    type: 'text/html',
  }));
});
after(() => {
  window.fetch = realFetch;
});

const notice = (el: BuyInPost) =>
  el.shadowRoot!.querySelector<HTMLElement>('[part="error"][role="note"]');

async function mount(endpoint: string, locale = '') {
  return fixture<BuyInPost>(
    html`<buy-in-post product="tour-tee" endpoint=${endpoint} locale=${locale}></buy-in-post>`,
  );
}

describe('version negotiation', () => {
  it('an endpoint serving other versions only: says which, and that the site must update', async () => {
    const el = await mount('https://v2.shop.test');
    await waitUntil(() => notice(el), 'the notice shows', { timeout: 5_000 });
    expect(notice(el)!.textContent).to.equal(
      'This shop’s endpoint speaks protocol v2, v3; this Buy button speaks v1. The site needs to update it.',
    );
    expect(buyButton(el)).to.equal(null);
    expect(asked).to.include('/v1/health');
    await expect(el).to.be.accessible();
  });

  it('says it in Arabic, right to left, when the element speaks Arabic', async () => {
    const el = await mount('https://v2.shop.test', 'ar');
    await waitUntil(() => notice(el), 'the notice shows', { timeout: 5_000 });
    expect(notice(el)!.textContent).to.equal(
      'خادم هذا المتجر يتحدث البروتوكول v2, v3، وزر الشراء هذا يتحدث الإصدار 1. على الموقع أن يحدّثه.',
    );
    expect(notice(el)!.getAttribute('dir')).to.equal('rtl');
    await expect(el).to.be.accessible();
  });

  it('an address that answers no protocol v1 at all (no health check): says so', async () => {
    const el = await mount('https://not-a-shop.test');
    await waitUntil(() => notice(el), 'the notice shows', { timeout: 5_000 });
    expect(notice(el)!.textContent).to.equal(
      'This shop’s endpoint does not speak protocol v1, the one this Buy button speaks.',
    );
  });

  it('an endpoint that cannot be reached is not called incompatible: the product link stays', async () => {
    // Nothing listens on port 9: no answer at all, so no version can be asked.
    const el = await mount('http://127.0.0.1:9');
    await waitUntil(() => el.shadowRoot!.querySelector('slot a'), 'the product page link shows', {
      timeout: 5_000,
    });
    expect(notice(el)).to.equal(null);
  });

  it('the reference endpoint serves protocol v1, and its Buy button shows', async () => {
    expect(await servedVersions(`${ENDPOINT}/v1`)).to.deep.equal(['1']);
    const el = await fixture<BuyInPost>(
      html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT}></buy-in-post>`,
    );
    await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
    expect(notice(el)).to.equal(null);
  });
});
