import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { BuyInPostPurchaseEvent } from '../src/events.ts';
import {
  buyButton,
  cmd,
  dialog,
  fillShipping,
  mountReady,
  newTee,
  primary,
  q,
  radio,
  step,
  typeInto,
  variantId,
  waitForStep,
} from './helpers/fixtures.ts';

interface Order {
  number: string;
  quantity: number;
  variantId: string;
  postRef: string | null;
  total: { amount: number };
  shippingAddress: { city: string };
}

describe('checkout flow', () => {
  afterEach(() => sessionStorage.clear());

  it('buys a T-shirt in size M, from Buy to the seller’s order list', async () => {
    const tee = await newTee({ price: 2500 });
    const el = await mountReady(tee.id, { post: 'https://social.example/p/42' });
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    expect(dialog(el)!.open).to.equal(true);
    expect(el.open).to.equal(true);

    radio(el, 'M').click();
    await el.updateComplete;
    primary(el).click();
    await waitForStep(el, 'shipping');

    await fillShipping(el, 'US');
    primary(el).click();
    await waitForStep(el, 'payment');
    expect(q(el, '[part="payment"]').textContent).to.contain('Test mode');
    typeInto(el, '#card', '4242 4242 4242 4242');
    primary(el).click();
    await waitForStep(el, 'review');
    expect(q(el, '[part="body"]').textContent).to.contain('Springfield');

    const purchased = oneEvent(el, 'buy-in-post-purchase') as Promise<BuyInPostPurchaseEvent>;
    primary(el).click();
    const event = await purchased;
    await waitForStep(el, 'done');
    expect(event.orderNumber).to.match(/^BIP-/);
    expect(event.quantity).to.equal(1);
    expect(event.variantId).to.equal(variantId(tee.id, 'M', 'Black'));
    expect(event.total).to.deep.equal({ amount: 3000, currency: 'USD' });
    expect(q(el, '[part="body"]').textContent).to.contain(event.orderNumber);

    const orders = await cmd<Order[]>('bip-orders', { productId: tee.id });
    expect(orders).to.have.length(1);
    expect(orders[0]!.number).to.equal(event.orderNumber);
    expect(orders[0]!.postRef).to.equal('https://social.example/p/42');
    expect(orders[0]!.shippingAddress.city).to.equal('Springfield');

    primary(el).click(); // Done
    await waitUntil(() => !dialog(el), 'the dialog closes');
    expect(el.open).to.equal(false);
    expect(el.shadowRoot!.activeElement).to.equal(buyButton(el));
  });

  it('is accessible in every step', async () => {
    const tee = await newTee();
    const el = await mountReady(tee.id);
    await expect(el).to.be.accessible();
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await expect(el).to.be.accessible();
    primary(el).click();
    await waitForStep(el, 'shipping');
    await expect(el).to.be.accessible();
    await fillShipping(el);
    primary(el).click();
    await waitForStep(el, 'payment');
    await expect(el).to.be.accessible();
    typeInto(el, '#card', '4242424242424242');
    primary(el).click();
    await waitForStep(el, 'review');
    await expect(el).to.be.accessible();
    primary(el).click();
    await waitForStep(el, 'done');
    await expect(el).to.be.accessible();
    expect(step(el)).to.equal('done');
  });
});
