/**
 * Protocol rules that the element and the endpoint both run, written once. This module is
 * imported at runtime by the browser bundle: no zod, no Node APIs, nothing imported but its
 * sibling return-params.ts. The browser's checkout chunk runs these; its core only reads the
 * return parameters' names, from that sibling, so that these stay out of the core.
 */
import { RETURN_PARAMS, type ReturnResult } from './return-params.ts';

export { RETURN_PARAMS, type ReturnResult } from './return-params.ts';

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

/** `base` with the return parameters for `checkoutId` set (any earlier ones replaced). */
export function withReturnParams(base: string, checkoutId: string, result: ReturnResult): string {
  const url = new URL(base);
  url.searchParams.set(RETURN_PARAMS.checkout, checkoutId);
  url.searchParams.set(RETURN_PARAMS.result, result);
  return url.toString();
}
