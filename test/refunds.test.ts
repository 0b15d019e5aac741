import { expect, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import { writeSaved } from '../src/checkout/saved.ts';
import {
  buyButton,
  clickOn,
  cmd,
  ENDPOINT,
  mountReady,
  newTee,
  waitForStep,
} from './helpers/fixtures.ts';

// A refunded order, as the buyer sees it when the confirmation is read back (a reload, a return
// from a payment page): the seller refunded it through the real endpoint's seller API, in part or
// in full, and the element says so — in English and in Arabic.

const ADDRESS = {
  name: 'Ada Reader',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

/** Two shirts bought through the public API with the test card: 50.00 and 5.00 of shipping. */
async function paidOrder(tee: { id: string; variants: Record<string, string> }) {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${ENDPOINT}/v1${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': crypto.randomUUID(),
        ...headers,
      },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const created = await post('/checkouts', {
    productId: tee.id,
    variantId: tee.variants['M/Black'],
    quantity: 2,
    shippingAddress: ADDRESS,
  });
  const paid = await post(
    `/checkouts/${created.id}/confirm`,
    { payment: { provider: 'test', card: '4242424242424242' } },
    { Authorization: `Bearer ${created.clientToken}` },
  );
  expect(paid.status).to.equal('paid');
  return { checkoutId: created.id as string, token: created.clientToken as string, paid };
}

/** The reader comes back to the page: the element reads the saved checkout and confirms. */
async function comeBack(
  tee: { id: string },
  saved: { checkoutId: string; token: string },
  locale = '',
) {
  // keyed as the element keys it: per endpoint API base and product
  writeSaved(`${ENDPOINT.replace(/\/+$/, '')}/v1`, tee.id, {
    checkoutId: saved.checkoutId,
    clientToken: saved.token,
  });
  const el = await mountReady(tee.id, { locale });
  await clickOn(buyButton(el)!);
  await waitForStep(el, 'done');
  return el;
}

const refundLine = (el: BuyInPost) =>
  el.shadowRoot!.querySelector('[part="refund"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const thanks = (el: BuyInPost) => el.shadowRoot!.querySelector('.thanks')?.textContent?.trim();

describe('a refunded order on the confirmation', () => {
  it('says nothing of refunds while there are none', async () => {
    const tee = await newTee({ price: 2500 });
    const saved = await paidOrder(tee);
    const el = await comeBack(tee, saved);
    expect(refundLine(el)).to.equal(null);
    expect(thanks(el)).to.equal('Thank you!');
  });

  it('shows a partial refund, with what was given back of the total', async () => {
    const tee = await newTee({ price: 2500 });
    const saved = await paidOrder(tee);
    await cmd('bip-refund', { orderId: saved.paid.order.id, amount: 2000 });
    const el = await comeBack(tee, saved);
    expect(refundLine(el)).to.equal(
      'The seller refunded $20.00 of the $55.00 you paid; it goes back to you.',
    );
    expect(thanks(el)).to.equal('Thank you!');
    await expect(el).to.be.accessible();
  });

  it('shows a whole refund as such, without the shipping promise', async () => {
    const tee = await newTee({ price: 2500 });
    const saved = await paidOrder(tee);
    await cmd('bip-refund', { orderId: saved.paid.order.id });
    const el = await comeBack(tee, saved);
    expect(thanks(el)).to.equal('Order refunded');
    expect(refundLine(el)).to.equal('The seller refunded this order: $55.00 goes back to you.');
    const text = el.shadowRoot!.querySelector('[part="body"]')!.textContent!;
    expect(text).not.to.include('will ship it');
    await expect(el).to.be.accessible();
  });

  it('in Arabic', async () => {
    const tee = await newTee({ price: 2500 });
    const saved = await paidOrder(tee);
    await cmd('bip-refund', { orderId: saved.paid.order.id, amount: 2000 });
    const el = await comeBack(tee, saved, 'ar');
    const money = (n: number) =>
      new Intl.NumberFormat('ar', { style: 'currency', currency: 'USD' }).format(n);
    await waitUntil(() => refundLine(el) !== null, 'the refund line');
    expect(refundLine(el)).to.equal(
      `ردّ البائع ${money(20)} من أصل ${money(55)} دفعتها؛ يعود إليك المبلغ.`.replace(/\s+/g, ' '),
    );
    await expect(el).to.be.accessible();
  });
});
