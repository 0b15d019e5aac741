// The checkout state machine on its own: pure functions over plain data — no element, no DOM,
// no endpoint. Each case feeds events to `transition` and checks the state it returns.
import { expect } from '@open-wc/testing';
import { addressFrom, rejectedFields } from '../src/checkout/contact.ts';
import { describeError } from '../src/checkout/errors.ts';
import {
  type FlowEvent,
  type FlowState,
  initialState,
  isRetryable,
  optionValue,
  stepsFor,
  transition,
  unavailability,
  variantFor,
} from '../src/checkout/machine.ts';
import { swatchColour } from '../src/checkout/steps/options.ts';
import { checkoutI18n } from '../src/i18n/messages.ts';
import { ProtocolError } from '../src/internal/client.ts';
import type { Checkout, Product } from '../src/internal/types.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });

function variant(size: string, colour: string, maxQuantity: number) {
  return {
    id: `tee-${size}-${colour}`.toLowerCase(),
    sku: null,
    options: { Size: size, Colour: colour },
    price: usd(2500),
    compareAtPrice: null,
    availability: maxQuantity > 0 ? ('in_stock' as const) : ('out_of_stock' as const),
    maxQuantity,
  };
}

/** S/M/L × Black/Sand: Sand S sold out, Sand L not made, Black M limited to 3. */
const TEE: Product = {
  id: 'tee',
  title: 'Tour T-shirt',
  description: '',
  url: null,
  kind: 'physical',
  seller: { id: 'sel_1', name: 'Nour', kind: 'artist' },
  images: [],
  options: [
    { name: 'Size', values: ['S', 'M', 'L'] },
    { name: 'Colour', values: ['Black', 'Sand'] },
  ],
  variants: [
    variant('S', 'Black', 10),
    variant('S', 'Sand', 0),
    variant('M', 'Black', 3),
    variant('M', 'Sand', 10),
    variant('L', 'Black', 10),
  ],
  priceFrom: usd(2500),
  shipsTo: ['US'],
  available: true,
};

const ALBUM: Product = {
  ...TEE,
  id: 'album',
  kind: 'digital',
  options: [],
  variants: [{ ...variant('-', '-', 50), id: 'album-1', options: {} }],
};

function checkout(over: Partial<Checkout> = {}): Checkout {
  return {
    id: 'chk_1',
    status: 'open',
    productId: 'tee',
    variantId: 'tee-m-black',
    kind: 'physical',
    quantity: 2,
    unitPrice: usd(2500),
    email: null,
    shareEmail: false,
    shippingAddress: null,
    shippingPreview: null,
    postRef: null,
    totals: { subtotal: usd(5000), shipping: null, tax: usd(0), total: usd(5000) },
    readyToPay: false,
    expiresAt: '2026-12-01T12:00:00.000Z',
    payment: { provider: 'test' },
    lastPaymentError: null,
    order: null,
    ...over,
  };
}

const run = (product: Product, events: FlowEvent[], from = initialState(product)): FlowState =>
  events.reduce((s, e) => transition(s, e, product), from);

