/**
 * The tab's memory of one element's checkout — sessionStorage (this tab only, gone when it
 * closes), per endpoint and product. This module owns the key and the format, and reads: the
 * core asks it whether a return from a payment page is for this element; the checkout chunk
 * restores through it, and saves through checkout/saved.ts (in that chunk, so that the page's
 * load carries only the reading). Silent where storage is unavailable (privacy modes, sandboxed
 * iframes): resuming is a convenience.
 *
 * Only what resuming needs: the checkout's id and the client token that opens it. The host page's
 * scripts can read this storage, so nothing personal is kept here — no email, no address, never
 * a card number; what the reader sent is read back from the endpoint with the token.
 */
export interface SavedCheckout {
  checkoutId: string;
  clientToken: string;
}

/** Where the checkout for `productId` on `endpoint` is kept. */
export const savedKey = (endpoint: string, productId: string) =>
  `buy-in-post:${endpoint}:${productId}`;

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** What was saved for this endpoint and product, if anything readable. */
export function readSaved(endpoint: string, productId: string): SavedCheckout | null {
  try {
    const raw = sessionStorage.getItem(savedKey(endpoint, productId));
    // Another version of the element (or a hand) may have written it: trust only its shape.
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (!v || typeof v !== 'object') return null;
    const { checkoutId, clientToken } = v as Record<string, unknown>;
    const id = text(checkoutId);
    const token = text(clientToken);
    return id && token ? { checkoutId: id, clientToken: token } : null;
  } catch {
    return null;
  }
}
