// The fake Stripe.js (test/doubles/stripe-js.js) on its own, checked against what the element
// relies on in the real one. The page gets the fake here by hand, not through js.stripe.com,
// pointed at an API that is not there: nothing below reaches the network.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type {
  StripeConstructor,
  StripeElements,
  StripeExpressCheckoutElementClickEvent,
  StripeExpressCheckoutElementConfirmEvent,
  StripeExpressCheckoutElementReadyEvent,
  StripeExpressCheckoutElementShippingAddressChangeEvent,
} from '@stripe/stripe-js';
import { sendKeys } from '@web/test-runner-commands';

interface FakeStripeWindow {
  Stripe: StripeConstructor & { version: string };
  __fakeStripe: { instances: { publishableKey: string }[]; calls: { method: string }[] };
  __fakeStripeWallets?: string[];
}
const page = window as unknown as FakeStripeWindow;

const KEY = 'pk_test_double';
const CLIENT_SECRET = 'pi_double_secret_abc';

/** A fresh Elements group, as the element makes one. */
const newElements = (options: { locale?: 'en' | 'ar' } = {}): StripeElements =>
  page.Stripe(KEY).elements({
    clientSecret: CLIENT_SECRET,
    appearance: { theme: 'stripe', variables: { colorPrimary: 'rgb(200, 30, 90)' } },
    ...options,
  });

/** A light-DOM node to mount into, removed after the test. */
const mountNode = () => fixture<HTMLDivElement>(html`<div></div>`);

/** A Payment Element, mounted and ready. */
async function mountedPayment(options: { locale?: 'en' | 'ar' } = {}) {
  const elements = newElements(options);
  const node = await mountNode();
  const payment = elements.create('payment', { layout: 'tabs' });
  const ready = new Promise((resolve) => payment.on('ready', resolve));
  payment.mount(node);
  await ready;
  return { elements, node, payment };
}

/** The input a label names (what a reader goes by). */
function field(node: HTMLElement, text: string): HTMLInputElement {
  const label = [...node.querySelectorAll('label')].find((l) => l.textContent === text);
  if (!label?.control) throw new Error(`no field labelled ${text}`);
  return label.control as HTMLInputElement;
}

async function typeInto(input: HTMLInputElement, text: string) {
  input.focus();
  await sendKeys({ type: text });
}

before(async () => {
  const source = await (await fetch('/test/doubles/stripe-js.js')).text();
  const script = document.createElement('script');
  script.textContent = source.replaceAll('__FAKE_STRIPE_API__', 'http://127.0.0.1:9');
  document.head.append(script);
});

afterEach(() => {
  delete page.__fakeStripeWallets;
});

