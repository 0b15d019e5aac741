import type { Contact, Selection } from './machine.ts';

/** What survives closing the dialog or reloading the page: enough to resume the checkout. */
export interface Saved {
  checkoutId: string | null;
  clientToken: string | null;
  selection: Selection;
  contact: Contact;
}

const key = (endpoint: string, productId: string) => `buy-in-post:${endpoint}:${productId}`;

/** sessionStorage, per endpoint and product; silent where storage is unavailable (privacy modes). */
export const resumeStore = {
  load(endpoint: string, productId: string): Saved | null {
    try {
      const raw = sessionStorage.getItem(key(endpoint, productId));
      return raw ? (JSON.parse(raw) as Saved) : null;
    } catch {
      return null;
    }
  },
  save(endpoint: string, productId: string, saved: Saved) {
    try {
      sessionStorage.setItem(key(endpoint, productId), JSON.stringify(saved));
    } catch {
      // storage full or denied: resuming is a convenience
    }
  },
  clear(endpoint: string, productId: string) {
    try {
      sessionStorage.removeItem(key(endpoint, productId));
    } catch {}
  },
};