describe('checkout state machine (pure)', () => {
  it('starts on the product step with the first variant that can be bought, quantity 1', () => {
    const s = initialState(TEE);
    expect(s.step).to.equal('product');
    expect(s.selection).to.deep.equal({ options: { Size: 'S', Colour: 'Black' }, quantity: 1 });
    expect(s.checkout).to.equal(null);
  });

  it('digital goods skip shipping', () => {
    expect(stepsFor(TEE)).to.deep.equal(['product', 'shipping', 'payment', 'review', 'done']);
    expect(stepsFor(ALBUM)).to.deep.equal(['product', 'payment', 'review', 'done']);
    const s = run(ALBUM, [
      { type: 'submit', key: 'k1' },
      { type: 'checkout', checkout: checkout() },
    ]);
    expect(s.step).to.equal('payment');
  });

  it('says why a value cannot be chosen: not made, or sold out', () => {
    const opts = { Size: 'S', Colour: 'Black' };
    expect(unavailability(TEE, opts, 0, 'L')).to.equal(null);
    expect(unavailability(TEE, { Size: 'L', Colour: 'Black' }, 1, 'Sand')).to.equal('not-made');
    expect(unavailability(TEE, opts, 1, 'Sand')).to.equal('sold-out');
  });

  it('choosing a size whose colour is gone moves the colour to one that can be bought', () => {
    const s = run(TEE, [
      { type: 'select', option: 'Colour', value: 'Sand' }, // S/Sand is sold out
    ]);
    // Size comes first and no later option can move: the choice stands, and the picker says
    // S/Sand is sold out (the flow will not create a checkout for it)
    expect(s.selection.options).to.deep.equal({ Size: 'S', Colour: 'Sand' });
    const m = run(TEE, [{ type: 'select', option: 'Size', value: 'M' }]);
    expect(m.selection.options).to.deep.equal({ Size: 'M', Colour: 'Black' });
    const l = run(TEE, [
      { type: 'select', option: 'Size', value: 'M' },
      { type: 'select', option: 'Colour', value: 'Sand' },
      { type: 'select', option: 'Size', value: 'L' }, // L/Sand is not made: Black instead
    ]);
    expect(l.selection.options).to.deep.equal({ Size: 'L', Colour: 'Black' });
  });

  it('bounds the quantity by what the variant allows, and re-bounds it on a variant change', () => {
    const s = run(TEE, [
      { type: 'quantity', quantity: 8 },
      { type: 'select', option: 'Size', value: 'M' }, // M/Black: at most 3
    ]);
    expect(s.selection.quantity).to.equal(3);
    expect(run(TEE, [{ type: 'quantity', quantity: 0 }]).selection.quantity).to.equal(1);
    expect(run(TEE, [{ type: 'quantity', quantity: 2.7 }]).selection.quantity).to.equal(2);
  });

  it('a double press keeps one attempt and one key; nothing changes while busy', () => {
    const s = run(TEE, [
      { type: 'submit', key: 'first' },
      { type: 'submit', key: 'second' },
      { type: 'select', option: 'Size', value: 'L' },
      { type: 'quantity', quantity: 2 },
    ]);
    expect(s.busy).to.equal(true);
    expect(s.attemptKey).to.equal('first');
    expect(s.selection).to.deep.equal({ options: { Size: 'S', Colour: 'Black' }, quantity: 1 });
  });

  it('a network failure keeps the key for the retry; an answered failure drops it', () => {
    const net = run(TEE, [
      { type: 'submit', key: 'k1' },
      { type: 'failed', error: { code: 'network', message: 'offline' } },
      { type: 'submit', key: 'k2' },
    ]);
    expect(net.attemptKey).to.equal('k1');
    expect(isRetryable('network')).to.equal(true);
    const answered = run(TEE, [
      { type: 'submit', key: 'k1' },
      { type: 'failed', error: { code: 'out_of_stock', message: 'gone', available: 1 } },
      { type: 'submit', key: 'k2' },
    ]);
    expect(answered.attemptKey).to.equal('k2');
    expect(isRetryable('out_of_stock')).to.equal(false);
  });

  it('walks product → shipping → payment → review → done, and back', () => {
    let s = run(TEE, [
      { type: 'select', option: 'Size', value: 'M' },
      { type: 'submit', key: 'k1' },
      { type: 'checkout', checkout: checkout() },
    ]);
    expect(s.step).to.equal('shipping');
    expect(s.busy).to.equal(false);
    s = run(TEE, [{ type: 'back' }], s);
    expect(s.step).to.equal('product');
    s = run(
      TEE,
      [
        { type: 'submit', key: 'k2' },
        { type: 'checkout', checkout: checkout() },
        { type: 'contact', contact: { email: 'a@example.com', address: { city: 'Springfield' } } },
        { type: 'contact', contact: { address: { country: 'US' } } },
        { type: 'submit', key: 'k3' },
        { type: 'checkout', checkout: checkout({ shippingAddress: null, readyToPay: true }) },
        { type: 'payment', payment: { provider: 'test', card: '4242424242424242' } },
      ],
      s,
    );
    expect(s.step).to.equal('review');
    expect(s.contact.address).to.deep.equal({ city: 'Springfield', country: 'US' });
    s = run(TEE, [{ type: 'edit', step: 'shipping' }], s);
    expect(s.step).to.equal('shipping');
  });

  it('a wallet changes the checkout in place: same step, new totals; another checkout is ignored', () => {
    const atPayment = run(TEE, [
      { type: 'submit', key: 'k1' },
      { type: 'checkout', checkout: checkout() },
      { type: 'submit', key: 'k2' },
      { type: 'checkout', checkout: checkout() },
    ]);
    expect(atPayment.step).to.equal('payment');
    const dearer = checkout({ totals: { ...checkout().totals, total: usd(6800) } });
    const s = run(TEE, [{ type: 'refresh', checkout: dearer }], atPayment);
    expect(s.step).to.equal('payment');
    expect(s.checkout!.totals.total.amount).to.equal(6800);
    const other = run(TEE, [{ type: 'refresh', checkout: checkout({ id: 'chk_2' }) }], s);
    expect(other.checkout!.id).to.equal('chk_1');
  });

  it('a declined card goes back to payment without the card; the order ends the flow', () => {
    const atReview = run(TEE, [
      { type: 'submit', key: 'k1' },
      { type: 'checkout', checkout: checkout() },
      { type: 'submit', key: 'k2' },
      { type: 'checkout', checkout: checkout({ readyToPay: true }) },
      { type: 'payment', payment: { provider: 'test', card: '4000000000000002' } },
    ]);
    const declined = run(
      TEE,
      [
        { type: 'submit', key: 'pay1' },
        { type: 'failed', error: { code: 'payment_declined', message: 'Your card was declined.' } },
      ],
      atReview,
    );
    expect(declined.step).to.equal('payment');
    expect(declined.payment).to.equal(null);
    expect(declined.checkout).to.not.equal(null);
    expect(declined.error?.code).to.equal('payment_declined');
    const paid = checkout({
      status: 'paid',
      order: { id: 'ord_1', number: 'BIP-1234567', downloadUrl: null },
    });
    const done = run(TEE, [{ type: 'paid', checkout: paid }], atReview);
    expect(done.step).to.equal('done');
    expect(run(TEE, [{ type: 'back' }, { type: 'quantity', quantity: 2 }], done)).to.equal(done);
  });

  it('an expired checkout starts again from the product with every entry kept', () => {
    const s = run(TEE, [
      { type: 'select', option: 'Size', value: 'M' },
      { type: 'submit', key: 'k1' },
      { type: 'checkout', checkout: checkout() },
      { type: 'contact', contact: { email: 'a@example.com' } },
      { type: 'submit', key: 'k2' },
      { type: 'failed', error: { code: 'checkout_expired', message: 'expired' } },
    ]);
    expect(s.step).to.equal('product');
    expect(s.checkout).to.equal(null);
    expect(s.selection.options).to.deep.equal({ Size: 'M', Colour: 'Black' });
    expect(s.contact.email).to.equal('a@example.com');
  });

  it('resuming shows what the endpoint reserved, at the step it belongs to', () => {
    const s = run(TEE, [
      { type: 'resume', checkout: checkout({ variantId: 'tee-m-sand', quantity: 2 }) },
    ]);
    expect(s.selection).to.deep.equal({ options: { Size: 'M', Colour: 'Sand' }, quantity: 2 });
    expect(s.step).to.equal('shipping');
    const withAddress = checkout({
      shippingAddress: { name: 'A', line1: '1 Main St', city: 'Springfield', country: 'US' },
    });
    const resumed = run(TEE, [{ type: 'resume', checkout: { ...withAddress, email: 'a@b.co' } }]);
    expect(resumed.step).to.equal('payment');
    // the tab keeps no personal data: what the reader sent comes back from the endpoint
    expect(resumed.contact.email).to.equal('a@b.co');
    expect(resumed.contact.address.city).to.equal('Springfield');
    expect(run(TEE, [{ type: 'resume', checkout: checkout({ status: 'expired' }) }]).step).to.equal(
      'product',
    );
  });

  it('option names such as constructor or toString are matched as names, not prototype members', () => {
    const odd: Product = {
      ...TEE,
      options: [
        { name: 'constructor', values: ['A', 'B'] },
        { name: 'toString', values: ['X'] },
      ],
      variants: [
        { ...variant('S', 'Black', 5), id: 'odd-b', options: { constructor: 'B', toString: 'X' } },
      ],
    };
    // Nothing chosen is not a match, whatever every object inherits.
    expect(variantFor(odd, {})).to.equal(null);
    expect(optionValue({}, 'constructor')).to.equal(undefined);
    expect(variantFor(odd, { constructor: 'B', toString: 'X' })?.id).to.equal('odd-b');
    expect(unavailability(odd, {}, 0, 'A')).to.equal('not-made');
    expect(initialState(odd).selection.options).to.deep.equal({ constructor: 'B', toString: 'X' });
    // A colour called `constructor` is drawn as unknown, not as `function Object() {…}`.
    expect(swatchColour('constructor')).to.equal(null);
    expect(swatchColour('__proto__')).to.equal(null);
    expect(swatchColour('Sand')).to.equal('#d8c3a0');
  });

  it('codes the endpoint sends are looked up as own keys: `constructor` is not a message', () => {
    const en = checkoutI18n('en');
    const problem = (code: string, declineCode?: string) =>
      new ProtocolError(code as never, 402, 'Declined by the bank.', {
        type: 'about:blank',
        title: '',
        status: 402,
        code: code as never,
        ...(declineCode ? { declineCode } : {}),
      });
    const declined = describeError(problem('payment_declined', 'constructor'), en, true);
    expect(declined.message).to.include('Declined by the bank.');
    expect(declined.message).not.to.include('function');
    expect(describeError(problem('toString'), en, true).message).to.equal(en.t.errors.generic);
  });

  it('never mutates the state it is given', () => {
    const s = initialState(TEE);
    const frozen = JSON.stringify(s);
    run(
      TEE,
      [
        { type: 'select', option: 'Size', value: 'L' },
        { type: 'submit', key: 'k' },
      ],
      s,
    );
    expect(JSON.stringify(s)).to.equal(frozen);
  });

  describe('the contact form: its problems are state (kinds, put into words when rendered)', () => {
    const typed = (contact: Partial<FlowState['contact']>): FlowEvent => ({
      type: 'contact',
      contact,
    });
    const FULL = {
      email: 'ada@example.com',
      address: { name: 'Ada', line1: '1 Main St', city: 'Springfield', country: 'US' },
    };

    it('nothing is flagged before the reader submits the form', () => {
      const s = run(TEE, [typed({ email: 'ada@' })]);
      expect(s.contactProblems).to.deep.equal({});
    });

    it('submitting flags each required field left empty, in the order of the form', () => {
      const s = run(TEE, [
        typed({ address: { line1: '1 Main St', line2: ' ' } }),
        { type: 'validate' },
      ]);
      expect(s.contactProblems).to.deep.equal({
        email: 'required',
        name: 'required',
        city: 'required',
        country: 'required',
      });
      expect(Object.keys(s.contactProblems)[0], 'the focus goes to the first').to.equal('email');
      expect(s.step, 'the reader stays on the step').to.equal('product');
    });

    it('an email without a domain is invalid; blanks alone are empty', () => {
      const bad = run(TEE, [typed({ ...FULL, email: 'ada@example' }), { type: 'validate' }]);
      expect(bad.contactProblems).to.deep.equal({ email: 'invalid_email' });
      const blank = run(TEE, [typed({ ...FULL, email: '   ' }), { type: 'validate' }]);
      expect(blank.contactProblems).to.deep.equal({ email: 'required' });
    });

    it('a complete form has no problems, and gives an address without blank optional fields', () => {
      const s = run(TEE, [
        typed({ ...FULL }),
        typed({ address: { region: '  ' } }),
        { type: 'validate' },
      ]);
      expect(s.contactProblems).to.deep.equal({});
      expect(addressFrom(s.contact)).to.deep.equal(FULL.address);
    });

    it('a flagged field is checked again as the reader corrects it; others wait for the next submit', () => {
      const flagged = run(TEE, [{ type: 'validate' }]);
      const s = run(TEE, [typed({ email: 'ada@' }), typed({ address: { name: 'Ada' } })], flagged);
      // still wrong, but of another kind; the name is now fine
      expect(s.contactProblems.email).to.equal('invalid_email');
      expect(s.contactProblems).not.to.have.property('name');
      // a field cleared after a submit that found it fine is not flagged while typing
      const fine = run(TEE, [typed({ ...FULL }), { type: 'validate' }]);
      const cleared = run(TEE, [typed({ address: { city: '' } })], fine);
      expect(cleared.contactProblems).to.deep.equal({});
      expect(run(TEE, [{ type: 'validate' }], cleared).contactProblems).to.deep.equal({
        city: 'required',
      });
    });

    it('nothing is checked while a request is in flight', () => {
      const busy = run(TEE, [{ type: 'submit', key: 'k' }]);
      expect(run(TEE, [{ type: 'validate' }], busy)).to.equal(busy);
    });

    it('starting again keeps the entries and forgets the problems', () => {
      const s = run(TEE, [typed({ email: 'ada@' }), { type: 'validate' }, { type: 'restart' }]);
      expect(s.contact.email).to.equal('ada@');
      expect(s.contactProblems).to.deep.equal({});
    });

    it('the endpoint’s field errors and does_not_ship become problems of the form’s fields', () => {
      expect(
        rejectedFields({
          code: 'validation_failed',
          fields: {
            email: 'bad',
            'shippingAddress.postalCode': 'bad',
            shippingAddress: 'bad',
            quantity: 'not a contact field',
          },
        }),
      ).to.deep.equal({ email: 'rejected', postalCode: 'rejected', line1: 'rejected' });
      expect(rejectedFields({ code: 'does_not_ship' })).to.deep.equal({ country: 'does_not_ship' });
      expect(rejectedFields(null)).to.deep.equal({});
    });
  });
});
