import { clearSaved, readSaved, writeSaved } from '../internal/saved-checkout.ts';
import type { Contact, Selection } from './machine.ts';

/**
 * What survives closing the dialog or reloading the page: enough to resume the checkout. The
 * storage (key, format, the checkout id and token) is internal/saved-checkout.ts's; the entries
 * inside it — the reader's choice and contact — are the checkout's, checked here when read back.
 */
export interface Saved {
  checkoutId: string | null;
  clientToken: string | null;
  selection: Selection;
  contact: Contact;
}

type Entries = Pick<Saved, 'selection' | 'contact'>;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';

/** Another version of the element (or a hand) may have written the entry: trust only its shape. */
function entriesOf(v: unknown): Entries | null {
  if (!isRecord(v) || !isRecord(v.selection) || !isRecord(v.contact)) return null;
  const { selection, contact } = v;
  if (!isRecord(selection.options) || typeof selection.quantity !== 'number') return null;
  if (typeof contact.email !== 'string' || !isRecord(contact.address)) return null;
  return {
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

/** Per endpoint and product, in this tab. */
export const resumeStore = {
  load(endpoint: string, productId: string): Saved | null {
    const saved = readSaved(endpoint, productId);
    const entries = saved && entriesOf(saved.entries);
    if (!saved || !entries) return null;
    return { checkoutId: saved.checkoutId, clientToken: saved.clientToken, ...entries };
  },
  save(endpoint: string, productId: string, { checkoutId, clientToken, ...entries }: Saved) {
    writeSaved(endpoint, productId, { checkoutId, clientToken, entries });
  },
  /** After the order: the next Buy starts afresh. */
  clear: clearSaved,
};
