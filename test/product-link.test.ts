import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import '../src/define.ts';
import { cmd, ENDPOINT } from './helpers/fixtures.ts';

// The element's own fallback link (issue 15): with no light-DOM link of the host's, an element
// whose endpoint cannot be reached links the endpoint's product page, which sells without it
// (server/test/product-pages.test.ts: that page, and /p/{id} moving to its canonical address).

const ownLink = (el: BuyInPost) => el.shadowRoot!.querySelector<HTMLAnchorElement>('slot a');

describe('the default fallback link', () => {
  it("is the endpoint's product page when the endpoint cannot be reached", async () => {
    const dead = await cmd<string>('bip-dead-endpoint');
    const el = await fixture<BuyInPost>(
      html`<buy-in-post product="tour tee/1" endpoint=${`${dead}/`}></buy-in-post>`,
    );
    await waitUntil(() => ownLink(el), 'the fallback link shows', { timeout: 10_000 });
    expect(ownLink(el)!.getAttribute('href')).to.equal(`${dead}/p/tour%20tee%2F1`);
    expect(ownLink(el)!.textContent).to.equal('View product page');
    await expect(el).to.be.accessible();
  });

  it('is not shown for a product the endpoint does not know (its page would not exist)', async () => {
    const el = await fixture<BuyInPost>(
      html`<buy-in-post product="no-such-product" endpoint=${ENDPOINT}></buy-in-post>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('slot'), 'the fallback shows');
    expect(ownLink(el)).to.equal(null);
  });
});
