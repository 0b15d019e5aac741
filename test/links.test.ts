import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { upgradeLinks } from '../src/links/index.ts';
import { ENDPOINT, newProduct } from './helpers/fixtures.ts';

// The links module (issue 15): plain product links in a social client's posts become Buy
// buttons — against the real endpoint's GET /v1/resolve, in a real timeline of posts.

/** Counts the page's look-ups of links, and what each asked about. */
function watchResolves() {
  const realFetch = window.fetch;
  const asked: string[][] = [];
  window.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes('/v1/resolve?')) {
      const urls = new URL(url).searchParams.get('urls') ?? '';
      asked.push(urls.split(/,(?=https?:\/\/)/));
    }
    return realFetch(input, init);
  };
  return {
    asked,
    restore() {
      window.fetch = realFetch;
    },
  };
}

const buttonsIn = (root: ParentNode) => [...root.querySelectorAll('buy-in-post')];
const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
/** Lets every started look-up answer and every mount happen (no timing: the requests end). */
async function settled(resolves: { asked: string[][] }, count: number) {
  await waitUntil(() => resolves.asked.length >= count, `${count} look-up(s)`);
  // the answer arrives and the buttons are mounted within a few tasks of it
  for (let i = 0; i < 20; i++) await frame();
}

describe('links module', () => {
  let resolves: ReturnType<typeof watchResolves>;
  let stops: (() => void)[] = [];
  beforeEach(() => {
    resolves = watchResolves();
  });
  afterEach(() => {
    resolves.restore();
    for (const stop of stops) stop();
    stops = [];
    window.scrollTo(0, 0);
  });
  const start = (root: Element, extra: Partial<Parameters<typeof upgradeLinks>[0]> = {}) => {
    const upgrade = upgradeLinks({ root, endpoints: [ENDPOINT], ...extra });
    stops.push(() => upgrade.stop());
    return upgrade;
  };

  it('on a 1,000-post timeline: one look-up per screen, a Buy button beside each product link', async () => {
    const products = await Promise.all([1, 2, 3].map(() => newProduct({})));
    // Every 7th post links a product page (each its own address: a slug of its own); others
    // are text, or link elsewhere.
    const posts = Array.from({ length: 1000 }, (_, i) => {
      const id = products[i % 3]!.id;
      if (i % 7 === 0)
        return html`<article data-post-url=${`https://murmur.example/@a/${i}`} style="block-size: 120px">
          <p>New drop! <a href=${`${ENDPOINT}/p/${id}/drop-${i}`}>${ENDPOINT}/p/${id}</a></p>
        </article>`;
      if (i % 7 === 3)
        return html`<article style="block-size: 120px"><p>Read <a href="https://news.example/${i}">this</a></p></article>`;
      return html`<article style="block-size: 120px"><p>Post ${i}, just words.</p></article>`;
    });
    const wrapper = await fixture<HTMLElement>(html`<main>${posts}</main>`);
    const plain = [...wrapper.querySelectorAll('article')].filter(
      (a) => !a.querySelector('a[href*="/p/"]'),
    );
    const before = plain.map((a) => a.innerHTML);

    start(wrapper);
    await settled(resolves, 1);
    expect(resolves.asked.length, 'look-ups for the first screen').to.equal(1);
    // each URL once, and only product-page links of the trusted endpoint
    const first = resolves.asked[0]!;
    expect(new Set(first).size).to.equal(first.length);
    for (const url of first) expect(url.startsWith(`${ENDPOINT}/p/`), url).to.equal(true);

    const near = (el: Element) => el.getBoundingClientRect().top < innerHeight + 400;
    const links = [...wrapper.querySelectorAll<HTMLAnchorElement>(`a[href^="${ENDPOINT}/p/"]`)];
    const nearLinks = links.filter(near);
    await waitUntil(
      () => nearLinks.every((a) => a.nextElementSibling?.localName === 'buy-in-post'),
      'a button beside every near product link',
    );
    const button = nearLinks[0]!.nextElementSibling!;
    expect(button.getAttribute('product')).to.equal(products[0]!.id);
    expect(button.getAttribute('endpoint')).to.equal(ENDPOINT);
    expect(button.getAttribute('post')).to.equal('https://murmur.example/@a/0');
    await waitUntil(
      () => /\d/.test(button.shadowRoot?.querySelector('button')?.textContent ?? ''),
      'the button prices itself',
    );
    expect(buttonsIn(wrapper).length, 'buttons only where the reader is').to.equal(
      nearLinks.length,
    );

    // A screen further down: one more look-up, for that screen's links.
    const asked = resolves.asked.length;
    window.scrollBy(0, innerHeight * 3);
    await settled(resolves, asked + 1);
    expect(resolves.asked.length, 'look-ups after one scroll').to.equal(asked + 1);
    const shown = links.filter((a) => {
      const top = a.getBoundingClientRect().top;
      return top > -400 && top < innerHeight + 400;
    });
    await waitUntil(
      () => shown.every((a) => a.nextElementSibling?.localName === 'buy-in-post'),
      'buttons on the new screen',
    );
    // posts without product links: untouched
    expect(plain.map((a) => a.innerHTML)).to.deep.equal(before);
  });

  it('posts added later (a live timeline) are upgraded too', async () => {
    const { id } = await newProduct({});
    const wrapper = await fixture<HTMLElement>(html`<main><article><p>First.</p></article></main>`);
    start(wrapper);
    const post = document.createElement('article');
    post.innerHTML = `<p>Just in: <a href="${ENDPOINT}/p/${id}/poster">the poster</a></p>`;
    wrapper.prepend(post);
    await waitUntil(() => post.querySelector('buy-in-post'), 'a button in the new post');
    expect(post.querySelector('buy-in-post')!.getAttribute('product')).to.equal(id);
    expect(post.querySelector('buy-in-post')!.previousElementSibling).to.equal(
      post.querySelector('a'),
    );
  });

  it('never touches, nor sends anywhere, links to origins it does not trust', async () => {
    const { id } = await newProduct({});
    const wrapper = await fixture<HTMLElement>(html`<main>
      <article id="other"><a href=${`https://elsewhere.example/p/${id}`}>a look-alike</a></article>
      <article id="shop"><a href=${`https://shop.example/${id}`}>the seller’s own shop</a></article>
      <article id="ours"><a href=${`${ENDPOINT}/p/${id}`}>ours</a></article>
    </main>`);
    start(wrapper);
    await waitUntil(() => wrapper.querySelector('#ours buy-in-post'), 'the trusted link');
    expect(wrapper.querySelector('#other buy-in-post')).to.equal(null);
    expect(wrapper.querySelector('#shop buy-in-post')).to.equal(null);
    for (const urls of resolves.asked)
      for (const url of urls) expect(url.startsWith(ENDPOINT), url).to.equal(true);
  });

  it("a seller's own shop links count when the endpoint is trusted with that origin", async () => {
    const { id } = await newProduct({});
    const wrapper = await fixture<HTMLElement>(
      html`<main><article><a href=${`https://shop.example/${id}`}>in the shop</a></article></main>`,
    );
    start(wrapper, { endpoints: [{ endpoint: ENDPOINT, linkOrigins: ['https://shop.example'] }] });
    await waitUntil(() => wrapper.querySelector('buy-in-post'), 'a button for the shop link');
    expect(wrapper.querySelector('buy-in-post')!.getAttribute('product')).to.equal(id);
  });

  it('costs nothing on posts without product links: no look-up, no change', async () => {
    const wrapper = await fixture<HTMLElement>(
      html`<main>${Array.from(
        { length: 200 },
        (_, i) =>
          html`<article><p>Post ${i} <a href="https://news.example/${i}">link</a></p></article>`,
      )}</main>`,
    );
    const before = wrapper.innerHTML;
    start(wrapper);
    wrapper.append(Object.assign(document.createElement('article'), { textContent: 'more words' }));
    for (let i = 0; i < 10; i++) await frame();
    expect(resolves.asked).to.deep.equal([]);
    expect(buttonsIn(wrapper)).to.deep.equal([]);
    expect(wrapper.innerHTML).to.equal(`${before}<article>more words</article>`);
  });

  it('a link that names no product, a link outside posts, a fallback link: left alone', async () => {
    const { id } = await newProduct({});
    const wrapper = await fixture<HTMLElement>(html`<main>
      <article id="gone"><a href=${`${ENDPOINT}/p/no-such-product`}>gone</a></article>
      <nav><a href=${`${ENDPOINT}/p/${id}`}>outside any post</a></nav>
      <article id="has"><buy-in-post product=${id} endpoint=${ENDPOINT}><a href=${`${ENDPOINT}/p/${id}`}>fallback</a></buy-in-post></article>
    </main>`);
    start(wrapper);
    await settled(resolves, 1);
    expect(resolves.asked).to.deep.equal([[`${ENDPOINT}/p/no-such-product`]]);
    expect(wrapper.querySelector('#gone buy-in-post')).to.equal(null);
    expect(wrapper.querySelector('nav buy-in-post')).to.equal(null);
    expect(wrapper.querySelectorAll('#has buy-in-post').length).to.equal(1);
  });

  it('stop() leaves posts added afterwards alone', async () => {
    const { id } = await newProduct({});
    const wrapper = await fixture<HTMLElement>(html`<main></main>`);
    start(wrapper).stop();
    const post = document.createElement('article');
    post.innerHTML = `<a href="${ENDPOINT}/p/${id}">x</a>`;
    wrapper.append(post);
    for (let i = 0; i < 10; i++) await frame();
    expect(resolves.asked).to.deep.equal([]);
    expect(post.querySelector('buy-in-post')).to.equal(null);
  });
});
