import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  button,
  buyButton,
  checkoutsOf,
  cmd,
  ENDPOINT,
  mountReady,
  newProduct,
  primary,
  step,
  waitForStep,
} from './helpers/fixtures.ts';

// An element a host page keeps and points elsewhere: a timeline recycles its cells, setting
// another `product` (or `endpoint`) on an element that already showed — perhaps already opened
// — a checkout. Whatever the element showed before must not leak into what it sells now.

const STRIPE = (window as unknown as { __BIP__: { stripe: { endpoint: string } } }).__BIP__.stripe;

const price = (el: BuyInPost) => buyButton(el)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const bodyText = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="body"]')?.textContent ?? '').replace(/\s+/g, ' ');

async function showsPrice(el: BuyInPost, text: string) {
  await waitUntil(() => price(el) === text, `the button says ${text} (now “${price(el)}”)`, {
    timeout: 10_000,
  });
}

async function close(el: BuyInPost) {
  button(el, 'Close').click();
  await waitUntil(() => !el.open && !el.shadowRoot!.querySelector('dialog'), 'the dialog closes');
}

describe('lifecycle', () => {
  afterEach(() => sessionStorage.clear());

  it('changing only `endpoint` reads the product there, and the checkout is made there', async () => {
    // The same product id on two endpoints, at two prices.
    const { id } = await cmd<{ id: string }>('stripe-new-poster', { price: 2500 });
    await newProduct({ id, variants: [{ price: 3100, stock: 5 }] });
    const el = await fixture<BuyInPost>(
      html`<buy-in-post product=${id} endpoint=${STRIPE.endpoint}></buy-in-post>`,
    );
    await showsPrice(el, 'Buy · $25.00');
    // The checkout is loaded and has been shown for the first endpoint.
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await close(el);

    el.endpoint = ENDPOINT;
    await showsPrice(el, 'Buy · $31.00');
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    expect(bodyText(el)).to.contain('$31.00');
    primary(el).click();
    await waitForStep(el, 'shipping');
    expect(await checkoutsOf(id), 'a checkout on the new endpoint').to.have.length(1);
    const old = await cmd<unknown[]>('stripe-checkouts', { productId: id });
    expect(old, 'none on the old one').to.have.length(0);
  });

  it('changing `product` after a checkout was started sells the new product; the old one resumes when it comes back', async () => {
    const a = await newProduct({ title: 'Poster A', variants: [{ price: 2500, stock: 5 }] });
    const b = await newProduct({ title: 'Poster B', variants: [{ price: 4000, stock: 5 }] });
    const el = await mountReady(a.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    primary(el).click();
    await waitForStep(el, 'shipping'); // a checkout for A: its stock is reserved
    await close(el);

    el.product = b.id;
    await showsPrice(el, 'Buy · $40.00');
    buyButton(el)!.click();
    await waitUntil(() => step(el) !== null, 'the dialog shows a step');
    expect(step(el), 'B starts at its own product step').to.equal('product');
    expect(bodyText(el)).to.contain('Poster B');
    expect(bodyText(el)).not.to.contain('Poster A');
    primary(el).click();
    await waitForStep(el, 'shipping');
    expect(await checkoutsOf(b.id), 'a checkout for B').to.have.length(1);
    expect(await checkoutsOf(a.id), 'A’s checkout, untouched').to.have.length(1);
    await close(el);

    // The cell scrolls back to A: the reader finds A's checkout where they left it.
    el.product = a.id;
    await showsPrice(el, 'Buy · $25.00');
    buyButton(el)!.click();
    await waitForStep(el, 'shipping');
    expect(await checkoutsOf(a.id), 'the same checkout, not a new one').to.have.length(1);
  });

  it('an element put back on the page with another product sells that one', async () => {
    const a = await newProduct({ title: 'Poster A', variants: [{ price: 2500, stock: 5 }] });
    const b = await newProduct({ title: 'Poster B', variants: [{ price: 4000, stock: 5 }] });
    const el = await mountReady(a.id);
    const parent = el.parentElement!;
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    primary(el).click();
    await waitForStep(el, 'shipping');
    el.remove();
    el.product = b.id; // changed while off the page (a recycled cell, parked)
    parent.append(el);
    await showsPrice(el, 'Buy · $40.00');
    buyButton(el)!.click();
    await waitUntil(() => step(el) !== null, 'the dialog shows a step');
    expect(step(el), 'B starts at its own product step').to.equal('product');
    expect(bodyText(el)).to.contain('Poster B');
  });

  it('reads its documented defaults until a property is set, and a property set reads back and renders', async () => {
    // The defaults are read through Lit's accessors, not set on each element as it upgrades.
    const el = document.createElement('buy-in-post') as BuyInPost;
    expect([
      el.product,
      el.endpoint,
      el.post,
      el.locale,
      el.label,
      el.paymentMode,
      el.buyerToken,
    ]).to.deep.equal(['', '', '', '', '', '', '']);
    expect(el.getBuyerToken).to.equal(null);
    expect(el.open).to.equal(false);
    expect(el.hasAttribute('open')).to.equal(false);

    const { id } = await newProduct({ title: 'Poster D', variants: [{ price: 990, stock: 3 }] });
    el.endpoint = ENDPOINT;
    el.label = 'Get it';
    el.product = id;
    document.body.append(el);
    try {
      await waitUntil(() => buyButton(el)?.textContent?.includes('Get it'), 'the label shows');
      expect([el.product, el.endpoint, el.label]).to.deep.equal([id, ENDPOINT, 'Get it']);
      el.open = true;
      await el.updateComplete;
      expect(el.hasAttribute('open'), 'open reflects').to.equal(true);
    } finally {
      el.remove();
    }
  });

  it('leaves a subclass’s own properties as Lit has them (null stays null)', () => {
    const Base = customElements.get('buy-in-post') as typeof BuyInPost;
    class WithExtra extends Base {
      static override properties = { extra: {} };
      declare extra: string | null | undefined;
    }
    customElements.define('buy-in-post-with-extra', WithExtra);
    const el = new WithExtra();
    expect(el.extra).to.equal(undefined);
    el.extra = null;
    expect(el.extra).to.equal(null);
    expect(el.product, 'its own defaults still hold').to.equal('');
  });
});
