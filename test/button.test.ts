import { expect, fixture, fixtureSync, html, waitUntil } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  buyButton,
  CATALOGUE,
  cmd,
  ENDPOINT,
  hover,
  mountReady,
  newProduct,
} from './helpers/fixtures.ts';

const text = (el: BuyInPost) => buyButton(el)!.textContent!.replace(/\s+/g, ' ').trim();
const matchesState = (el: BuyInPost, state: string) => el.matches(`:state(${state})`);

/** The light-DOM fallback link, and whether the element currently shows it. */
function fallback(el: BuyInPost) {
  const link = el.querySelector('a')!;
  const slot = el.shadowRoot!.querySelector('slot');
  return {
    link,
    shown: !!slot && slot.assignedElements().includes(link) && link.getClientRects().length > 0,
  };
}

/** Holds every product look-up until `release()`: the loading state, observed without timing. */
function holdLookups() {
  const realFetch = window.fetch;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  window.fetch = async (input, init) => {
    if (String(input instanceof Request ? input.url : input).includes('/v1/products')) {
      held++;
      await gate;
    }
    return realFetch(input, init);
  };
  return {
    get held() {
      return held;
    },
    release() {
      release();
      window.fetch = realFetch;
    },
  };
}

describe('the Buy button', () => {
  describe('price', () => {
    it('shows the price from the endpoint', async () => {
      const el = await mountReady(CATALOGUE.tee.id);
      expect(text(el)).to.equal('Buy · $25.00');
      expect(buyButton(el)!.disabled).to.equal(false);
      expect(buyButton(el)!.getAttribute('aria-haspopup')).to.equal('dialog');
      expect(buyButton(el)!.getAttribute('aria-expanded')).to.equal('false');
      await expect(el).to.be.accessible();
    });

    it('follows the seller’s price', async () => {
      const { id } = await newProduct({ variants: [{ price: 3799, stock: 3 }] });
      const el = await mountReady(id);
      expect(text(el)).to.equal('Buy · $37.99');
    });

    it('says “from” the lowest price when variants differ', async () => {
      const el = await mountReady(CATALOGUE.from);
      expect(text(el)).to.equal('Buy · from $15.00');
      await expect(el).to.be.accessible();
    });

    it('does not say “from” when every variant costs the same', async () => {
      const el = await mountReady(CATALOGUE.tee.id);
      expect(text(el)).not.to.contain('from');
    });
  });

  describe('sold out', () => {
    it('says “Sold out” and cannot be pressed', async () => {
      const el = await mountReady(CATALOGUE.soldOut);
      expect(text(el)).to.equal('Sold out');
      expect(buyButton(el)!.disabled).to.equal(true);
      expect(matchesState(el, 'sold-out')).to.equal(true);
      await expect(el).to.be.accessible();
    });

    it('is not sold out while one variant is left', async () => {
      const { id } = await newProduct({
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { options: { Size: 'S' }, price: 1000, stock: 0 },
          { options: { Size: 'M' }, price: 1000, stock: 1 },
        ],
      });
      const el = await mountReady(id);
      expect(buyButton(el)!.disabled).to.equal(false);
      expect(matchesState(el, 'sold-out')).to.equal(false);
    });
  });

  describe('loading', () => {
    it('renders first with the price when the look-up answers in time: no placeholder before it', async () => {
      const { id } = await newProduct({ variants: [{ price: 1250, stock: 2 }] });
      const el = fixtureSync<BuyInPost>(
        html`<buy-in-post product=${id} endpoint=${ENDPOINT}></buy-in-post>`,
      );
      const renders: string[] = [];
      el.addController({
        hostUpdated: () => {
          const skeleton = el.shadowRoot!.querySelector('[part="skeleton"]');
          renders.push(skeleton ? 'skeleton' : text(el));
        },
      });
      await waitUntil(() => buyButton(el), 'the price arrives');
      expect(renders).to.deep.equal(['Buy · $12.50']);
      expect(matchesState(el, 'loading')).to.equal(false);
    });

    it('shows an announced skeleton while the price is late', async () => {
      const { id } = await newProduct({ variants: [{ price: 1250, stock: 2 }] });
      const lookups = holdLookups();
      try {
        const el = await fixture<BuyInPost>(
          html`<buy-in-post product=${id} endpoint=${ENDPOINT}></buy-in-post>`,
        );
        await waitUntil(() => lookups.held > 0, 'the element asks for its product');
        // Until the answer is late (200 ms), the element is as the page had it.
        await waitUntil(() => el.shadowRoot?.querySelector('[part="skeleton"]'), 'the skeleton');
        const skeleton = el.shadowRoot!.querySelector('[part="skeleton"]')!;
        expect(skeleton.getAttribute('role')).to.equal('status');
        expect(skeleton.getAttribute('aria-label')).to.equal('Loading price…');
        expect(buyButton(el)).to.equal(null);
        expect(matchesState(el, 'loading')).to.equal(true);
        await expect(el).to.be.accessible();

        lookups.release();
        await waitUntil(() => buyButton(el), 'the price arrives');
        expect(el.shadowRoot!.querySelector('[part="skeleton"]')).to.equal(null);
        expect(matchesState(el, 'loading')).to.equal(false);
        expect(text(el)).to.equal('Buy · $12.50');
      } finally {
        lookups.release();
      }
    });
  });

  describe('theme', () => {
    it('the page’s accent colours it; the pointer over it lightens it without a filter', async () => {
      const el = await mountReady(CATALOGUE.tee.id);
      el.style.setProperty('--buy-in-post-accent', 'rgb(200, 30, 90)');
      const buy = buyButton(el)!;
      await sendMouse({ type: 'move', position: [0, 0] });
      await waitUntil(() => !buy.matches(':hover'), 'the pointer is off Buy');
      expect(getComputedStyle(buy).backgroundColor).to.equal('rgb(200, 30, 90)');
      // A filter would give the button a layer of its own: the pointer's arrival would lay out
      // the whole page again (a timeline of a thousand posts) on the way to the press.
      await hover(buy);
      await waitUntil(() => buy.matches(':hover'), 'the pointer is on Buy');
      expect(getComputedStyle(buy).backgroundColor).to.not.equal('rgb(200, 30, 90)');
      expect(getComputedStyle(buy).filter).to.equal('none');
    });
  });

  describe('label attribute', () => {
    it('replaces the text and keeps the price in the accessible name', async () => {
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT} label="Get the tour tee"></buy-in-post>`,
      );
      await waitUntil(() => buyButton(el), 'the Buy button appears');
      expect(text(el)).to.equal('Get the tour tee');
      expect(buyButton(el)!.getAttribute('aria-label')).to.equal('Get the tour tee, $25.00');
      await expect(el).to.be.accessible();
    });

    it('does not hide “Sold out”', async () => {
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.soldOut} endpoint=${ENDPOINT} label="Get the zine"></buy-in-post>`,
      );
      await waitUntil(() => buyButton(el), 'the button appears');
      expect(text(el)).to.equal('Sold out');
    });
  });

  describe('fallback link', () => {
    it('is hidden while the element can sell', async () => {
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT}><a href="https://shop.example/tee">Tour T-shirt in the shop</a></buy-in-post>`,
      );
      expect(fallback(el).shown).to.equal(false); // loading
      await waitUntil(() => buyButton(el), 'the Buy button appears');
      expect(fallback(el).shown).to.equal(false);
    });

    it('shows when the endpoint does not know the product', async () => {
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product="no-such-product" endpoint=${ENDPOINT}><a href="https://shop.example/gone">See it in the shop</a></buy-in-post>`,
      );
      await waitUntil(() => fallback(el).shown, 'the fallback link shows');
      expect(buyButton(el)).to.equal(null);
      expect(el.shadowRoot!.querySelector('[part="skeleton"]')).to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('shows when the endpoint cannot be reached', async () => {
      const dead = await cmd<string>('bip-dead-endpoint');
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${dead}><a href="https://shop.example/tee">See it in the shop</a></buy-in-post>`,
      );
      await waitUntil(() => fallback(el).shown, 'the fallback link shows', { timeout: 10_000 });
      expect(buyButton(el)).to.equal(null);
      await expect(el).to.be.accessible();
    });
  });

  describe('page-wide endpoint', () => {
    let meta: HTMLMetaElement;
    afterEach(() => meta?.remove());

    function setMeta(content: string) {
      meta = document.createElement('meta');
      meta.name = 'buy-in-post-endpoint';
      meta.content = content;
      document.head.append(meta);
    }

    it('comes from <meta name="buy-in-post-endpoint">', async () => {
      setMeta(ENDPOINT);
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.tee.id}></buy-in-post>`,
      );
      await waitUntil(() => buyButton(el), 'the Buy button appears');
      expect(text(el)).to.equal('Buy · $25.00');
    });

    it('yields to the element’s own endpoint attribute', async () => {
      setMeta(await cmd<string>('bip-dead-endpoint'));
      const el = await fixture<BuyInPost>(
        html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT}></buy-in-post>`,
      );
      await waitUntil(() => buyButton(el), 'the Buy button appears');
      expect(text(el)).to.equal('Buy · $25.00');
    });
  });
});
