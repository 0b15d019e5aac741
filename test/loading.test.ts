import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { resetMouse } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  buyButton,
  cmd,
  ENDPOINT,
  hover,
  lookupsOf,
  newProduct,
  requestsTo,
} from './helpers/fixtures.ts';

// Each test makes its own products: the page-wide loader remembers what it has fetched.

const ready = (els: BuyInPost[]) => els.every((el) => buyButton(el));

/** Elements side by side, all within the viewport (only those near it load). */
async function mountMany(ids: string[]): Promise<BuyInPost[]> {
  const wrapper = await fixture<HTMLElement>(
    html`<div style="display: flex; flex-wrap: wrap; gap: 2px">${ids.map((id) => html`<buy-in-post product=${id} endpoint=${ENDPOINT}></buy-in-post>`)}</div>`,
  );
  return [...wrapper.querySelectorAll('buy-in-post')];
}

describe('loading', () => {
  afterEach(() => window.scrollTo(0, 0));

  describe('batching', () => {
    it('30 elements for 30 products make exactly one look-up', async () => {
      const ids = await cmd<string[]>('bip-new-products', { count: 30 });
      const els = await mountMany(ids);
      await waitUntil(() => ready(els), 'every price shows', { timeout: 10_000 });

      const lookups = requestsTo('/v1/products?ids=').filter((url) =>
        ids.some((id) => url.includes(id)),
      );
      expect(lookups).to.have.length(1);
      const asked = new URL(lookups[0]!).searchParams.get('ids')!.split(',');
      expect(asked).to.have.members(ids);
    });

    it('the same product on 10 elements is fetched once', async () => {
      const { id } = await newProduct({ variants: [{ price: 700, stock: 4 }] });
      const els = await mountMany(Array.from({ length: 10 }, () => id));
      await waitUntil(() => ready(els), 'every price shows');
      expect(lookupsOf(id)).to.have.length(1);
      expect(new URL(lookupsOf(id)[0]!).searchParams.get('ids')).to.equal(id);
      for (const el of els) expect(buyButton(el)!.textContent!.trim()).to.equal('Buy · $7.00');
    });

    it('an element added later reuses the product already fetched', async () => {
      const { id } = await newProduct({ variants: [{ price: 700, stock: 4 }] });
      const [first] = await mountMany([id]);
      await waitUntil(() => ready([first!]), 'the first price shows');
      const [second] = await mountMany([id]);
      await waitUntil(() => ready([second!]), 'the second price shows');
      expect(lookupsOf(id)).to.have.length(1);
    });
  });

  describe('near the viewport', () => {
    it('fetches nothing for an element far below until it is scrolled near', async () => {
      const near = (await newProduct({ variants: [{ price: 500, stock: 1 }] })).id;
      const far = (await newProduct({ variants: [{ price: 600, stock: 1 }] })).id;
      const page = await fixture<HTMLElement>(html`<main>
        <buy-in-post id="near" product=${near} endpoint=${ENDPOINT}></buy-in-post>
        <div style="block-size: 5000px">a long timeline</div>
        <buy-in-post id="far" product=${far} endpoint=${ENDPOINT}></buy-in-post>
      </main>`);
      const nearEl = page.querySelector<BuyInPost>('#near')!;
      const farEl = page.querySelector<BuyInPost>('#far')!;

      // Once the near element's look-up is answered, the far one would have been in it.
      await waitUntil(() => buyButton(nearEl), 'the near price shows');
      expect(lookupsOf(near)).to.have.length(1);
      expect(lookupsOf(far)).to.have.length(0);
      // Far away, nothing is rendered yet, not even a shadow root (its box: timeline.test.ts).
      expect(farEl.shadowRoot).to.equal(null);
      expect(farEl.matches(':state(loading)')).to.equal(true);

      farEl.scrollIntoView();
      await waitUntil(() => buyButton(farEl), 'the far price shows once scrolled near');
      expect(lookupsOf(far)).to.have.length(1);
      expect(buyButton(farEl)!.textContent!.trim()).to.equal('Buy · $6.00');
    });

    it('fetches at once an element just below the fold', async () => {
      const id = (await newProduct({ variants: [{ price: 500, stock: 1 }] })).id;
      const el = await fixture<HTMLElement>(html`<div>
        <div style=${`block-size: ${window.innerHeight + 100}px`}></div>
        <buy-in-post product=${id} endpoint=${ENDPOINT}></buy-in-post>
      </div>`);
      const buy = el.querySelector<BuyInPost>('buy-in-post')!;
      expect(buy.getBoundingClientRect().top).to.be.greaterThan(window.innerHeight);
      await waitUntil(() => buyButton(buy), 'the price shows without scrolling');
    });
  });

  describe('the checkout chunk', () => {
    const chunkRequested = () => requestsTo('checkout/index').length > 0;

    // Keyboard focus as the sign of intent is in loading-keyboard.test.ts: a module loads once
    // per page, so each way of showing intent needs a page of its own.
    it('is not fetched before the reader shows intent, and is on pointerenter', async () => {
      await resetMouse();
      const { id } = await newProduct({ variants: [{ price: 900, stock: 3 }] });
      const [el] = await mountMany([id]);
      await waitUntil(() => buyButton(el!), 'the Buy button appears');
      expect(chunkRequested(), 'checkout chunk requested before intent').to.equal(false);
      expect(el!.shadowRoot!.querySelector('dialog')).to.equal(null);

      await hover(buyButton(el!)!);
      await waitUntil(chunkRequested, 'the checkout chunk is requested on pointerenter');
      expect(el!.open).to.equal(false); // intent only: nothing opens
    });
  });
});
