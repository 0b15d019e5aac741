// The buyer's saved details in the element, end to end with the test provider: the real element
// in Chromium, the real endpoint (its development mailbox holds the codes it "sent"), and a host
// platform signing buyer tokens with its own key (test/helpers/host-issuer.mjs). Each test signs
// in as a reader of its own, so no test shares a wallet with another.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { resetMouse, sendKeys } from '@web/test-runner-commands';
import type { BuyInPost } from '../src/buy-in-post.ts';
import {
  button,
  buyButton,
  checkoutsOf,
  clickOn,
  cmd,
  ENDPOINT,
  focused,
  mountReady,
  newDigital,
  newTee,
  oneEventOf,
  ordersOf,
  pressUntil,
  primary,
  q,
  setValue,
  step,
  tabTo,
  typeInto,
  waitForStep,
} from './helpers/fixtures.ts';

let readers = 0;
/** A reader of the host platform nobody else uses. */
const newReader = () => `reader-${Date.now().toString(36)}-${++readers}`;
const newEmail = () => `${newReader()}@example.com`;
const hostToken = (sub: string) => cmd<string>('bip-buyer-token', { sub });
const mailboxCode = (email: string) => cmd<string | null>('bip-mailbox-code', { email });
const wallets = () => cmd<number>('bip-buyers');

const STORAGE_KEY = `buy-in-post:buyer:${ENDPOINT.replace(/\/+$/, '')}/v1`;
const heading = (el: BuyInPost) =>
  el.shadowRoot!.querySelector<HTMLElement>('[data-step-heading]')!.textContent!.trim();
const bodyText = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="body"]')?.textContent ?? '').replace(/\s+/g, ' ');
const walletBar = (el: BuyInPost) =>
  (el.shadowRoot!.querySelector('[part="wallet"]')?.textContent ?? '').replace(/\s+/g, ' ').trim();
const liveRegion = (el: BuyInPost) =>
  el.shadowRoot!.querySelector('[role="status"][aria-live="polite"]')?.textContent?.trim() ?? '';

/** Mounts an element whose host page signs its reader in (`buyer-token`). */
async function mountSignedIn(productId: string, sub: string, attrs: { locale?: string } = {}) {
  const token = await hostToken(sub);
  const el = await fixture<BuyInPost>(
    html`<buy-in-post product=${productId} endpoint=${ENDPOINT} locale=${attrs.locale ?? ''} buyer-token=${token}></buy-in-post>`,
  );
  await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
  return el;
}

/** The wallet bar says the reader is signed in (the host's sign-in ended). */
const signedIn = (el: BuyInPost) =>
  waitUntil(
    () => walletBar(el).includes('Signed in') || walletBar(el).includes('تم تسجيل'),
    'signed in',
    {
      timeout: 10_000,
    },
  );

/**
 * A first purchase as a signed-in reader: the address typed, the card saved ("Save this card").
 * Leaves the wallet with one address and one card; the dialog is closed after.
 */
async function firstPurchase(productId: string, sub: string) {
  const el = await mountSignedIn(productId, sub);
  await buyAndSave(el, sub);
}

/** The purchase of `firstPurchase`, by a reader already signed in (or about to be, on Buy). */
async function buyAndSave(el: BuyInPost, email: string) {
  buyButton(el)!.click();
  await waitForStep(el, 'product');
  await signedIn(el);
  primary(el).click();
  await waitUntil(() => step(el) === 'shipping' || step(el) === 'payment');
  if (step(el) === 'payment') return payAndSave(el); // digital: nothing to ship
  await waitForStep(el, 'shipping');
  typeInto(el, '#f-email', email.includes('@') ? email : `${email}@example.com`);
  typeInto(el, '#f-name', 'Layla Haddad');
  typeInto(el, '#f-line1', '12 Harbour St');
  typeInto(el, '#f-city', 'Springfield');
  const country = q<HTMLSelectElement>(el, '#f-country');
  country.value = 'US';
  country.dispatchEvent(new Event('change'));
  await el.updateComplete;
  primary(el).click();
  await payAndSave(el);
}

