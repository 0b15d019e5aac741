import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { BuyInPostErrorEvent } from '../src/events.ts';
import {
  buyButton,
  cmd,
  fillShipping,
  mountReady,
  newTee,
  primary,
  q,
  radio,
  typeInto,
  variantId,
  waitForStep,
} from './helpers/fixtures.ts';

interface CheckoutRow {
  id: string;
  status: string;
}

async function toShipping(productId: string) {
  const el = await mountReady(productId);
  buyButton(el)!.click();
  await waitForStep(el, 'product');
  primary(el).click();
  await waitForStep(el, 'shipping');
  return el;
}

async function toReview(productId: string, card = '4242424242424242') {
  const el = await toShipping(productId);
  await fillShipping(el);
  primary(el).click();
  await waitForStep(el, 'payment');
  typeInto(el, '#card', card);
  primary(el).click();
  await waitForStep(el, 'review');
  return el;
}

describe('errors, each with a way forward and nothing lost', () => {
  afterEach(() => sessionStorage.clear());

  it('out of stock: says so and offers what is still available', async () => {
    const tee = await newTee({ stock: 5 });
    const el = await mountReady(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    // someone else buys the last Black S while the reader hesitates
    await cmd('bip-set-stock', {
      productId: tee.id,
      variantId: variantId(tee.id, 'S', 'Black'),
      stock: 0,
    });
    const failed = oneEvent(el, 'buy-in-post-error') as Promise<BuyInPostErrorEvent>;
    primary(el).click();
    const e = await failed;
    expect(e.code).to.equal('out_of_stock');
    await waitUntil(() => el.shadowRoot!.querySelector('[part="error"]'), 'the error shows');
    expect(q(el, '[part="error"]').getAttribute('role')).to.equal('alert');
    expect(q(el, '[part="error"]').textContent).to.contain('not enough stock');
    await waitUntil(
      () => el.shadowRoot!.querySelector('.alternatives'),
      'alternatives are offered',
    );
    const alternatives = q(el, '.alternatives').textContent!;
    expect(alternatives).to.contain('M / Black');
    expect(alternatives).not.to.contain('S / Black');
    await expect(el).to.be.accessible();
    // pick an alternative and carry on
    const mBlack = [
      ...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.alternatives button'),
    ].find((b) => b.textContent!.includes('M / Black'))!;
    mBlack.click();
    await el.updateComplete;
    expect(radio(el, 'M').checked).to.equal(true);
    primary(el).click();
    await waitForStep(el, 'shipping');
  });

  it('a sold-out or non-existent combination is disabled and says why', async () => {
    const tee = await newTee();
    const el = await mountReady(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    const colour = () => q(el, 'fieldset:nth-of-type(2)');
    // size S: Sand is sold out
    expect(radio(el, 'S').checked).to.equal(true);
    expect(radio(el, 'Sand').disabled).to.equal(true);
    expect(colour().textContent).to.contain('sold out');
    // size L: Sand is not made at all
    radio(el, 'L').click();
    await el.updateComplete;
    expect(radio(el, 'Sand').disabled).to.equal(true);
    expect(colour().textContent).to.contain('not available in this combination');
    // size M: Sand can be bought
    radio(el, 'M').click();
    await el.updateComplete;
    expect(radio(el, 'Sand').disabled).to.equal(false);
    radio(el, 'Sand').click();
    await el.updateComplete;
    expect(radio(el, 'Sand').checked).to.equal(true);
  });

  it('choosing a size moves the colour to one that can be bought', async () => {
    const tee = await newTee();
    const el = await mountReady(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    radio(el, 'M').click();
    await el.updateComplete;
    radio(el, 'Sand').click();
    await el.updateComplete;
    radio(el, 'S').click(); // Sand S is sold out: Black S is chosen instead
    await el.updateComplete;
    expect(radio(el, 'Black').checked).to.equal(true);
    expect(primary(el).disabled).to.equal(false);
  });

  it('checkout expired: start again with everything kept', async () => {
    const tee = await newTee();
    const el = await toReview(tee.id);
    await cmd('bip-expire', { productId: tee.id });
    primary(el).click();
    await waitForStep(el, 'product');
    expect(q(el, '[part="error"]').textContent).to.contain('expired');
    // start again: a new checkout with the same entries
    primary(el).click();
    await waitForStep(el, 'shipping');
    expect(q<HTMLInputElement>(el, '#f-city').value).to.equal('Springfield');
    const rows = await cmd<CheckoutRow[]>('bip-checkouts', { productId: tee.id });
    expect(rows.map((r) => r.status).sort()).to.deep.equal(['expired', 'open']);
  });

  it('payment declined: the reason, then another card succeeds', async () => {
    const tee = await newTee();
    const el = await toReview(tee.id, '4000000000000002');
    const failed = oneEvent(el, 'buy-in-post-error') as Promise<BuyInPostErrorEvent>;
    primary(el).click();
    expect((await failed).code).to.equal('payment_declined');
    await waitForStep(el, 'payment');
    expect(q(el, '[part="error"]').textContent).to.contain('Your card was declined');
    typeInto(el, '#card', '4242424242424242');
    primary(el).click();
    await waitForStep(el, 'review');
    primary(el).click();
    await waitForStep(el, 'done');
    const orders = await cmd<unknown[]>('bip-orders', { productId: tee.id });
    expect(orders).to.have.length(1);
  });

  it('the endpoint down: retry, entries kept, then it works', async () => {
    const tee = await newTee();
    const el = await toShipping(tee.id);
    await fillShipping(el);
    await cmd('bip-stop');
    try {
      primary(el).click();
      await waitUntil(() => el.shadowRoot!.querySelector('[part="error"]'), 'the error shows', {
        timeout: 10_000,
      });
      expect(q(el, '[part="error"]').textContent).to.contain('cannot be reached');
      expect(q<HTMLInputElement>(el, '#f-line1').value).to.equal('1 Main St');
    } finally {
      await cmd('bip-start');
    }
    const retry = [
      ...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="error"] button'),
    ].find((b) => b.textContent!.includes('Try again'))!;
    retry.click();
    await waitForStep(el, 'payment');
  });

  it('a double press makes one checkout', async () => {
    const tee = await newTee();
    const el = await mountReady(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    primary(el).click();
    primary(el).click();
    primary(el).click();
    await waitForStep(el, 'shipping');
    const rows = await cmd<CheckoutRow[]>('bip-checkouts', { productId: tee.id });
    expect(rows).to.have.length(1);
  });

  it('closing and reopening resumes the open checkout', async () => {
    const tee = await newTee();
    const el = await toShipping(tee.id);
    typeInto(el, '#f-name', 'Layla');
    q<HTMLButtonElement>(el, '[part="close"]').click();
    await waitUntil(() => !el.open, 'closed');
    expect(el.shadowRoot!.activeElement).to.equal(buyButton(el));
    buyButton(el)!.click();
    await waitForStep(el, 'shipping');
    expect(q<HTMLInputElement>(el, '#f-name').value).to.equal('Layla');
    const rows = await cmd<CheckoutRow[]>('bip-checkouts', { productId: tee.id });
    expect(rows).to.have.length(1);
  });

  it('a reload resumes the checkout: what was sent is read back from the endpoint', async () => {
    const tee = await newTee();
    const first = await toShipping(tee.id);
    await fillShipping(first);
    typeInto(first, '#f-city', 'Lyon');
    primary(first).click();
    await waitForStep(first, 'payment');
    first.remove();
    const el = await mountReady(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'payment');
    q<HTMLButtonElement>(el, '[part="back"]').click();
    await waitForStep(el, 'shipping');
    expect(q<HTMLInputElement>(el, '#f-city').value).to.equal('Lyon');
    expect(q<HTMLInputElement>(el, '#f-email').value).to.equal('ada@example.com');
    const rows = await cmd<CheckoutRow[]>('bip-checkouts', { productId: tee.id });
    expect(rows).to.have.length(1);
  });

  it('the host page can read no personal data: the tab keeps only the checkout id and token', async () => {
    const tee = await newTee();
    const el = await toShipping(tee.id);
    await fillShipping(el);
    primary(el).click();
    await waitForStep(el, 'payment');
    const stored = Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? '');
    expect(stored).to.have.length(1);
    for (const personal of ['ada@example.com', 'Ada Reader', '1 Main St', 'Springfield', '12345'])
      expect(stored[0]).not.to.include(personal);
    expect(Object.keys(JSON.parse(stored[0]!)).sort()).to.deep.equal(['checkoutId', 'clientToken']);
  });
});
