import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  BuyInPostCheckoutStartEvent,
  BuyInPostCloseEvent,
  BuyInPostErrorEvent,
  BuyInPostOpenEvent,
  BuyInPostOptionChangeEvent,
  BuyInPostPurchaseEvent,
} from '../src/events.ts';
import {
  button,
  buyButton,
  checkoutsOf,
  dialog,
  ENDPOINT,
  newTee,
  oneEventOf,
  primary,
  radio,
  setValue,
  waitForStep,
} from './helpers/fixtures.ts';

/**
 * Each event is heard on `document` from inside a host component's shadow root: that proves it
 * bubbles and is composed. `oneEventOf` is armed before the act that fires it.
 */
async function mountInShadow(productId: string): Promise<BuyInPost> {
  const host = await fixture<HTMLElement>(html`<div></div>`);
  const root = host.attachShadow({ mode: 'open' });
  const el = document.createElement('buy-in-post');
  el.product = productId;
  el.endpoint = ENDPOINT;
  root.append(el);
  await waitUntil(() => buyButton(el), 'the Buy button appears');
  return el;
}

/**
 * `composedPath()` is empty once dispatch is over, so each event's path is recorded while it is
 * on its way, by a listener on `document` (which it only reaches by bubbling out of the shadow
 * root).
 */
const paths = new WeakMap<Event, EventTarget[]>();
const TYPES = ['open', 'option-change', 'checkout-start', 'error', 'purchase', 'close'].map(
  (t) => `buy-in-post-${t}`,
);
const record = (e: Event) => paths.set(e, e.composedPath());
for (const type of TYPES) document.addEventListener(type, record);

function expectShape(e: Event, type: string, target: BuyInPost) {
  expect(e.type).to.equal(type);
  expect(e.bubbles, 'bubbles').to.equal(true);
  expect(e.composed, 'composed').to.equal(true);
  const path = paths.get(e) ?? [];
  expect(path[0] === target, 'dispatched on the element').to.equal(true);
  expect(path.includes(document), 'reached the document').to.equal(true);
}

async function toReview(el: BuyInPost, card: string) {
  primary(el).click();
  await waitForStep(el, 'shipping');
  await setValue(el, 'Email', 'ada@example.com');
  await setValue(el, 'Full name', 'Ada Reader');
  await setValue(el, 'Address', '1 Main St');
  await setValue(el, 'City', 'Springfield');
  await setValue(el, 'Country', 'US');
  primary(el).click();
  await waitForStep(el, 'payment');
  await setValue(el, 'Card number', card);
  primary(el).click();
  await waitForStep(el, 'review');
}

describe('events', () => {
  afterEach(() => sessionStorage.clear());

  it('buy-in-post-open: once the dialog is open, with the product id', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    let dialogOpenWhenFired = false;
    const opened = oneEventOf(document, 'buy-in-post-open');
    document.addEventListener(
      'buy-in-post-open',
      () => {
        dialogOpenWhenFired = !!dialog(el)?.open;
      },
      { once: true },
    );
    buyButton(el)!.click();
    const e = await opened;
    expect(e).to.be.instanceOf(BuyInPostOpenEvent);
    expectShape(e, 'buy-in-post-open', el);
    expect(e.productId).to.equal(tee.id);
    expect(dialogOpenWhenFired, 'fired after the dialog rendered').to.equal(true);
  });

  it('buy-in-post-option-change: the variant, options and quantity the reader chose', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');

    let changed = oneEventOf(document, 'buy-in-post-option-change');
    radio(el, 'M').click();
    let e = await changed;
    expect(e).to.be.instanceOf(BuyInPostOptionChangeEvent);
    expectShape(e, 'buy-in-post-option-change', el);
    expect(e.productId).to.equal(tee.id);
    expect(e.variantId).to.equal(tee.variants['M/Black']);
    expect(e.options).to.deep.equal({ Size: 'M', Colour: 'Black' });
    expect(e.quantity).to.equal(1);

    changed = oneEventOf(document, 'buy-in-post-option-change');
    button(el, 'Increase quantity').click();
    e = await changed;
    expect(e.quantity).to.equal(2);
    expect(e.variantId).to.equal(tee.variants['M/Black']);
  });

  it('no option-change for what the element decides itself', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    const heard: Event[] = [];
    const listen = (e: Event) => heard.push(e);
    document.addEventListener('buy-in-post-option-change', listen);
    try {
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      el.hide();
      await waitUntil(() => !el.open, 'closed');
      expect(heard).to.have.length(0);
    } finally {
      document.removeEventListener('buy-in-post-option-change', listen);
    }
  });

  it('buy-in-post-checkout-start: the checkout the endpoint created', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    const started = oneEventOf(document, 'buy-in-post-checkout-start');
    primary(el).click();
    const e = await started;
    expect(e).to.be.instanceOf(BuyInPostCheckoutStartEvent);
    expectShape(e, 'buy-in-post-checkout-start', el);
    expect(e.productId).to.equal(tee.id);
    expect(e.variantId).to.equal(tee.variants['S/Black']);
    expect(e.quantity).to.equal(1);
    const [row] = await checkoutsOf(tee.id);
    expect(e.checkoutId).to.equal(row!.id);
  });

  it('buy-in-post-error: the stable code and a message for people', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await toReview(el, '4000000000000002');
    const failed = oneEventOf(document, 'buy-in-post-error');
    primary(el).click();
    const e = await failed;
    expect(e).to.be.instanceOf(BuyInPostErrorEvent);
    expectShape(e, 'buy-in-post-error', el);
    expect(e.code).to.equal('payment_declined');
    expect(e.message).to.be.a('string').and.contain('declined');
  });

  it('buy-in-post-purchase: order number, total, product, variant and quantity', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await toReview(el, '4242424242424242');
    const purchased = oneEventOf(document, 'buy-in-post-purchase');
    primary(el).click();
    const e = await purchased;
    expect(e).to.be.instanceOf(BuyInPostPurchaseEvent);
    expectShape(e, 'buy-in-post-purchase', el);
    expect(e.orderNumber).to.match(/^BIP-/);
    expect(e.total).to.deep.equal({ amount: 3000, currency: 'USD' });
    expect(e.productId).to.equal(tee.id);
    expect(e.variantId).to.equal(tee.variants['S/Black']);
    expect(e.quantity).to.equal(1);
  });

  it('buy-in-post-close: on Escape, with the product id', async () => {
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    const closed = oneEventOf(document, 'buy-in-post-close');
    await sendKeys({ press: 'Escape' });
    const e = await closed;
    expect(e).to.be.instanceOf(BuyInPostCloseEvent);
    expectShape(e, 'buy-in-post-close', el);
    expect(e.productId).to.equal(tee.id);
    expect(el.open).to.equal(false);
  });

  it('the event types are in GlobalEventHandlersEventMap', async () => {
    // A compile-time check as much as a run-time one: these listeners are typed without casts.
    const tee = await newTee();
    const el = await mountInShadow(tee.id);
    let productId = '';
    el.addEventListener('buy-in-post-open', (e) => {
      productId = e.productId;
    });
    buyButton(el)!.click();
    await waitUntil(() => productId === tee.id, 'the typed listener ran');
  });
});