async function payAndSave(el: BuyInPost) {
  await waitForStep(el, 'payment');
  typeInto(el, '#card', '4242424242424242');
  q<HTMLInputElement>(el, '#save-card').click();
  primary(el).click();
  await waitForStep(el, 'review');
  primary(el).click();
  await waitForStep(el, 'done');
  primary(el).click(); // Done
  await waitUntil(() => !el.open, 'the dialog closes');
  el.remove();
}

/** Signs in from the product step with an emailed code (read from the development mailbox). */
async function signInByCode(el: BuyInPost, email: string) {
  button(el, 'Sign in for your saved details').click();
  await waitUntil(() => step(el) === 'sign-in');
  await setValue(el, 'Email', email);
  primary(el).click();
  await waitUntil(() => el.shadowRoot!.querySelector('#si-code'), 'the code field');
  await setValue(el, '6-digit code', (await mailboxCode(email))!);
  primary(el).click();
  await waitForStep(el, 'product');
  await signedIn(el);
}

/** Counts the reader's presses (clicks and Enter/Space): what "three presses" means. */
class Presses {
  n = 0;
  async click(target: Element) {
    this.n++;
    await clickOn(target);
  }
  async key(key: 'Enter' | 'Space') {
    this.n++;
    await sendKeys({ press: key });
  }
}

