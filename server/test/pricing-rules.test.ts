import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ShippingZone, TaxRate } from '../src/protocol/seller.ts';
import { computeTotals, DoesNotShipError, shippableCountries } from '../src/services/pricing.ts';

const zones: ShippingZone[] = [
  { name: 'Home', countries: ['US'], rate: 500, freeOver: 5000 },
  { name: 'Neighbours', countries: ['CA', 'US'], rate: 900, freeOver: null },
  { name: 'Europe', countries: ['FR', 'DE'], rate: 1500 },
];
const taxRates: TaxRate[] = [
  { country: 'FR', rateBps: 2000 },
  { country: 'DE', rateBps: 1900 },
  { country: 'CA', rateBps: 1 },
];
const price = (
  unitPrice: number,
  quantity: number,
  country: string | null,
  kind: 'physical' | 'digital' = 'physical',
) => computeTotals({ unitPrice, quantity, kind, country, shippingZones: zones, taxRates });

describe('pricing rules', () => {
  test('the first zone that lists the country wins', () => {
    assert.equal(price(1000, 1, 'US').shipping, 500);
    assert.equal(price(1000, 1, 'CA').shipping, 900);
  });

  test('free shipping from the threshold on, not below it', () => {
    assert.equal(price(4999, 1, 'US').shipping, 500);
    assert.equal(price(5000, 1, 'US').shipping, 0);
    assert.equal(
      price(2500, 2, 'US').shipping,
      0,
      'the threshold applies to the subtotal, quantity included',
    );
    assert.equal(
      price(100_000, 1, 'CA').shipping,
      900,
      'a zone without threshold never ships free',
    );
  });

  test('tax in basis points on goods and shipping, rounded half up', () => {
    assert.deepEqual(price(1000, 1, 'FR'), {
      subtotal: 1000,
      shipping: 1500,
      tax: 500,
      total: 3000,
    });
    // 19 % of 1500 + 1001 = 2501 → 475.19 → 475
    assert.equal(price(1001, 1, 'DE').tax, 475);
    // 0.01 % of 5000 + 900 = 5900 → 0.59 → 1 (half up)
    assert.equal(price(5000, 1, 'CA').tax, 1);
    // 0.01 % of 4000 + 900 = 4900 → 0.49 → 0
    assert.equal(price(4000, 1, 'CA').tax, 0);
    assert.equal(price(1000, 1, 'US').tax, 0, 'no rate, no tax');
  });

  test('total is the sum of its parts', () => {
    for (const [unit, q, country] of [
      [1999, 3, 'FR'],
      [1, 99, 'DE'],
      [123_456, 2, 'CA'],
    ] as const) {
      const t = price(unit, q, country);
      assert.equal(t.total, t.subtotal + (t.shipping ?? 0) + t.tax);
      assert.equal(t.subtotal, unit * q);
    }
  });

  test('digital goods: no shipping, no tax, no destination needed', () => {
    assert.deepEqual(price(900, 2, null, 'digital'), {
      subtotal: 1800,
      shipping: 0,
      tax: 0,
      total: 1800,
    });
    assert.deepEqual(price(900, 1, 'FR', 'digital'), {
      subtotal: 900,
      shipping: 0,
      tax: 0,
      total: 900,
    });
  });

  test('no address yet: shipping unknown, total is the subtotal', () => {
    assert.deepEqual(price(2500, 2, null), { subtotal: 5000, shipping: null, tax: 0, total: 5000 });
  });

  test('a country no zone lists cannot be shipped to', () => {
    assert.throws(
      () => price(1000, 1, 'JP'),
      (e: unknown) => e instanceof DoesNotShipError && e.country === 'JP',
    );
  });

  test('the countries shipped to are the union of the zones, sorted', () => {
    assert.deepEqual(shippableCountries(zones), ['CA', 'DE', 'FR', 'US']);
    assert.deepEqual(shippableCountries([]), []);
  });
});
