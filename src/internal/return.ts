/**
 * Coming back from a payment page (Stripe's hosted page, a bank's 3-D Secure or redirect): the
 * endpoint's return URL carries `bip_checkout=<id>` (and `bip_return=done|canceled`). The
 * element whose saved checkout (sessionStorage, this tab) is that one opens at once and shows
 * how it went. In the core chunk, so it stays a few lines.
 */
export const resumeKey = (endpoint: string, productId: string) =>
  `buy-in-post:${endpoint}:${productId}`;

const PARAMS = ['bip_checkout', 'bip_return'];

/** True when this page load is a return for this element's saved checkout. */
export function isReturnFor(endpoint: string, productId: string): boolean {
  try {
    const id = new URLSearchParams(location.search).get('bip_checkout');
    const saved = id ? sessionStorage.getItem(resumeKey(endpoint, productId)) : null;
    return !!saved && (JSON.parse(saved) as { checkoutId?: unknown }).checkoutId === id;
  } catch {
    return false;
  }
}

/** The page's address without the return parameters (where payment pages send the reader). */
export function pageUrl(): string {
  const url = new URL(location.href);
  for (const p of PARAMS) url.searchParams.delete(p);
  return url.toString();
}

/** Where a payment method that leaves the page (a bank's site) sends the reader back. */
export function returnUrlFor(checkoutId: string): string {
  const url = new URL(pageUrl());
  url.searchParams.set('bip_checkout', checkoutId);
  url.searchParams.set('bip_return', 'done');
  return url.toString();
}

/** Takes the return parameters out of the address bar, so a reload does not reopen. */
export function forgetReturn() {
  if (PARAMS.some((p) => new URLSearchParams(location.search).has(p)))
    history.replaceState(history.state, '', pageUrl());
}
