import { RETURN_PARAMS } from '../../server/src/protocol/return-params.ts';
import { readSaved } from './saved-checkout.ts';

/**
 * Coming back from a payment page (Stripe's hosted page, a bank's 3-D Secure or redirect): the
 * endpoint's return URL carries `bip_checkout=<id>` (and `bip_return=done|canceled`; the names
 * are the protocol's, in return-params.ts, shared with the endpoint). The element whose saved
 * checkout (saved-checkout.ts) is that one opens at once and shows how it went. In the core chunk, so it
 * stays a few lines.
 */

/** The checkout id in the address, read once per task (every element asks as it connects). */
let returnedId: string | null | undefined;
function returnedCheckout(): string | null {
  if (returnedId === undefined) {
    returnedId = new URLSearchParams(location.search).get(RETURN_PARAMS.checkout);
    queueMicrotask(() => {
      returnedId = undefined;
    });
  }
  return returnedId;
}

/** True when this page load is a return for this element's saved checkout. */
export function isReturnFor(endpoint: string, productId: string): boolean {
  try {
    const id = returnedCheckout();
    return !!id && readSaved(endpoint, productId)?.checkoutId === id;
  } catch {
    return false;
  }
}

/** The page's address without the return parameters (where payment pages send the reader). */
export function pageUrl(): string {
  const url = new URL(location.href);
  for (const p of Object.values(RETURN_PARAMS)) url.searchParams.delete(p);
  return url.toString();
}

/** Takes the return parameters out of the address bar, so a reload does not reopen. */
export function forgetReturn() {
  const params = new URLSearchParams(location.search);
  if (Object.values(RETURN_PARAMS).some((p) => params.has(p)))
    history.replaceState(history.state, '', pageUrl());
}
