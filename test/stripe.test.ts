// Stripe in the browser, end to end on this machine: the real element, the real loader
// (@stripe/stripe-js/pure) fetching "js.stripe.com" — answered by the fake Stripe.js in
// test/doubles/ — and the real endpoint whose real `stripe` SDK talks to the fake Stripe API,
// which posts signed webhooks back to it (see test/helpers/stripe-endpoint.mjs).
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  buyButton,
  clickOn,
  cmd,
  dialog,
  errorText,
  focused,
  pressUntil,
  primary,
  q,
  toFilledShipping,
  toPaymentStep,
  waitForStep,
} from './helpers/fixtures.ts';

interface StripeInfo {
  endpoint: string;
  publishableKey: string;
  api: string;
}
const STRIPE = (window as unknown as { __BIP__: { stripe: StripeInfo } }).__BIP__.stripe;

interface Poster {
  id: string;
  variant: string;
}
interface Order {
  id: string;
  number: string;
  quantity: number;
  total: { amount: number };
  shippingAddress: { name: string; city: string; country: string } | null;
}
interface FakeStripeGlobal {
  calls: { method: string; args: unknown[] }[];
}
const fakeStripe = () => (window as unknown as { __fakeStripe?: FakeStripeGlobal }).__fakeStripe;
const wallets = (list: string[]) => {
  (window as unknown as { __fakeStripeWallets: string[] }).__fakeStripeWallets = list;
};

const newPoster = (opts: { price?: number; stock?: number; kind?: string } = {}) =>
  cmd<Poster>('stripe-new-poster', opts);
const ordersOf = (productId: string) => cmd<Order[]>('stripe-orders', { productId });
const stockOf = (productId: string) =>
  cmd<{ stock: number; reserved: number }[]>('stripe-stock', { productId });
const intentFor = (clientSecret: string) =>
  cmd<{ amount: number; status: string } | null>('stripe-intent', { clientSecret });
const stripeJsRequests = () => cmd<string[]>('bip-stripe-js-requests');

async function mount(
  productId: string,
  attrs: { locale?: string; mode?: string } = {},
  parent?: HTMLElement,
): Promise<BuyInPost> {
  const el = await fixture<BuyInPost>(
    html`<buy-in-post
      product=${productId}
      endpoint=${STRIPE.endpoint}
      locale=${attrs.locale ?? ''}
      payment-mode=${attrs.mode ?? ''}
    ></buy-in-post>`,
    parent ? { parentNode: parent } : {},
  );
  await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
  return el;
}

/** Stripe's form: in the light DOM (Stripe refuses shadow roots), shown through a slot. */
function cardForm(): HTMLElement {
  const form = document.querySelector<HTMLElement>('[data-fake-stripe="payment"]');
  if (!form) throw new Error('no Stripe payment form mounted');
  return form;
}
const cardForms = () => document.querySelectorAll('[data-fake-stripe="payment"]');

/** Types a card into Stripe's form as a reader does: click, type. */
async function typeCard(number: string) {
  await waitUntil(() => cardForms().length > 0, 'Stripe form mounted', { timeout: 10_000 });
  const form = cardForm();
  for (const [name, value] of [
    ['cardnumber', number],
    ['exp-date', '12 / 34'],
    ['cvc', '123'],
  ] as const) {
    const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
    await clickOn(input);
    await sendKeys({ type: value });
  }
}

/** From the payment step, with a card typed: review, then pay. */
async function payWith(el: BuyInPost, card: string) {
  await typeCard(card);
  primary(el).click();
  await waitForStep(el, 'review');
  primary(el).click();
}

const bodyText = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="body"]')?.textContent ?? '').replace(/\s+/g, ' ');

/** What the reader types on Stripe's hosted page (it asks for the address to ship to). */
const HOSTED_PAGE_ADDRESS = {
  name: 'Ada Reader',
  line1: '1 Main St',
  city: 'Springfield',
  postal_code: '12345',
  country: 'US',
};

