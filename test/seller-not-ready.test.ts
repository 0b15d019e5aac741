import { expect } from '@open-wc/testing';
import { describeError } from '../src/checkout/errors.ts';
import { checkoutI18n } from '../src/i18n/messages.ts';
import { ProtocolError } from '../src/internal/client.ts';

// A platform endpoint (Stripe Connect) refuses a checkout for a seller who cannot take payments
// with `409 seller_not_ready` (the product was shown for sale a moment before, say): the reader
// is told so in their language, never in the endpoint's English.

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
