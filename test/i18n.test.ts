import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import { buyButton, CATALOGUE, ENDPOINT } from './helpers/fixtures.ts';

const usd = (locale: string, amount: number) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }).format(amount);
const text = (el: BuyInPost) => buyButton(el)!.textContent!.trim();

async function ready(el: BuyInPost) {
  await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
  return el;
}

/** Mounts the element inside `<div lang=…>` and returns both. */
async function inLang(lang: string, attrs: { locale?: string } = {}) {
  const wrapper = await fixture<HTMLElement>(
    html`<div lang=${lang}><p>منشور<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT} locale=${attrs.locale ?? ''}></buy-in-post></p></div>`,
  );
  return { wrapper, el: await ready(wrapper.querySelector<BuyInPost>('buy-in-post')!) };
}

describe('languages', () => {
  afterEach(() => document.documentElement.setAttribute('lang', 'en'));

  describe('Arabic', () => {
    it('from the locale attribute: Arabic text, right to left, Arabic money', async () => {
      const el = await ready(
        await fixture<BuyInPost>(
          html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT} locale="ar"></buy-in-post>`,
        ),
      );
      const button = buyButton(el)!;
      expect(text(el)).to.equal(`اشترِ · ${usd('ar', 25)}`);
      expect(button.getAttribute('dir')).to.equal('rtl');
      expect(button.getAttribute('lang')).to.equal('ar');
      expect(getComputedStyle(button).direction).to.equal('rtl');
      await expect(el).to.be.accessible();
    });

    it('from the nearest lang attribute', async () => {
      const { el } = await inLang('ar');
      expect(text(el)).to.equal(`اشترِ · ${usd('ar', 25)}`);
      expect(buyButton(el)!.getAttribute('dir')).to.equal('rtl');
      await expect(el).to.be.accessible();
    });

    it('from the lang of the page around a shadow root it sits in', async () => {
      const host = await fixture<HTMLElement>(html`<section lang="ar"><div></div></section>`);
      const inner = host.querySelector('div')!.attachShadow({ mode: 'open' });
      inner.innerHTML = `<buy-in-post product="${CATALOGUE.tee.id}" endpoint="${ENDPOINT}"></buy-in-post>`;
      const el = await ready(inner.querySelector<BuyInPost>('buy-in-post')!);
      expect(text(el)).to.equal(`اشترِ · ${usd('ar', 25)}`);
    });

    it('shows Sold out in Arabic', async () => {
      const el = await ready(
        await fixture<BuyInPost>(
          html`<buy-in-post product=${CATALOGUE.soldOut} endpoint=${ENDPOINT} locale="ar"></buy-in-post>`,
        ),
      );
      expect(text(el)).to.equal('نفدت الكمية');
    });

    it('says “from” in Arabic', async () => {
      const el = await ready(
        await fixture<BuyInPost>(
          html`<buy-in-post product=${CATALOGUE.from} endpoint=${ENDPOINT} locale="ar-EG"></buy-in-post>`,
        ),
      );
      expect(text(el)).to.equal(`اشترِ · من ${usd('ar-EG', 15)}`);
      // Egyptian Arabic writes Arabic-Indic digits
      expect(text(el)).to.match(/[٠-٩]/);
    });
  });

  // Which digits Arabic prices use is the reader's browser's choice, deliberately (docs/embedding.md,
  // "Languages and digits"): the element formats with the browser's Intl, as the rest of the
  // reader's page is. For plain `ar`, WebKit (Safari) writes Arabic-Indic digits, ٢٥٫٠٠ US$, where
  // Chromium and Firefox write 25.00 US$. A page that wants one way everywhere says so in the
  // locale, and every engine honours it. These run in Chromium, Firefox and WebKit (npm run
  // test:engines).
  describe('digits', () => {
    const ARABIC_INDIC = /[٠-٩]/;
    const engine = /Firefox\//.test(navigator.userAgent)
      ? 'firefox'
      : /Chrome\//.test(navigator.userAgent)
        ? 'chromium'
        : 'webkit';

    it(`plain ar: Arabic-Indic digits in WebKit only (this is ${engine})`, async () => {
      const { el } = await inLang('ar');
      expect(text(el)).to.equal(`اشترِ · ${usd('ar', 25)}`);
      if (engine === 'webkit') expect(text(el)).to.match(/٢٥٫٠٠/);
      else
        expect(text(el))
          .to.match(/25\.00/)
          .and.not.match(ARABIC_INDIC);
    });

    it('ar-u-nu-latn: Western digits in every engine, still Arabic and right to left', async () => {
      const { el } = await inLang('ar', { locale: 'ar-u-nu-latn' });
      expect(text(el)).to.match(/^اشترِ · /);
      expect(text(el))
        .to.match(/25\.00/)
        .and.not.match(ARABIC_INDIC);
      expect(buyButton(el)!.getAttribute('dir')).to.equal('rtl');
    });

    it('ar-u-nu-arab: Arabic-Indic digits in every engine', async () => {
      const { el } = await inLang('en', { locale: 'ar-u-nu-arab' });
      expect(text(el)).to.match(/^اشترِ · /);
      expect(text(el)).to.match(/٢٥٫٠٠/);
      expect(buyButton(el)!.getAttribute('dir')).to.equal('rtl');
    });
  });

  describe('which language wins', () => {
    it('the locale attribute over the lang around it', async () => {
      const { el } = await inLang('ar', { locale: 'en' });
      expect(text(el)).to.equal('Buy · $25.00');
      expect(buyButton(el)!.getAttribute('dir')).to.equal('ltr');
    });

    it('the nearest lang over the page’s', async () => {
      document.documentElement.setAttribute('lang', 'ar');
      const { el } = await inLang('en-GB');
      expect(text(el)).to.equal(`Buy · ${usd('en-GB', 25)}`);
    });
  });

  describe('money', () => {
    it('is formatted by Intl for the locale, even without a translation', async () => {
      const { el } = await inLang('de-DE');
      expect(text(el)).to.equal(`Buy · ${usd('de-DE', 25)}`);
      expect(text(el)).to.match(/^Buy · 25,00\s\$$/);
      expect(buyButton(el)!.getAttribute('dir')).to.equal('ltr');
    });

    it('falls back to English for an invalid tag', async () => {
      const { el } = await inLang('not a tag!');
      expect(text(el)).to.equal('Buy · $25.00');
    });
  });

  describe('at run time', () => {
    it('follows a change of the lang around it', async () => {
      const { wrapper, el } = await inLang('en');
      expect(text(el)).to.equal('Buy · $25.00');
      wrapper.setAttribute('lang', 'ar');
      await waitUntil(() => text(el).startsWith('اشترِ'), 'the button turns Arabic');
      expect(text(el)).to.equal(`اشترِ · ${usd('ar', 25)}`);
      expect(buyButton(el)!.getAttribute('dir')).to.equal('rtl');
      wrapper.setAttribute('lang', 'en');
      await waitUntil(() => text(el) === 'Buy · $25.00', 'and back to English');
      expect(buyButton(el)!.getAttribute('dir')).to.equal('ltr');
    });

    it('follows a change of the page’s lang', async () => {
      const el = await ready(
        await fixture<BuyInPost>(
          html`<buy-in-post product=${CATALOGUE.tee.id} endpoint=${ENDPOINT}></buy-in-post>`,
        ),
      );
      expect(text(el)).to.equal('Buy · $25.00');
      document.documentElement.setAttribute('lang', 'ar');
      await waitUntil(() => text(el).startsWith('اشترِ'), 'the button turns Arabic');
    });

    it('follows a change of the locale attribute', async () => {
      const { el } = await inLang('en');
      el.locale = 'ar';
      await waitUntil(() => text(el).startsWith('اشترِ'), 'the button turns Arabic');
      expect(buyButton(el)!.getAttribute('dir')).to.equal('rtl');
    });
  });
});
