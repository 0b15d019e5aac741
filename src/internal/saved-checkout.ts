/**
 * The tab's memory of one element's checkout — sessionStorage (this tab only, gone when it
 * closes), per endpoint and product. This module is the one owner of the key and the format:
 * the core asks it whether a return from a payment page is for this element; the checkout chunk
 * saves and restores through it. Silent where storage is unavailable (privacy modes, sandboxed
 * iframes): resuming is a convenience.
 *
 * Never a card number; the client token opens this one checkout only.
 */
export interface SavedCheckout {
  checkoutId: string | null;
  clientToken: string | null;
  /** What the reader entered, in the checkout's own shape: the checkout checks it when read back. */
  entries: unknown;
}

const key = (endpoint: string, productId: string) => `buy-in-post:${endpoint}:${productId}`;

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** What was saved for this endpoint and product, if anything readable. */
export function readSaved(endpoint: string, productId: string): SavedCheckout | null {
  try {
    const raw = sessionStorage.getItem(key(endpoint, productId));
    // Another version of the element (or a hand) may have written it: trust only its shape.
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (!v || typeof v !== 'object') return null;
    const { checkoutId, clientToken, entries } = v as Record<string, unknown>;
    return { checkoutId: text(checkoutId), clientToken: text(clientToken), entries };
  } catch {
    return null;
  }
}

export function writeSaved(endpoint: string, productId: string, saved: SavedCheckout) {
  try {
    sessionStorage.setItem(key(endpoint, productId), JSON.stringify(saved));
  } catch {
    // storage full or denied
  }
}

/** After the order: the next Buy starts afresh. */
export function clearSaved(endpoint: string, productId: string) {
  try {
    sessionStorage.removeItem(key(endpoint, productId));
  } catch {
    // storage denied
  }
}
