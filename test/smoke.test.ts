import { expect } from '@open-wc/testing';
import { buyButton, CATALOGUE, cmd, ENDPOINT, mountReady } from './helpers/fixtures.ts';

/** The test environment itself: if these fail, read nothing into the other failures. */
describe('test environment', () => {
  it('talks to the reference endpoint started for this run', async () => {
    const res = await fetch(`${ENDPOINT}/v1/health`);
    expect(res.status).to.equal(200);
    expect((await res.json()).status).to.equal('ok');
    const el = await mountReady(CATALOGUE.tee.id);
    expect(buyButton(el)!.textContent!.trim()).to.equal('Buy · $25.00');
  });

  it('serves a stand-in for Stripe.js from js.stripe.com', async () => {
    const script = document.createElement('script');
    script.src = 'https://js.stripe.com/endive/stripe.js';
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = reject;
    });
    document.head.append(script);
    await loaded;
    script.remove();
    const Stripe = (window as unknown as { Stripe: { version: string } }).Stripe;
    expect(Stripe.version).to.equal('endive');
  });

  it('refuses every other outside address', async () => {
    let failure: unknown = null;
    try {
      await fetch('https://tracker.example/pixel');
    } catch (e) {
      failure = e;
    }
    expect(failure).to.be.instanceOf(TypeError);
    expect(await cmd<string[]>('bip-refused')).to.include('https://tracker.example/pixel');
  });
});
