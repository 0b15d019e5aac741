// Stripe.js cannot be reached (a content blocker, a flaky network): the payment step says so,
// keeps everything entered, and loads it again when the reader asks. Its own file: Stripe's
// loader must not have loaded Stripe.js in this page before.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  button,
  buyButton,
  cmd,
  primary,
  toFilledShipping,
  waitForStep,
} from './helpers/fixtures.ts';

const STRIPE = (window as unknown as { __BIP__: { stripe: { endpoint: string } } }).__BIP__.stripe;

describe('Stripe.js unreachable', () => {
  after(() => cmd('bip-stripe-js-down', { down: false }));

  it('says the payment form could not load, then loads it on "Try again"', async () => {
    const poster = await cmd<{ id: string }>('stripe-new-poster', {});
    const el = await fixture<BuyInPost>(
      html`<buy-in-post product=${poster.id} endpoint=${STRIPE.endpoint}></buy-in-post>`,
    );
    await waitUntil(() => buyButton(el), 'Buy button', { timeout: 10_000 });
    await toFilledShipping(el);
    await cmd('bip-stripe-js-down', { down: true });
    primary(el).click();
    const alert = () =>
      el.shadowRoot!.querySelector('form.stripe [role="alert"]')?.textContent ?? '';
    await waitUntil(() => alert().includes('could not load'), 'the failure is told', {
      timeout: 15_000,
    });
    const tries = (await cmd<string[]>('bip-stripe-js-requests')).length;
    // nothing keeps knocking at js.stripe.com on its own
    await new Promise((r) => setTimeout(r, 500));
    expect((await cmd<string[]>('bip-stripe-js-requests')).length).to.equal(tries);
    await expect(el).to.be.accessible();

    await cmd('bip-stripe-js-down', { down: false });
    button(el, 'Try again').click();
    await waitUntil(() => document.querySelector('[data-fake-stripe="payment"]'), 'Stripe form', {
      timeout: 10_000,
    });
    expect(alert()).to.equal('');
    await waitForStep(el, 'payment'); // still where the reader was, the checkout kept
  });
});