describe('fake Stripe.js', () => {
  describe('loading', () => {
    it('is the release train @stripe/stripe-js 10 expects', () => {
      expect(page.Stripe.version).to.equal('endive');
    });

    it('makes a Stripe object with or without `new`, and records each', () => {
      const before = page.__fakeStripe.instances.length;
      const called = page.Stripe(KEY);
      const constructed = new (page.Stripe as unknown as new (key: string) => typeof called)(KEY);
      expect(called.elements).to.be.a('function');
      expect(constructed.confirmPayment).to.be.a('function');
      expect(page.__fakeStripe.instances.slice(before).map((i) => i.publishableKey)).to.deep.equal([
        KEY,
        KEY,
      ]);
      // what the real one does not have, this one has not either
      expect((called as unknown as Record<string, unknown>).confirmCardPayment).to.equal(undefined);
    });
  });

  describe('mounting', () => {
    it('refuses a node inside a shadow root, as real Stripe does', async () => {
      const host = await mountNode();
      const inner = document.createElement('div');
      host.attachShadow({ mode: 'open' }).append(inner);
      const payment = newElements().create('payment');
      expect(() => payment.mount(inner))
        .to.throw('Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.')
        .with.property('name', 'IntegrationError');
    });

    it('refuses to mount twice', async () => {
      const { payment, node } = await mountedPayment();
      expect(() => payment.mount(node)).to.throw(/already mounted/);
    });

    it('draws a labelled card form in the light DOM, and no <form> of its own', async () => {
      const { node } = await mountedPayment();
      const form = node.querySelector<HTMLElement>('[data-fake-stripe="payment"]')!;
      expect(form.classList.contains('FakeStripeElement')).to.equal(true);
      expect(field(form, 'Card number').name).to.equal('cardnumber');
      expect(field(form, 'Card number').autocomplete).to.equal('cc-number');
      expect(field(form, 'Card number').inputMode).to.equal('numeric');
      expect(field(form, 'Expiration date').name).to.equal('exp-date');
      expect(field(form, 'Security code').name).to.equal('cvc');
      expect(node.querySelector('form')).to.equal(null);
    });

    it('shows the appearance it was given', async () => {
      const { node } = await mountedPayment();
      const form = node.querySelector<HTMLElement>('[data-fake-stripe="payment"]')!;
      expect(form.style.getPropertyValue('--fake-color-primary')).to.equal('rgb(200, 30, 90)');
      expect(form.dataset.theme).to.equal('stripe');
    });

    it('speaks Arabic, right to left, when the locale is ar', async () => {
      const { node } = await mountedPayment({ locale: 'ar' });
      const form = node.querySelector<HTMLElement>('[data-fake-stripe="payment"]')!;
      expect(form.dir).to.equal('rtl');
      expect(field(form, 'رقم البطاقة').name).to.equal('cardnumber');
      expect(field(form, 'تاريخ الانتهاء').name).to.equal('exp-date');
      expect(field(form, 'رمز الأمان').name).to.equal('cvc');
    });
  });

  describe('submit', () => {
    it('answers a validation error while the card is incomplete, and marks the field', async () => {
      const { elements, node } = await mountedPayment();
      const { error } = await elements.submit();
      expect(error).to.include({
        type: 'validation_error',
        message: 'Your card number is incomplete.',
      });
      expect(field(node, 'Card number').getAttribute('aria-invalid')).to.equal('true');
    });

    it('answers {} once the card is complete, which `change` said first', async () => {
      const { elements, node, payment } = await mountedPayment();
      let complete = false;
      payment.on('change', (e) => {
        complete = e.complete;
      });
      await typeInto(field(node, 'Card number'), '4242 4242 4242 4242');
      await typeInto(field(node, 'Expiration date'), '12 / 34');
      expect(complete).to.equal(false);
      await typeInto(field(node, 'Security code'), '123');
      expect(complete).to.equal(true);
      expect(await elements.submit()).to.deep.equal({});
      expect(field(node, 'Card number').hasAttribute('aria-invalid')).to.equal(false);
    });

    it('confirmPayment with an incomplete card answers the same error, asking nobody', async () => {
      const { elements } = await mountedPayment();
      const stripe = page.Stripe(KEY);
      const { error } = await stripe.confirmPayment({
        elements,
        clientSecret: CLIENT_SECRET,
        confirmParams: { return_url: location.href },
        redirect: 'if_required',
      });
      expect(error?.type).to.equal('validation_error');
    });
  });

  describe('express checkout', () => {
    it('with no wallet on the device, draws nothing and is ready with none', async () => {
      const node = await mountNode();
      const express = newElements().create('expressCheckout', {});
      const ready = new Promise<StripeExpressCheckoutElementReadyEvent>((resolve) =>
        express.on('ready', resolve),
      );
      express.mount(node);
      expect((await ready).availablePaymentMethods).to.equal(undefined);
      expect(node.children).to.have.length(0);
    });

    it('a wallet: ready, click, shipping address change, confirm — in that order', async () => {
      page.__fakeStripeWallets = ['google_pay'];
      const node = await mountNode();
      const express = newElements().create('expressCheckout', {});
      const seen: string[] = [];
      let ready: StripeExpressCheckoutElementReadyEvent | undefined;
      let change: StripeExpressCheckoutElementShippingAddressChangeEvent | undefined;
      let confirm: StripeExpressCheckoutElementConfirmEvent | undefined;
      express.on('ready', (e) => {
        seen.push('ready');
        ready = e;
      });
      express.on('click', (e: StripeExpressCheckoutElementClickEvent) => {
        seen.push(`click ${e.expressPaymentType}`);
        e.resolve({ emailRequired: true, shippingAddressRequired: true });
      });
      express.on('shippingaddresschange', (e) => {
        seen.push('shippingaddresschange');
        change = e;
        e.resolve({});
      });
      express.on('confirm', (e) => {
        seen.push('confirm');
        confirm = e;
      });
      express.on('cancel', () => seen.push('cancel'));
      express.mount(node);
      await waitUntil(() => ready, 'ready');
      expect(ready!.availablePaymentMethods).to.include({ googlePay: true, applePay: false });

      const button = [...node.querySelectorAll('button')].find(
        (b) => b.textContent === 'Google Pay',
      );
      button!.click();
      await waitUntil(() => confirm, 'confirm');
      expect(seen).to.deep.equal(['ready', 'click google_pay', 'shippingaddresschange', 'confirm']);
      // before the buyer authorises, the page sees no street
      expect(change!.address).to.deep.equal({
        city: 'Springfield',
        state: 'IL',
        postal_code: '62701',
        country: 'US',
      });
      expect(confirm!.expressPaymentType).to.equal('google_pay');
      expect(confirm!.shippingAddress!.address.line1).to.equal('1 Main St');
      expect(confirm!.billingDetails!.email).to.equal('sam@example.com');
    });
  });

  describe('accessibility', () => {
    it('the card form passes axe', async () => {
      const { node } = await mountedPayment();
      await expect(node).to.be.accessible();
    });

    it('the card form passes axe in Arabic, and the wallet buttons do', async () => {
      page.__fakeStripeWallets = ['apple_pay', 'google_pay', 'link'];
      const { elements, node } = await mountedPayment({ locale: 'ar' });
      const wallets = await mountNode();
      const express = elements.create('expressCheckout', {});
      const ready = new Promise((resolve) => express.on('ready', resolve));
      express.mount(wallets);
      await ready;
      expect([...wallets.querySelectorAll('button')].map((b) => b.textContent)).to.deep.equal([
        'Apple Pay',
        'Google Pay',
        'Link',
      ]);
      await expect(node).to.be.accessible();
      await expect(wallets).to.be.accessible();
    });
  });
});
