/**
 * Protocol rules that the element and the endpoint both run, written once. This module is
 * imported at runtime by the browser bundle: no zod, no Node APIs, no imports at all.
 */

/** The Luhn checksum every card number carries: catches a mistyped digit before the network. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * The query parameters a payment page's return adds to the host page's address:
 * `bip_checkout=<id>` and `bip_return=done|canceled`.
 */
export const RETURN_PARAMS = { checkout: 'bip_checkout', result: 'bip_return' } as const;

/** How a return from a payment page ended. */
export type ReturnResult = 'done' | 'canceled';

/** `base` with the return parameters for `checkoutId` set (any earlier ones replaced). */
export function withReturnParams(base: string, checkoutId: string, result: ReturnResult): string {
  const url = new URL(base);
  url.searchParams.set(RETURN_PARAMS.checkout, checkoutId);
  url.searchParams.set(RETURN_PARAMS.result, result);
  return url.toString();
}