describe('wallet', () => {
  beforeEach(() => cmd('bip-wallet-limits-reset'));
  afterEach(async () => {
    sessionStorage.clear();
    localStorage.clear();
    await resetMouse();
  });

  describe('signing in with an emailed code', () => {
    it('email → "Send me a code" → six digits → signed in; the session in sessionStorage only', async () => {
      const tee = await newTee();
      const el = await mountReady(tee.id);
      const email = newEmail();
      await clickOn(buyButton(el)!);
      await waitForStep(el, 'product');
      expect(walletBar(el)).to.contain('Bought from this shop before?');
      await expect(el).to.be.accessible();

      await clickOn(button(el, 'Sign in for your saved details'));
      await waitUntil(() => step(el) === 'sign-in', 'the sign-in panel');
      await waitUntil(() => heading(el) === 'Sign in' && focused(el)?.id === 'step-heading');
      const emailField = q<HTMLInputElement>(el, '#si-email');
      expect(emailField.type).to.equal('email');
      expect(emailField.autocomplete).to.equal('email');
      expect(q<HTMLInputElement>(el, '#si-remember').checked, 'not remembered by default').to.equal(
        false,
      );
      await expect(el).to.be.accessible();

      await clickOn(emailField);
      await sendKeys({ type: email });
      await clickOn(primary(el)); // Send me a code
      await waitUntil(() => el.shadowRoot!.querySelector('#si-code'), 'the code field');
      const codeField = q<HTMLInputElement>(el, '#si-code');
      await waitUntil(() => focused(el) === codeField, 'focus on the code field');
      expect(codeField.getAttribute('autocomplete')).to.equal('one-time-code');
      expect(codeField.getAttribute('inputmode')).to.equal('numeric');
      expect(bodyText(el)).to.contain(`We sent a 6-digit code to ${email}`);
      await waitUntil(() => liveRegion(el).includes('We sent a 6-digit code'), 'announced');
      await expect(el).to.be.accessible();

      const code = await mailboxCode(email);
      expect(code).to.match(/^\d{6}$/);
      const signed = oneEventOf(el, 'buy-in-post-signed-in');
      await sendKeys({ type: code! });
      await sendKeys({ press: 'Enter' });
      expect((await signed).method).to.equal('code');
      await waitForStep(el, 'product');
      await waitUntil(() => focused(el)?.id === 'step-heading', 'focus back on the step heading');
      expect(walletBar(el)).to.match(/Signed in as .•+@example\.com/);
      expect(liveRegion(el)).to.match(/Signed in as|Choose your item/);
      const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY)!);
      expect(Object.keys(stored).sort()).to.deep.equal(['expiresAt', 'token']);
      expect(stored.token).to.match(/^bip_sess_/);
      expect(localStorage.getItem(STORAGE_KEY)).to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('"Remember me on this site" keeps it in localStorage, and every element of the page shares it', async () => {
      const tee = await newTee();
      const album = await newDigital();
      const page = await fixture<HTMLElement>(html`<div>
        <buy-in-post product=${tee.id} endpoint=${ENDPOINT}></buy-in-post>
        <buy-in-post product=${album.id} endpoint=${ENDPOINT}></buy-in-post>
      </div>`);
      const [first, second] = [...page.querySelectorAll<BuyInPost>('buy-in-post')] as [
        BuyInPost,
        BuyInPost,
      ];
      await waitUntil(() => buyButton(first) && buyButton(second), 'both priced');
      const email = newEmail();
      buyButton(first)!.click();
      await waitForStep(first, 'product');
      button(first, 'Sign in for your saved details').click();
      await waitUntil(() => step(first) === 'sign-in');
      await setValue(first, 'Email', email);
      q<HTMLInputElement>(first, '#si-remember').click();
      primary(first).click();
      await waitUntil(() => first.shadowRoot!.querySelector('#si-code'));
      await setValue(first, '6-digit code', (await mailboxCode(email))!);
      primary(first).click();
      await waitForStep(first, 'product');
      expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!).token).to.match(/^bip_sess_/);
      expect(sessionStorage.getItem(STORAGE_KEY)).to.equal(null);
      first.hide();
      await waitUntil(() => !first.open);

      buyButton(second)!.click();
      await waitForStep(second, 'product');
      await signedIn(second);
    });

    it('says what is wrong: a wrong code with the attempts left, too many, expired, rate limited', async () => {
      const tee = await newTee();
      const el = await mountReady(tee.id);
      const email = newEmail();
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      button(el, 'Sign in for your saved details').click();
      await waitUntil(() => step(el) === 'sign-in');
      await setValue(el, 'Email', email);
      primary(el).click();
      await waitUntil(() => el.shadowRoot!.querySelector('#si-code'));
      const code = (await mailboxCode(email))!;
      const wrong = code === '000000' ? '111111' : '000000';
      const codeMessage = () => el.shadowRoot!.querySelector('#si-code-msg')?.textContent?.trim();

      const failure = oneEventOf(el, 'buy-in-post-error');
      await setValue(el, '6-digit code', wrong);
      primary(el).click();
      await waitUntil(() => codeMessage(), 'a message by the field');
      expect(codeMessage()).to.equal('That code is not right. 4 attempts left.');
      expect((await failure).code).to.equal('code_invalid');
      expect(q(el, '#si-code').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#si-code').getAttribute('aria-describedby')).to.contain('si-code-msg');
      expect(q(el, '#si-code-msg').getAttribute('role')).to.equal('alert');
      await expect(el).to.be.accessible();

      for (const left of [3, 2, 1]) {
        primary(el).click();
        await waitUntil(() => codeMessage()?.includes(`${left} attempt`), `${left} left`);
      }
      primary(el).click();
      await waitUntil(() => codeMessage()?.includes('cannot be tried again'), 'none left');
      // the right code, too late: this code is spent
      await setValue(el, '6-digit code', code);
      primary(el).click();
      await waitUntil(() => codeMessage() === 'Too many wrong codes. Send a new one.');

      // a new code; then it lapses before it is typed
      button(el, 'Send a new code').click();
      await waitUntil(async () => (await mailboxCode(email)) !== code, 'a new code was mailed');
      await cmd('bip-wallet-codes-expire');
      await setValue(el, '6-digit code', (await mailboxCode(email))!);
      primary(el).click();
      await waitUntil(() => codeMessage() === 'That code has expired. Send a new one.');

      // five codes an hour for one address: the sixth ask is refused
      for (let i = 0; i < 3; i++) {
        button(el, 'Send a new code').click();
        await waitUntil(() => liveRegion(el).includes('A new code is on its way'));
        await waitUntil(
          () => !el.shadowRoot!.querySelector('[aria-disabled="true"][part="primary"]'),
        );
      }
      button(el, 'Send a new code').click();
      await waitUntil(() => codeMessage() === 'Too many attempts. Wait a minute, then try again.');
      await expect(el).to.be.accessible();
    });

    it('in Arabic: the panel, its messages and the keypad hints', async () => {
      const tee = await newTee();
      const el = await mountReady(tee.id, { locale: 'ar' });
      const email = newEmail();
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      expect(walletBar(el)).to.contain('اشتريت من هذا المتجر من قبل؟');
      button(el, 'سجّل الدخول لاستخدام بياناتك المحفوظة').click();
      await waitUntil(() => step(el) === 'sign-in');
      expect(heading(el)).to.equal('تسجيل الدخول');
      expect(el.shadowRoot!.querySelector('dialog')!.getAttribute('dir')).to.equal('rtl');
      expect(q(el, '#si-email').getAttribute('dir'), 'emails read left to right').to.equal('ltr');
      await expect(el).to.be.accessible();
      await setValue(el, 'البريد الإلكتروني', email);
      primary(el).click();
      await waitUntil(() => el.shadowRoot!.querySelector('#si-code'));
      expect(q(el, '#si-code').getAttribute('dir')).to.equal('ltr');
      const code = (await mailboxCode(email))!;
      await setValue(el, 'الرمز المكوّن من 6 أرقام', code === '000000' ? '111111' : '000000');
      primary(el).click();
      await waitUntil(() => el.shadowRoot!.querySelector('#si-code-msg'));
      expect(q(el, '#si-code-msg').textContent!.trim()).to.equal('الرمز غير صحيح. بقيت 4 محاولات.');
      await expect(el).to.be.accessible();
      await setValue(el, 'الرمز المكوّن من 6 أرقام', code);
      primary(el).click();
      await waitForStep(el, 'product');
      await signedIn(el);
      await expect(el).to.be.accessible();
    });
  });

  describe('signing in through the host page', () => {
    it('buyer-token: the Buy press signs the reader in, no code (buy-in-post-signed-in: host-token)', async () => {
      const tee = await newTee();
      const el = await mountSignedIn(tee.id, newReader());
      const signed = oneEventOf(el, 'buy-in-post-signed-in');
      await clickOn(buyButton(el)!);
      await waitForStep(el, 'product');
      expect((await signed).method).to.equal('host-token');
      await signedIn(el);
      expect(walletBar(el)).to.contain('Signed in through this site');
      expect(sessionStorage.getItem(STORAGE_KEY)).to.match(/bip_sess_/);
      await expect(el).to.be.accessible();
    });

    it('getBuyerToken(): asked for a fresh token when the checkout needs one', async () => {
      const tee = await newTee();
      const el = await mountReady(tee.id);
      const sub = newReader();
      let asked = 0;
      el.getBuyerToken = async () => {
        asked++;
        return hostToken(sub);
      };
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
      expect(asked).to.equal(1);
    });

    it('getBuyerToken set before the element is defined is kept', async () => {
      const tee = await newTee();
      const sub = newReader();
      const tag = 'buy-in-post-wallet-late';
      const el = document.createElement(tag) as BuyInPost;
      el.getBuyerToken = () => hostToken(sub);
      el.setAttribute('product', tee.id);
      el.setAttribute('endpoint', ENDPOINT);
      const page = await fixture<HTMLElement>(html`<div></div>`);
      page.append(el);
      (customElements.get('buy-in-post') as unknown as typeof BuyInPost).define(tag);
      await waitUntil(() => buyButton(el), 'priced', { timeout: 10_000 });
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
    });

    it('a token the endpoint refuses: the reader carries on as a guest', async () => {
      const tee = await newTee();
      const el = await mountReady(tee.id);
      el.buyerToken = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await waitUntil(() => walletBar(el).includes('Bought from this shop before?'));
      primary(el).click();
      await waitForStep(el, 'shipping');
      expect(sessionStorage.getItem(STORAGE_KEY)).to.equal(null);
    });
  });

  describe('a session that ended elsewhere', () => {
    it('a checkout call refused for the session: dropped, and the reader carries on as a guest', async () => {
      const tee = await newTee();
      const el = await mountSignedIn(tee.id, newReader());
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
      // signed out on another device meanwhile: the endpoint no longer knows the session
      const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY)!).token as string;
      const out = await fetch(`${ENDPOINT}/v1/buyer/sessions/current`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${session}` },
      });
      expect(out.status).to.equal(204);
      primary(el).click();
      await waitForStep(el, 'shipping');
      expect(q<HTMLInputElement>(el, '#f-line1').value, 'a guest types the address').to.equal('');
      expect(sessionStorage.getItem(STORAGE_KEY)).to.equal(null);
      await waitUntil(() => walletBar(el) === '', 'no longer signed in');
    });
  });

  describe('a returning buyer', () => {
    it('physical, by mouse: Buy → Continue → Pay — the saved address and card chosen', async () => {
      const tee = await newTee({ price: 2500 });
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const el = await mountSignedIn(tee.id, sub);
      const presses = new Presses();
      await presses.click(buyButton(el)!);
      await waitForStep(el, 'product');
      await signedIn(el);
      await expect(el).to.be.accessible();
      await presses.click(primary(el)); // Continue
      await waitForStep(el, 'review');
      expect(bodyText(el)).to.contain('Layla Haddad');
      expect(bodyText(el)).to.contain('12 Harbour St');
      expect(bodyText(el)).to.match(/Visa\s*•••• 4242/);
      expect(primary(el).textContent).to.contain('Pay $30.00');
      await expect(el).to.be.accessible();
      const purchase = oneEventOf(el, 'buy-in-post-purchase');
      await presses.click(primary(el)); // Pay
      await waitForStep(el, 'done');
      await purchase;
      expect(presses.n).to.equal(3);
      const orders = await ordersOf(tee.id);
      expect(orders).to.have.length(2);
      expect(orders.map((o) => o.shippingAddress?.name)).to.deep.equal([
        'Layla Haddad',
        'Layla Haddad',
      ]);
    });

    it('physical, by keyboard, in Arabic: Enter, Enter, Enter', async () => {
      const tee = await newTee({ price: 2500 });
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const page = await fixture<HTMLElement>(html`<article lang="ar" dir="rtl">
        <a href="#post">منشور</a>
        <buy-in-post product=${tee.id} endpoint=${ENDPOINT} buyer-token=${await hostToken(sub)}></buy-in-post>
      </article>`);
      const el = page.querySelector<BuyInPost>('buy-in-post')!;
      await waitUntil(() => buyButton(el), 'priced');
      page.querySelector('a')!.focus();
      const presses = new Presses();
      await sendKeys({ press: 'Tab' });
      expect(focused(el) === buyButton(el), 'the focus on Buy').to.equal(true);
      await presses.key('Enter');
      await waitForStep(el, 'product');
      await signedIn(el);
      await tabTo(el, () => primary(el), 'Continue');
      await presses.key('Enter');
      await waitForStep(el, 'review');
      expect(heading(el)).to.equal('راجع طلبك');
      expect(bodyText(el)).to.contain('Layla Haddad');
      await expect(el).to.be.accessible();
      await tabTo(el, () => primary(el), 'Pay');
      expect(primary(el).textContent).to.contain('ادفع');
      await presses.key('Enter');
      await waitForStep(el, 'done');
      expect(presses.n).to.equal(3);
      expect(await ordersOf(tee.id)).to.have.length(2);
    });

    it('digital: Buy → Pay, two presses (by mouse, then by keyboard in Arabic)', async () => {
      const sub = newReader();
      const album = await newDigital({ price: 900 });
      await firstPurchase(album.id, sub);

      const el = await mountSignedIn(album.id, sub);
      const presses = new Presses();
      await presses.click(buyButton(el)!);
      await waitForStep(el, 'product');
      await signedIn(el);
      await waitUntil(
        () => primary(el).textContent!.includes('Pay $9.00'),
        'Pay on the first step',
      );
      await expect(el).to.be.accessible();
      await presses.click(primary(el));
      await waitForStep(el, 'done');
      expect(presses.n).to.equal(2);
      el.remove();

      const ar = await mountSignedIn(album.id, sub, { locale: 'ar' });
      buyButton(ar)!.focus();
      const keys = new Presses();
      await keys.key('Enter');
      await waitForStep(ar, 'product');
      await signedIn(ar);
      await tabTo(ar, () => primary(ar), 'Pay');
      expect(primary(ar).textContent).to.contain('ادفع');
      await keys.key('Enter');
      await waitForStep(ar, 'done');
      expect(keys.n).to.equal(2);
      expect(await ordersOf(album.id)).to.have.length(3);
    });

    it('signed in after a guest checkout began: a checkout of their own, the first released', async () => {
      const tee = await newTee({ price: 2500 });
      const email = newEmail();
      let el = await mountReady(tee.id);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signInByCode(el, email);
      el.hide();
      await waitUntil(() => !el.open);
      await buyAndSave(el, email);
      // the host page signed the reader out (removed the key): a guest again
      sessionStorage.removeItem(STORAGE_KEY);

      el = await mountReady(tee.id);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      primary(el).click();
      await waitForStep(el, 'shipping'); // a guest's checkout: the address to type
      button(el, 'Back').click();
      await waitForStep(el, 'product');
      await signInByCode(el, email);
      primary(el).click();
      await waitForStep(el, 'review');
      expect(bodyText(el)).to.contain('12 Harbour St');
      const statuses = (await checkoutsOf(tee.id)).map((c) => c.status);
      expect(
        statuses.filter((s) => s === 'canceled'),
        'the guest checkout released',
      ).to.have.length(1);
      primary(el).click();
      await waitForStep(el, 'done');
    });

    it('can still change the address and the card on the way', async () => {
      const tee = await newTee({ price: 2500 });
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const el = await mountSignedIn(tee.id, sub);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
      primary(el).click();
      await waitForStep(el, 'review');
      // the card: another, new one
      button(el, /Edit\s+Payment/).click();
      await waitForStep(el, 'payment');
      const saved = el.shadowRoot!.querySelector<HTMLInputElement>('input[name="saved-card"]')!;
      expect(saved.checked, 'the saved card is chosen').to.equal(true);
      expect(el.shadowRoot!.querySelector('#card'), 'no number to type').to.equal(null);
      q<HTMLInputElement>(el, '#pm-new').click();
      await el.updateComplete;
      typeInto(el, '#card', '5555555555554444');
      primary(el).click();
      await waitForStep(el, 'review');
      expect(bodyText(el)).to.contain('•••• 4444');
      // the address: the saved one is chosen, a new one can be typed
      button(el, /Edit\s+Contact and shipping/).click();
      await waitForStep(el, 'shipping');
      const chosen = el.shadowRoot!.querySelector<HTMLInputElement>(
        'input[name="saved-address"]:checked',
      )!;
      expect(chosen.id).to.not.equal('adr-new');
      expect(el.shadowRoot!.querySelector('#f-line1'), 'no address to type').to.equal(null);
      await expect(el).to.be.accessible();
      q<HTMLInputElement>(el, '#adr-new').click();
      await el.updateComplete;
      typeInto(el, '#f-name', 'Layla Haddad');
      typeInto(el, '#f-line1', '7 Quay Rd');
      typeInto(el, '#f-city', 'Springfield');
      const country = q<HTMLSelectElement>(el, '#f-country');
      country.value = 'US';
      country.dispatchEvent(new Event('change'));
      await el.updateComplete;
      primary(el).click();
      await waitForStep(el, 'payment');
      primary(el).click();
      await waitForStep(el, 'review');
      expect(bodyText(el)).to.contain('7 Quay Rd');
      primary(el).click();
      await waitForStep(el, 'done');
      const orders = await ordersOf(tee.id);
      expect(orders.at(-1)!.shippingAddress).to.include({ name: 'Layla Haddad' });
    });
  });

  describe('email shared with the seller', () => {
    it('unticked by default; a previous grant shows as such, and is withdrawn in one press', async () => {
      const tee = await newTee();
      const email = newEmail();
      let el = await mountReady(tee.id);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signInByCode(el, email);
      primary(el).click();
      await waitForStep(el, 'shipping');
      expect(q<HTMLInputElement>(el, '#f-email').value, "the wallet's email").to.equal(email);
      expect(q<HTMLInputElement>(el, '#f-share').checked, 'unticked by default').to.equal(false);
      typeInto(el, '#f-name', 'Layla Haddad');
      typeInto(el, '#f-line1', '12 Harbour St');
      typeInto(el, '#f-city', 'Springfield');
      await setValue(el, 'Country', 'US');
      primary(el).click();
      await waitForStep(el, 'payment');
      typeInto(el, '#card', '4242424242424242');
      primary(el).click();
      await waitForStep(el, 'review');
      const share = () => q<HTMLInputElement>(el, '#r-share');
      expect(share().checked, 'still unticked').to.equal(false);
      expect(q(el, '#r-share-help').textContent).to.contain('Off unless you tick it');
      share().click();
      await el.updateComplete; // the checkout is being changed…
      await waitUntil(() => !el.shadowRoot!.querySelector('[aria-busy="true"]'), 'changed');
      expect(share().checked).to.equal(true);
      primary(el).click();
      await waitForStep(el, 'done');
      expect((await ordersOf(tee.id)).at(-1)!.email, 'the seller sees it').to.equal(email);
      el.remove();

      // the next order: the grant is shown as the reader's own, to take back
      el = await mountReady(tee.id);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
      primary(el).click();
      await waitForStep(el, 'payment'); // address chosen; no card saved
      typeInto(el, '#card', '4242424242424242');
      primary(el).click();
      await waitForStep(el, 'review');
      expect(share().checked, 'the earlier grant').to.equal(true);
      expect(q(el, '#r-share-help').textContent).to.contain('You allowed this on an earlier order');
      await expect(el).to.be.accessible();

      button(el, 'Saved details').click();
      await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('Email shared'));
      expect(bodyText(el)).to.contain('Nour & the Night Trains · since');
      await clickOn(button(el, /Stop sharing/));
      await waitUntil(() => liveRegion(el).includes('no longer gets your email'));
      expect(bodyText(el)).to.contain('No seller sees your email.');
      expect(focused(el)?.id).to.equal('sd-sharing');
      await expect(el).to.be.accessible();
    });
  });

  describe('"Saved details"', () => {
    it('lists addresses and cards masked; each is removed in one press, announced, focus kept', async () => {
      const tee = await newTee();
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const el = await mountSignedIn(tee.id, sub);
      await clickOn(buyButton(el)!);
      await waitForStep(el, 'product');
      await signedIn(el);
      await clickOn(button(el, 'Saved details'));
      await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('Addresses'));
      expect(heading(el)).to.equal('Saved details');
      await waitUntil(() => focused(el)?.id === 'step-heading');
      const text = bodyText(el);
      expect(text).to.contain('Layla Haddad, •• Harbour St, Springfield, United States');
      expect(text, 'the street number is never shown').to.not.contain('12 Harbour');
      expect(text).to.match(/Visa\s*•••• 4242/);
      await expect(el).to.be.accessible();

      const removedAddress = oneEventOf(el, 'buy-in-post-details-deleted');
      await clickOn(button(el, /Remove\s+Layla Haddad/));
      expect((await removedAddress).what).to.equal('address');
      await waitUntil(() => bodyText(el).includes('No saved addresses.'));
      expect(focused(el)?.id).to.equal('sd-addresses');
      expect(liveRegion(el)).to.contain('Removed: Layla Haddad');
      await expect(el).to.be.accessible();

      const removedCard = oneEventOf(el, 'buy-in-post-details-deleted');
      await clickOn(button(el, /Remove\s+Visa/));
      expect((await removedCard).what).to.equal('payment-method');
      await waitUntil(() => bodyText(el).includes('No saved cards.'));
      expect(focused(el)?.id).to.equal('sd-cards');
      await expect(el).to.be.accessible();

      // Back to the order: nothing saved now, so the address is typed again
      await clickOn(button(el, 'Back to your order'));
      await waitForStep(el, 'product');
      primary(el).click();
      await waitForStep(el, 'shipping');
    });

    it('by keyboard, in Arabic: Tab, Enter — and "Forget me on this site" drops the session', async () => {
      const tee = await newTee();
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const el = await mountSignedIn(tee.id, sub, { locale: 'ar' });
      buyButton(el)!.focus();
      await sendKeys({ press: 'Enter' });
      await waitForStep(el, 'product');
      await signedIn(el);
      await tabTo(el, () => button(el, 'البيانات المحفوظة'), 'Saved details');
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('العناوين'));
      await expect(el).to.be.accessible();
      await tabTo(el, () => el.shadowRoot!.querySelector('#sd-forget'), 'Forget me');
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => bodyText(el).includes('تم تسجيل خروجك على هذا الموقع.'));
      expect(sessionStorage.getItem(STORAGE_KEY)).to.equal(null);
      expect(localStorage.getItem(STORAGE_KEY)).to.equal(null);
      await expect(el).to.be.accessible();
      await pressUntil('Tab', () => focused(el) === primary(el), 'Back to your order');
      await sendKeys({ press: 'Enter' });
      await waitForStep(el, 'product');
      expect(walletBar(el), 'a guest again').to.contain('اشتريت من هذا المتجر من قبل؟');
    });

    it('"Delete everything": a confirmation, then the endpoint erases the wallet', async () => {
      const tee = await newTee();
      const sub = newReader();
      await firstPurchase(tee.id, sub);
      const el = await mountSignedIn(tee.id, sub);
      buyButton(el)!.click();
      await waitForStep(el, 'product');
      await signedIn(el);
      const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY)!).token as string;
      button(el, 'Saved details').click();
      await waitUntil(() => step(el) === 'saved-details' && bodyText(el).includes('Addresses'));

      // asked first; Cancel puts the focus back where it was
      await clickOn(q(el, '#sd-erase-start'));
      await waitUntil(() => focused(el)?.id === 'sd-erase-yes', 'focus on the confirmation');
      expect(bodyText(el)).to.contain('Delete all your saved details? This cannot be undone.');
      await expect(el).to.be.accessible();
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Enter' }); // Cancel
      await waitUntil(
        () => focused(el)?.id === 'sd-erase-start',
        'focus back on Delete everything',
      );

      const before = await wallets();
      const erased = oneEventOf(el, 'buy-in-post-details-deleted');
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => focused(el)?.id === 'sd-erase-yes');
      await sendKeys({ press: 'Enter' });
      expect((await erased).what).to.equal('everything');
      await waitUntil(() => bodyText(el).includes('Your saved details are deleted.'));
      expect(liveRegion(el)).to.contain('Your saved details are deleted.');
      expect(await wallets()).to.equal(before - 1);
      expect(sessionStorage.getItem(STORAGE_KEY)).to.equal(null);
      const res = await fetch(`${ENDPOINT}/v1/buyer`, {
        headers: { Authorization: `Bearer ${session}` },
      });
      expect(res.status, 'the old session opens nothing').to.equal(401);
      await expect(el).to.be.accessible();
      // the order stays with the seller
      expect(await ordersOf(tee.id)).to.have.length(1);
    });
  });
});
