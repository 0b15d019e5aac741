import type { ShippingZone, TaxRate } from '../protocol/seller.ts';

export interface PriceInput {
  unitPrice: number;
  quantity: number;
  kind: 'physical' | 'digital';
  /** Destination country, once known. */
  country: string | null;
  shippingZones: readonly ShippingZone[];
  taxRates: readonly TaxRate[];
}

export interface PriceResult {
  subtotal: number;
  /** null while a physical order has no destination yet. */
  shipping: number | null;
  tax: number;
  total: number;
}

export class DoesNotShipError extends Error {
  constructor(readonly country: string) {
    super(`The seller does not ship to ${country}`);
  }
}

/** Countries a seller's zones cover, sorted. */
export function shippableCountries(zones: readonly ShippingZone[]): string[] {
  return [...new Set(zones.flatMap((z) => z.countries))].sort();
}

/** The first zone that lists the country wins, so sellers order zones from specific to broad. */
export function zoneFor(zones: readonly ShippingZone[], country: string): ShippingZone | undefined {
  return zones.find((z) => z.countries.includes(country));
}

/**
 * The whole pricing rule, in minor units, with no I/O:
 * subtotal = unit × quantity; shipping = the zone's flat rate, free once the subtotal reaches
 * the zone's threshold, none for digital goods; tax = rate × (subtotal + shipping), rounded half
 * up to the minor unit, by the destination country (digital goods: no destination, no tax).
 */
export function computeTotals(input: PriceInput): PriceResult {
  const subtotal = input.unitPrice * input.quantity;
  if (input.kind === 'digital') return { subtotal, shipping: 0, tax: 0, total: subtotal };
  if (!input.country) return { subtotal, shipping: null, tax: 0, total: subtotal };

  const zone = zoneFor(input.shippingZones, input.country);
  if (!zone) throw new DoesNotShipError(input.country);
  const free = zone.freeOver != null && subtotal >= zone.freeOver;
  const shipping = free ? 0 : zone.rate;
  const rate = input.taxRates.find((t) => t.country === input.country)?.rateBps ?? 0;
  // In BigInt: (subtotal + shipping) × rate can pass 2^53 at amounts the protocol allows, where
  // floating point would round the product and the half-up step with it.
  const tax = Number((BigInt(subtotal + shipping) * BigInt(rate) + 5_000n) / 10_000n);
  return { subtotal, shipping, tax, total: subtotal + shipping + tax };
}
