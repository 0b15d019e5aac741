import { resumeKey } from '../internal/return.ts';
import type { Contact, Selection } from './machine.ts';

/**
 * What survives closing the dialog or reloading the page: enough to resume the checkout. Never
 * a card number (the payment step asks again); the client token is scoped to this one checkout.
 */
export interface Saved {
  checkoutId: string | null;
  clientToken: string | null;
  selection: Selection;
  contact: Contact;
}

const key = resumeKey;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';

/** Another version of the element (or a hand) may have written the entry: trust only its shape. */
function parse(raw: string): Saved | null {
  const v: unknown = JSON.parse(raw);
  if (!isRecord(v) || !isRecord(v.selection) || !isRecord(v.contact)) return null;
  const { selection, contact } = v;
  if (!isRecord(selection.options) || typeof selection.quantity !== 'number') return null;
  if (typeof contact.email !== 'string' || !isRecord(contact.address)) return null;
  return {
    checkoutId: typeof v.checkoutId === 'string' ? v.checkoutId : null,
    clientToken: typeof v.clientToken === 'string' ? v.clientToken : null,
    selection: {
      options: selection.options as Record<string, string>,
      quantity: selection.quantity,
    },
    contact: {
      email: contact.email,
      shareEmail: contact.shareEmail === true,
      address: contact.address as Contact['address'],
    },
  };
}

/**
 * sessionStorage (this tab only, gone when it closes), per endpoint and product; silent where
 * storage is unavailable (privacy modes, sandboxed iframes): resuming is a convenience.
 */
export const resumeStore = {
  load(endpoint: string, productId: string): Saved | null {
    try {
      const raw = sessionStorage.getItem(key(endpoint, productId));
      return raw ? parse(raw) : null;
    } catch {
      return null;
    }
  },
  save(endpoint: string, productId: string, saved: Saved) {
    try {
      sessionStorage.setItem(key(endpoint, productId), JSON.stringify(saved));
    } catch {
      // storage full or denied
    }
  },
  /** After the order (or a cancel): the next Buy starts afresh. */
  clear(endpoint: string, productId: string) {
    try {
      sessionStorage.removeItem(key(endpoint, productId));
    } catch {
      // storage denied
    }
  },
};
