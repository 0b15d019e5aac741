/**
 * The query parameters a payment page's return adds to the host page's address:
 * `bip_checkout=<id>` and `bip_return=done|canceled` (rules.ts sets them). In a module of their
 * own: the element's core reads them as every element connects, and nothing else of rules.ts.
 */
export const RETURN_PARAMS = { checkout: 'bip_checkout', result: 'bip_return' } as const;

/** How a return from a payment page ended. */
export type ReturnResult = 'done' | 'canceled';
