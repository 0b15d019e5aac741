import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { createLogger } from '../src/log.ts';

/** A logger whose lines are kept, in the given mode. */
function collecting(mode: 'production' | 'development') {
  const lines: string[] = [];
  const log = createLogger({ mode, destination: { write: (l) => lines.push(l) } });
  return { log, text: () => lines.join('') };
}

/** A Stripe error as the SDK builds it from an API answer: it keeps the whole PaymentIntent. */
function stripeCardError() {
  return Stripe.errors.StripeError.generate({
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
    payment_intent: {
      id: 'pi_3Abc',
      client_secret: 'pi_3Abc_secret_Zyx987',
      receipt_email: 'ada@example.com',
      shipping: { name: 'Ada Reader', address: { line1: '1 Main Street' } },
    },
  } as never);
}

describe('logging', () => {
  for (const mode of ['production', 'development'] as const) {
    test(`${mode}: a Stripe error is logged without its client secret or the buyer's data`, () => {
      const { log, text } = collecting(mode);
      log.error({ err: stripeCardError(), checkout: 'co_1' }, 'refund failed');
      log.error(stripeCardError());
      const out = text();
      for (const leak of [
        'pi_3Abc_secret_Zyx987',
        'ada@example.com',
        'Ada Reader',
        '1 Main Street',
      ])
        assert.ok(!out.includes(leak), `${leak} reached the log:\n${out}`);
      // …while what an operator needs is still there.
      for (const kept of ['refund failed', 'card_declined', 'insufficient_funds', 'co_1'])
        assert.ok(out.includes(kept), `${kept} missing from the log:\n${out}`);
    });
  }

  test('secrets and emails are scrubbed from messages and censored under sensitive keys', () => {
    const { log, text } = collecting('production');
    log.warn(
      {
        email: 'bo@example.org',
        shippingAddress: { city: 'Springfield' },
        headers: { authorization: 'Bearer bip_sk_live_123' },
        note: 'key sk_live_abcDEF and whsec_xyz',
      },
      'checkout for bo@example.org with pi_1_secret_2',
    );
    const out = text();
    for (const leak of [
      'bo@example.org',
      'Springfield',
      'bip_sk_live_123',
      'sk_live_abcDEF',
      'whsec_xyz',
      'pi_1_secret_2',
    ])
      assert.ok(!out.includes(leak), `${leak} reached the log:\n${out}`);
  });

  test('a field named __proto__ is logged (and redacted) like any other', () => {
    const { log, text } = collecting('production');
    log.info(JSON.parse('{"__proto__": {"email": "eve@example.com", "kept": 1}}'), 'odd body');
    const entry = JSON.parse(text().trim());
    const field = Object.getOwnPropertyDescriptor(entry, '__proto__')?.value;
    assert.deepEqual(field, { email: '[redacted]', kept: 1 });
    assert.ok(!text().includes('eve@example.com'));
  });

  test('production writes one JSON object a line; development a readable line', () => {
    const prod = collecting('production');
    prod.log.child({ scope: 'sweeper' }).info({ released: 3 }, 'released holds');
    const entry = JSON.parse(prod.text().trim());
    assert.equal(entry.level, 30);
    assert.equal(entry.scope, 'sweeper');
    assert.equal(entry.released, 3);
    assert.equal(entry.msg, 'released holds');

    const dev = collecting('development');
    dev.log.child({ scope: 'sweeper' }).info({ released: 3 }, 'released holds');
    assert.equal(dev.text(), 'info [sweeper] released holds {"released":3}\n');
  });
});