describe('Stripe', () => {
  afterEach(async () => {
    sessionStorage.clear();
    wallets([]);
    await cmd('stripe-webhooks', { mode: 'deliver' });
    for (const n of document.querySelectorAll('.buy-in-post-payment')) n.remove();
  });

  // First in this file: the page has not loaded Stripe.js yet.
  it('requests nothing from js.stripe.com before the payment step, then loads it once', async () => {
    // the list is the whole run's (other files' pages count too): what this test adds
    const earlier = (await stripeJsRequests()).length;
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toFilledShipping(el);
    expect((await stripeJsRequests()).slice(earlier), 'before payment').to.deep.equal([]);
    expect('Stripe' in window).to.equal(false);
    primary(el).click();
    await waitForStep(el, 'payment');
    const requests = (await stripeJsRequests()).slice(earlier);
    expect(requests).to.have.length(1);
    expect(requests[0]).to.match(/^https:\/\/js\.stripe\.com\/endive\/stripe\.js/);
  });

  it('pays end to end: card in the slotted Stripe form, confirm, webhook, order', async () => {
    const poster = await newPoster({ price: 2500, stock: 4 });
    const el = await mount(poster.id);
    await toPaymentStep(el);
    // the mount node is the element's light-DOM child, projected through the step's slot
    const node = document.querySelector<HTMLElement>('.buy-in-post-payment')!;
    expect(node.parentElement === el, 'the element holds the mount node').to.equal(true);
    const slot = q<HTMLSlotElement>(el, `slot[name="${node.slot}"]`);
    const assigned = slot.assignedElements();
    expect(assigned.length === 1 && assigned[0] === node, 'assigned to the slot').to.equal(true);
    expect(node.contains(cardForm())).to.equal(true);
    await expect(el).to.be.accessible();

    await payWith(el, '4242 4242 4242 4242');
    await waitForStep(el, 'done');
    expect(bodyText(el)).to.match(/Order/);
    const orders = await ordersOf(poster.id);
    expect(orders).to.have.length(1);
    expect(orders[0]!.total.amount).to.equal(2500 + 500);
    expect(await stockOf(poster.id)).to.deep.equal([{ stock: 3, reserved: 0 }]);
    await expect(el).to.be.accessible();
  });

  it('keyboard only: Tab into Stripe’s form, type, Tab on, Enter to pay', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toPaymentStep(el);
    await waitUntil(() => cardForms().length > 0, 'Stripe form mounted');
    const input = (name: string) =>
      cardForm().querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
    await pressUntil('Tab', () => document.activeElement === input('cardnumber'), 'card number');
    await sendKeys({ type: '4242424242424242' });
    await sendKeys({ press: 'Tab' });
    expect(document.activeElement === input('exp-date'), 'expiry next').to.equal(true);
    await sendKeys({ type: '12 / 34' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: '123' });
    await pressUntil('Tab', () => focused(el) === primary(el), 'the Review button');
    await sendKeys({ press: 'Enter' });
    await waitForStep(el, 'review');
    await pressUntil('Tab', () => focused(el) === primary(el), 'the Pay button');
    await sendKeys({ press: 'Enter' });
    await waitForStep(el, 'done');
    expect(await ordersOf(poster.id)).to.have.length(1);
  });

  it('the Stripe.js stand-in refuses a shadow root, as Stripe does', async () => {
    const host = await fixture<HTMLElement>(html`<div></div>`);
    const inside = host.attachShadow({ mode: 'open' }).appendChild(document.createElement('div'));
    const StripeJs = (window as unknown as { Stripe?: (key: string) => any }).Stripe;
    expect(StripeJs, 'loaded by the earlier tests').to.be.a('function');
    expect((StripeJs as unknown as { version: string }).version).to.equal('endive');
    const card = StripeJs!(STRIPE.publishableKey)
      .elements({ clientSecret: 'pi_x_secret_y' })
      .create('payment');
    expect(() => card.mount(inside)).to.throw(/cannot be mounted in a ShadowRoot/);
  });

  it('a decline shows Stripe’s reason and keeps the card form; another card then pays', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toPaymentStep(el);
    await payWith(el, '4000000000000002');
    await waitForStep(el, 'payment');
    expect(errorText(el)).to.include('declined');
    expect(cardForms()).to.have.length(1);
    await expect(el).to.be.accessible();
    const input = cardForm().querySelector<HTMLInputElement>('input[name="cardnumber"]')!;
    input.select();
    await clickOn(input);
    await sendKeys({ press: 'Control+A' });
    await sendKeys({ type: '4242424242424242' });
    primary(el).click();
    await waitForStep(el, 'review');
    primary(el).click();
    await waitForStep(el, 'done');
    expect(await ordersOf(poster.id)).to.have.length(1);
  });

  it('authentication required: Stripe’s challenge, then the order', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toPaymentStep(el);
    const modal = dialog(el)!.getBoundingClientRect();
    await payWith(el, '4000002500003155');
    const challenge = await waitUntil(
      () => document.querySelector('[data-fake-stripe="challenge"]'),
      '3-D Secure challenge shown',
      { timeout: 10_000 },
    ).then(() => document.querySelector<HTMLElement>('[data-fake-stripe="challenge"]')!);
    // Out of the top layer under the challenge, the dialog stays on screen as it was: not
    // placed in (and clipped to) the Buy button's box, which contains its layout and paint.
    expect(dialog(el)!.matches(':modal')).to.equal(false);
    const fixed = dialog(el)!.getBoundingClientRect();
    expect([fixed.left, fixed.width]).to.deep.equal([modal.left, modal.width]);
    const complete = [...challenge.querySelectorAll('button')].find((b) =>
      b.textContent?.includes('Complete'),
    )!;
    await clickOn(complete);
    await waitForStep(el, 'done');
    expect(await ordersOf(poster.id)).to.have.length(1);
  });

  it('a lost webhook: the element still sees the order (the endpoint asks Stripe)', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toPaymentStep(el);
    await cmd('stripe-webhooks', { mode: 'drop' });
    await payWith(el, '4242424242424242');
    await waitForStep(el, 'done');
    expect(await ordersOf(poster.id)).to.have.length(1);
  });

  it('a quantity change updates the amount Stripe will charge', async () => {
    const poster = await newPoster({ price: 2500, stock: 10 });
    const el = await mount(poster.id);
    await toPaymentStep(el);
    const handoff = () =>
      (el as unknown as { view: { state: { checkout: { payment: { clientSecret: string } } } } })
        .view.state.checkout.payment.clientSecret;
    const secret = handoff();
    expect((await intentFor(secret))!.amount).to.equal(3000);
    // back to the product step, two posters
    await clickOn(q(el, '[part~="back"]'));
    await waitForStep(el, 'shipping');
    await clickOn(q(el, '[part~="back"]'));
    await waitForStep(el, 'product');
    const qty = q<HTMLInputElement>(el, '#qty');
    qty.value = '2';
    qty.dispatchEvent(new Event('change'));
    await el.updateComplete;
    primary(el).click();
    await waitForStep(el, 'shipping');
    const view = (el as unknown as { view: { state: { checkout: { quantity: number } } } }).view;
    expect(view.state.checkout.quantity, 'the checkout has two').to.equal(2);
    expect((await intentFor(secret))!.amount).to.equal(5500);
  });

  it('inside nested shadow roots, the form goes on the outermost host and still pays', async () => {
    if (!customElements.get('bip-test-outer')) {
      class Shell extends HTMLElement {
        constructor() {
          super();
          this.attachShadow({ mode: 'open' }).innerHTML = '<div class="frame"></div>';
        }
      }
      customElements.define('bip-test-outer', class extends Shell {});
      customElements.define('bip-test-inner', class extends Shell {});
    }
    const outer = await fixture<HTMLElement>(html`<bip-test-outer></bip-test-outer>`);
    const inner = document.createElement('bip-test-inner');
    outer.shadowRoot!.querySelector('.frame')!.append(inner);
    const poster = await newPoster();
    const el = document.createElement('buy-in-post') as BuyInPost;
    el.setAttribute('product', poster.id);
    el.setAttribute('endpoint', STRIPE.endpoint);
    inner.shadowRoot!.querySelector('.frame')!.append(el);
    await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
    await toPaymentStep(el);
    const node = document.querySelector<HTMLElement>('.buy-in-post-payment')!;
    expect(
      node.parentElement === outer,
      `on the outermost host, in the document (is on ${node.parentElement?.localName})`,
    ).to.equal(true);
    // a slot at each level carries it down to the element's own
    const own = q<HTMLSlotElement>(el, `slot[name="${node.slot}"]`);
    const flat = own.assignedElements({ flatten: true });
    expect(flat.length === 1 && flat[0] === node, 'relayed to the element').to.equal(true);
    expect(cardForm().getBoundingClientRect().height).to.be.greaterThan(0);
    await payWith(el, '4242424242424242');
    await waitForStep(el, 'done');
    expect(await ordersOf(poster.id)).to.have.length(1);
  });

  it('with no theme set, Stripe’s form gets the element’s default colours, not black on nothing', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id);
    await toPaymentStep(el);
    const options = fakeStripe()!
      .calls.filter((c) => c.method === 'elements')
      .at(-1)!.args[0] as {
      appearance: { theme: string; variables: Record<string, string> };
    };
    const v = options.appearance.variables;
    expect(v.colorPrimary, 'the default accent').to.equal('rgb(29, 78, 216)');
    expect(v.colorBackground, 'an opaque surface').to.not.equal('rgba(0, 0, 0, 0)');
    expect(options.appearance.theme).to.equal('stripe');
    expect(v.fontFamily).to.equal(getComputedStyle(el).fontFamily);
  });

  it('dresses Stripe’s form in the element’s theme and language (Arabic)', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id, { locale: 'ar' });
    el.style.setProperty('--buy-in-post-accent', 'rgb(200, 30, 90)');
    el.style.setProperty('--buy-in-post-on-accent', '#fff');
    el.style.setProperty('--buy-in-post-font', 'Georgia, serif');
    await toPaymentStep(el);
    const call = fakeStripe()!
      .calls.filter((c) => c.method === 'elements')
      .at(-1)!;
    const options = call.args[0] as {
      locale: string;
      appearance: { variables: { colorPrimary: string; fontFamily: string } };
    };
    expect(options.locale).to.equal('ar');
    expect(options.appearance.variables.colorPrimary).to.equal('rgb(200, 30, 90)');
    expect(options.appearance.variables.fontFamily).to.equal('Georgia, serif');
    expect(cardForm().textContent).to.include('رقم البطاقة');
    await expect(el).to.be.accessible();
    // the element's language changes while the form is up: Stripe's follows
    el.locale = 'en';
    await el.updateComplete;
    await waitUntil(() => cardForm().textContent?.includes('Card number'), 'Stripe in English');
  });

  it('a wallet pays in one tap; its address prices shipping through the endpoint', async () => {
    wallets(['google_pay']);
    (window as unknown as { __fakeStripeWalletAddress: unknown }).__fakeStripeWalletAddress = {
      name: 'Layla Haddad',
      address: {
        line1: '3 rue de la Paix',
        line2: '',
        city: 'Paris',
        state: '',
        postal_code: '75002',
        country: 'FR',
      },
    };
    const poster = await newPoster({ price: 2500 });
    const el = await mount(poster.id);
    // a wallet is offered at the payment step; the shipping step needs an address first
    await toPaymentStep(el);
    const pay = await waitUntil(
      () => document.querySelector('.buy-in-post-payment button'),
      'wallet button',
    ).then(
      () =>
        [...document.querySelectorAll<HTMLButtonElement>('.buy-in-post-payment button')].find((b) =>
          b.textContent?.includes('Google Pay'),
        )!,
    );
    await expect(el).to.be.accessible();
    await clickOn(pay);
    await waitForStep(el, 'done');
    const resolved = fakeStripe()!.calls.find(
      (c) => c.method === 'expressCheckout.shippingaddresschange.resolve',
    );
    expect(resolved, 'the wallet sheet ran its course').to.exist;
    // the sheet's lines, priced for France, add up to the total the endpoint computed
    const update = resolved!.args[0] as {
      lineItems: { name: string; amount: number }[];
      shippingRates: { amount: number }[];
    };
    expect(update.lineItems.map((l) => l.name)).to.deep.equal(['Night Trains poster', 'Tax']);
    const sum =
      update.lineItems.reduce((n, l) => n + l.amount, 0) + update.shippingRates[0]!.amount;
    expect(sum).to.equal(4800);
    const [order] = await ordersOf(poster.id);
    expect(order!.shippingAddress!.city).to.equal('Paris');
    // (25.00 + 15.00 shipping to France) × 1.2 tax
    expect(order!.total.amount).to.equal(4800);
  });

  it('a wallet sheet closed before paying puts back the typed address; the card then pays', async () => {
    wallets(['google_pay']);
    const w = window as unknown as Record<string, unknown>;
    w.__fakeStripeWalletDismiss = true;
    w.__fakeStripeWalletAddress = {
      name: 'Layla Haddad',
      address: { line1: '3 rue de la Paix', city: 'Paris', postal_code: '75002', country: 'FR' },
    };
    try {
      const poster = await newPoster({ price: 2500 });
      const el = await mount(poster.id);
      await toPaymentStep(el);
      const checkout = () =>
        (
          el as unknown as {
            view: { state: { checkout: { totals: { total: { amount: number } } } } };
          }
        ).view.state.checkout;
      expect(checkout().totals.total.amount).to.equal(3000);
      const google = await waitUntil(
        () => document.querySelector('.buy-in-post-payment button'),
        'wallet button',
      ).then(() => document.querySelector<HTMLButtonElement>('.buy-in-post-payment button')!);
      await clickOn(google);
      const calls = () => fakeStripe()!.calls.map((c) => c.method);
      await waitUntil(
        () => calls().includes('expressCheckout.shippingaddresschange.resolve'),
        'the sheet priced France',
      );
      await waitUntil(
        () =>
          checkout().totals.total.amount === 3000 &&
          !el.shadowRoot!.querySelector('[aria-busy="true"]'),
        'back to the typed address in the US',
        { timeout: 10_000 },
      );
      await payWith(el, '4242424242424242');
      await waitForStep(el, 'done');
      const [order] = await ordersOf(poster.id);
      expect(order!.shippingAddress!.city).to.equal('Springfield');
      expect(order!.total.amount).to.equal(3000);
    } finally {
      delete w.__fakeStripeWalletDismiss;
    }
  });

  it('hosted mode: a link to Stripe’s page, and the order shown on return', async () => {
    const poster = await newPoster();
    const el = await mount(poster.id, { mode: 'hosted' });
    const stripesBefore = fakeStripe()?.calls.filter((c) => c.method === 'elements').length;
    await toPaymentStep(el);
    const link = q<HTMLAnchorElement>(el, 'a[part~="primary"]');
    expect(link.href).to.match(new RegExp(`^${STRIPE.api}/c/pay/cs_`));
    expect(
      fakeStripe()?.calls.filter((c) => c.method === 'elements').length,
      'no Stripe form on the page for a hosted payment',
    ).to.equal(stripesBefore);
    await expect(el).to.be.accessible();
    // The reader pays on Stripe's page (another page: done from the server side here)...
    const paid = await cmd<{ status: number; location: string; text: string }>(
      'stripe-pay-hosted',
      { url: link.href, address: HOSTED_PAGE_ADDRESS },
    );
    expect(paid.status, paid.text).to.equal(303);
    const back = new URL(paid.location);
    expect(back.origin + back.pathname).to.equal(location.origin + location.pathname);
    // ...and Stripe sends them back to this page: it loads again, with the same tab's storage.
    el.remove();
    const before = location.href;
    history.replaceState(null, '', back.pathname + back.search);
    try {
      const again = await mount(poster.id, { mode: 'hosted' });
      await waitForStep(again, 'done');
      expect(bodyText(again)).to.match(/Order/);
      expect(focused(again) !== null, 'focus inside the dialog').to.equal(true);
      expect(location.search, 'the return parameters are cleaned up').to.not.include('bip_');
    } finally {
      history.replaceState(null, '', before);
    }
    expect(await ordersOf(poster.id)).to.have.length(1);
  });
});
