// Saved cards with Stripe, end to end on this machine: the element with a signed-in reader (the
// host platform's buyer token), the endpoint configured for Stripe (its real SDK against the fake
// Stripe API: one Customer per buyer, a Customer Session per answer), and the fake Stripe.js,
// whose Payment Element shows the customer's saved cards and Stripe's own save box when given
// the Customer Session (test/doubles/stripe-js.js).
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { resetMouse, sendKeys } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  button,
  buyButton,
  clickOn,
  cmd,
  focused,
  primary,
  q,
  step,
  tabTo,
  typeInto,
  waitForStep,
} from './helpers/fixtures.ts';

interface StripeInfo {
  endpoint: string;
}
const STRIPE = (window as unknown as { __BIP__: { stripe: StripeInfo } }).__BIP__.stripe;

interface FakeStripeGlobal {
  calls: { method: string; args: unknown[] }[];
}
const calls = (method: string) =>
  ((window as unknown as { __fakeStripe?: FakeStripeGlobal }).__fakeStripe?.calls ?? []).filter(
    (c) => c.method === method,
  );

let readers = 0;
const newReader = () => `stripe-reader-${Date.now().toString(36)}-${++readers}`;
const hostToken = (sub: string) => cmd<string>('stripe-buyer-token', { sub });
const newPoster = (opts: { price?: number; kind?: string } = {}) =>
  cmd<{ id: string }>('stripe-new-poster', opts);
const ordersOf = (productId: string) => cmd<{ number: string }[]>('stripe-orders', { productId });
/** Cards attached to a Stripe customer, as the fake Stripe holds them. */
const savedCards = () =>
  cmd<{ id: string; customer: string; last4: string }[]>('stripe-saved-cards');

const bodyText = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="body"]')?.textContent ?? '').replace(/\s+/g, ' ');
const walletBar = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="wallet"]')?.textContent ?? '').replace(/\s+/g, ' ');
const signedIn = (el: BuyInPost) =>
  waitUntil(() => /Signed in|تم تسجيل/.test(walletBar(el)), 'signed in', { timeout: 10_000 });

async function mountSignedIn(productId: string, sub: string, locale = '') {
  const token = await hostToken(sub);
  const el = await fixture<BuyInPost>(
    html`<buy-in-post product=${productId} endpoint=${STRIPE.endpoint} locale=${locale} buyer-token=${token}></buy-in-post>`,
  );
  await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
  return el;
}

/** Stripe's form (light DOM, slotted). */
const paymentForm = () => document.querySelector<HTMLElement>('[data-fake-stripe="payment"]');
const savedList = () => document.querySelector<HTMLElement>('[data-fake-stripe="saved-cards"]');

/** Types a new card into Stripe's form; `save` ticks Stripe's own save box. */
async function typeCard(number: string, save: boolean) {
  await waitUntil(() => paymentForm(), 'Stripe form mounted', { timeout: 10_000 });
  const form = paymentForm()!;
  const input = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  for (const [name, value] of [
    ['cardnumber', number],
    ['exp-date', '12 / 34'],
    ['cvc', '123'],
  ] as const) {
    input(name).value = value;
    input(name).dispatchEvent(new Event('input', { bubbles: true }));
  }
  if (save) {
    await waitUntil(() => !input('save').closest('[hidden]'), 'Stripe shows its save box');
    input('save').click();
  }
}

/** A first purchase by a signed-in reader: address typed, card saved with Stripe's save box. */
async function firstPurchase(productId: string, sub: string) {
  const el = await mountSignedIn(productId, sub);
  buyButton(el)!.click();
  await waitForStep(el, 'product');
  await signedIn(el);
  primary(el).click();
  await waitForStep(el, 'shipping');
  typeInto(el, '#f-name', 'Sam Rivera');
  typeInto(el, '#f-line1', '4 Canal St');
  typeInto(el, '#f-city', 'Springfield');
  const country = q<HTMLSelectElement>(el, '#f-country');
  country.value = 'US';
  country.dispatchEvent(new Event('change'));
  await el.updateComplete;
  primary(el).click();
  await waitForStep(el, 'payment');
  await typeCard('4242424242424242', true);
  primary(el).click();
  await waitForStep(el, 'review');
  primary(el).click();
  await waitForStep(el, 'done');
  primary(el).click();
  await waitUntil(() => !el.open);
  el.remove();
}

