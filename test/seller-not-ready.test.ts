import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { BuyInPost } from '../src/buy-in-post.ts';
import { describeError } from '../src/checkout/errors.ts';
import { checkoutI18n } from '../src/i18n/messages.ts';
import { ProtocolError } from '../src/internal/client.ts';
import { buyButton, cmd } from './helpers/fixtures.ts';

// On a platform endpoint (Stripe Connect), a seller who cannot take payments yet is not for sale:
// the product look-up says `unavailableReason: "seller_not_ready"` and the button says "Not
// available" — not "Sold out" — until the seller has onboarded. A checkout refused with
// `409 seller_not_ready` (the product was shown for sale a moment before, say) is told to the
// reader in their language, never in the endpoint's English. The platform endpoint is real: the
// reference server in platform mode against the fake Stripe API (test/helpers/endpoint.mjs).

interface PlatformProduct {
  endpoint: string;
  productId: string;
  apiKey: string;
}

async function mountOn(p: PlatformProduct, locale = '') {
  const el = await fixture<BuyInPost>(
    html`<buy-in-post product=${p.productId} endpoint=${p.endpoint} locale=${locale}></buy-in-post>`,
  );
  await waitUntil(() => buyButton(el), 'the button appears', { timeout: 10_000 });
  return el;
}

describe('a platform seller who has not onboarded', () => {
  it('is shown not available (not sold out), and cannot be bought', async () => {
    const p = await cmd<PlatformProduct>('bip-platform-product');
    const el = await mountOn(p);
    const button = buyButton(el)!;
    expect(button.textContent?.trim()).to.equal('Not available');
    expect(button.disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('in Arabic', async () => {
    const p = await cmd<PlatformProduct>('bip-platform-product');
    const el = await mountOn(p, 'ar');
    expect(buyButton(el)!.textContent?.trim()).to.equal('غير متاح');
  });

  it('is for sale once the seller has onboarded', async () => {
    const p = await cmd<PlatformProduct>('bip-platform-product');
    await cmd('bip-platform-onboard', { apiKey: p.apiKey });
    const el = await mountOn(p);
    expect(buyButton(el)!.textContent?.trim()).to.match(/^Buy · \$25\.00$/);
    expect(buyButton(el)!.disabled).to.equal(false);
  });
});

const refusal = () =>
  new ProtocolError('seller_not_ready', 409, 'This seller is not set up to take payments yet', {
    type: 'about:blank',
    title: 'This seller cannot take payments yet',
    status: 409,
    code: 'seller_not_ready',
  });

describe('seller_not_ready', () => {
  it('is said in English', () => {
    const e = describeError(refusal(), checkoutI18n('en'), false);
    expect(e.code).to.equal('seller_not_ready');
    expect(e.message).to.equal('This seller cannot take payments right now. Nothing was charged.');
  });

  it('is said in Arabic', () => {
    const e = describeError(refusal(), checkoutI18n('ar'), true);
    expect(e.code).to.equal('seller_not_ready');
    expect(e.message).to.equal('لا يستطيع هذا البائع تلقّي المدفوعات حاليًا. لم يُخصم أي مبلغ.');
  });
});
