import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import { buyButton, ENDPOINT, focused, newProduct, requestsTo } from './helpers/fixtures.ts';

// A page of its own (see loading.test.ts): a module is requested once per page.
describe('the checkout chunk, for keyboard readers', () => {
  it('is not fetched before intent, and is when the Buy button gets focus', async () => {
    const chunkRequested = () => requestsTo('checkout/index').length > 0;
    const { id } = await newProduct({ variants: [{ price: 900, stock: 3 }] });
    const page = await fixture<HTMLElement>(html`<article>
      <a href="#post">A post</a>
      <buy-in-post product=${id} endpoint=${ENDPOINT}></buy-in-post>
    </article>`);
    const el = page.querySelector<BuyInPost>('buy-in-post')!;
    await waitUntil(() => buyButton(el), 'the Buy button appears');
    page.querySelector('a')!.focus();
    expect(chunkRequested(), 'checkout chunk requested before intent').to.equal(false);

    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal(buyButton(el));
    await waitUntil(chunkRequested, 'the checkout chunk is requested on focus');
    expect(el.open).to.equal(false);
  });
});