describe('wallet with Stripe', () => {
  afterEach(async () => {
    sessionStorage.clear();
    localStorage.clear();
    for (const n of document.querySelectorAll('.buy-in-post-payment')) n.remove();
    await resetMouse();
  });

  it("Stripe's form gets the reader's Customer Session: its save box saves the card at Stripe", async () => {
    const poster = await newPoster();
    const sub = newReader();
    const before = (await savedCards()).length;
    await firstPurchase(poster.id, sub);
    const elements = calls('elements').at(-1)!.args[0] as Record<string, unknown>;
    expect(elements.customerSessionClientSecret).to.match(/^cuss_secret_/);
    const cards = await savedCards();
    expect(cards.length).to.equal(before + 1);
    expect(cards.at(-1)!.last4).to.equal('4242');
  });

  it('returning, by mouse: Buy → Continue → Pay with the saved card (no card form at all)', async () => {
    const poster = await newPoster({ price: 2500 });
    const sub = newReader();
    await firstPurchase(poster.id, sub);
    const el = await mountSignedIn(poster.id, sub);
    let presses = 0;
    await clickOn(buyButton(el)!);
    presses++;
    await waitForStep(el, 'product');
    await signedIn(el);
    await clickOn(primary(el));
    presses++;
    await waitForStep(el, 'review');
    expect(bodyText(el)).to.contain('Sam Rivera');
    expect(bodyText(el)).to.match(/Visa\s*•••• 4242/);
    await expect(el).to.be.accessible();
    const confirms = calls('confirmPayment').length;
    await clickOn(primary(el));
    presses++;
    await waitForStep(el, 'done');
    expect(presses).to.equal(3);
    const confirm = calls('confirmPayment')[confirms]!.args[0] as {
      elements?: unknown;
      confirmParams: { payment_method?: string };
    };
    expect(confirm.confirmParams.payment_method).to.match(/^pm_/);
    expect(confirm.elements, 'paid without mounting the form').to.equal(undefined);
    expect(await ordersOf(poster.id)).to.have.length(2);
  });

  it('returning, by keyboard, in Arabic: Enter, Enter, Enter', async () => {
    const poster = await newPoster({ price: 2500 });
    const sub = newReader();
    await firstPurchase(poster.id, sub);
    const el = await mountSignedIn(poster.id, sub, 'ar');
    buyButton(el)!.focus();
    let presses = 0;
    await sendKeys({ press: 'Enter' });
    presses++;
    await waitForStep(el, 'product');
    await signedIn(el);
    await tabTo(el, () => primary(el), 'Continue');
    await sendKeys({ press: 'Enter' });
    presses++;
    await waitForStep(el, 'review');
    expect(bodyText(el)).to.contain('Sam Rivera');
    await expect(el).to.be.accessible();
    await tabTo(el, () => primary(el), 'Pay');
    await sendKeys({ press: 'Enter' });
    presses++;
    await waitForStep(el, 'done');
    expect(presses).to.equal(3);
    expect(await ordersOf(poster.id)).to.have.length(2);
  });

  it("the saved card is shown in Stripe's form, chosen, and removable there", async () => {
    const poster = await newPoster();
    const sub = newReader();
    await firstPurchase(poster.id, sub);
    const el = await mountSignedIn(poster.id, sub);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await signedIn(el);
    primary(el).click();
    await waitForStep(el, 'review');
    button(el, /Edit\s+Payment/).click();
    await waitForStep(el, 'payment');
    await waitUntil(() => savedList(), "Stripe's form lists the saved card", { timeout: 10_000 });
    const chosen = savedList()!.querySelector<HTMLInputElement>('input:checked')!;
    expect(chosen.labels![0]!.textContent).to.equal('Visa •••• 4242');
    await expect(el).to.be.accessible();

    const cards = (await savedCards()).length;
    await clickOn(savedList()!.querySelector('button')!); // Stripe's own Remove
    await waitUntil(() => !savedList(), 'the card is gone from the form');
    expect((await savedCards()).length, 'detached at Stripe').to.equal(cards - 1);
    const inForm = paymentForm()!.contains(document.activeElement);
    expect(inForm, 'the focus stays in the form').to.equal(true);

    // paying with a new card still works, and the wallet no longer offers the removed one
    await typeCard('4242424242424242', false);
    primary(el).click();
    await waitForStep(el, 'review');
    primary(el).click();
    await waitForStep(el, 'done');
    button(el, 'Saved details').click();
    await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('Cards'));
    expect(bodyText(el)).to.contain('No saved cards.');
  });

  it('"Saved details" removes a Stripe card (detached at Stripe)', async () => {
    const poster = await newPoster();
    const sub = newReader();
    await firstPurchase(poster.id, sub);
    const el = await mountSignedIn(poster.id, sub);
    buyButton(el)!.click();
    await waitForStep(el, 'product');
    await signedIn(el);
    button(el, 'Saved details').click();
    await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('Cards'));
    const cards = (await savedCards()).length;
    const removed = new Promise((resolve) =>
      el.addEventListener('buy-in-post-details-deleted', resolve, { once: true }),
    );
    await clickOn(button(el, /Remove\s+Visa/));
    await removed;
    await waitUntil(() => bodyText(el).includes('No saved cards.'));
    expect(focused(el)?.id).to.equal('sd-cards');
    expect((await savedCards()).length).to.equal(cards - 1);
    await expect(el).to.be.accessible();
  });
});
