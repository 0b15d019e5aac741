import { type SavedCheckout, savedKey } from '../internal/saved-checkout.ts';

// Writing the tab's memory of a checkout (internal/saved-checkout.ts owns its key and format).

export function writeSaved(endpoint: string, productId: string, saved: SavedCheckout) {
  try {
    // Named fields only: nothing else can slip into the host page's storage.
    const { checkoutId, clientToken } = saved;
    sessionStorage.setItem(
      savedKey(endpoint, productId),
      JSON.stringify({ checkoutId, clientToken }),
    );
  } catch {
    // storage full or denied
  }
}

/** After the order: the next Buy starts afresh. */
export function clearSaved(endpoint: string, productId: string) {
  try {
    sessionStorage.removeItem(savedKey(endpoint, productId));
  } catch {
    // storage denied
  }
}
