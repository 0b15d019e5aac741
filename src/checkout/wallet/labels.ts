import { html, type TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { SavedAddress } from './model.ts';

/** Card brands as their owners write them (names: not translated). */
const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
};

export function brandName(brand: string): string {
  return Object.hasOwn(BRANDS, brand)
    ? BRANDS[brand]!
    : brand.replace(/^\w/, (c) => c.toUpperCase());
}

/**
 * A saved card as the reader recognises it: brand, last four digits (left to right even in
 * Arabic: digits read that way) and, when known, the expiry.
 */
export function renderCardName(
  card: { brand: string; last4: string; expMonth?: number | null; expYear?: number | null },
  i18n: I18n<Messages>,
): TemplateResult {
  const expiry =
    card.expMonth && card.expYear
      ? i18n.t.cardExpires(
          `${String(card.expMonth).padStart(2, '0')}/${String(card.expYear).slice(-2)}`,
        )
      : '';
  return html`${brandName(card.brand)} <span dir="ltr">•••• ${card.last4}</span>${expiry ? html` · ${expiry}` : ''}`;
}

/** The same, as plain text (an accessible name, an announcement). */
export function cardText(card: { brand: string; last4: string }): string {
  return `${brandName(card.brand)} •••• ${card.last4}`;
}

/** A saved address as one line: name, the masked street, city, country (in the reader's words). */
export function addressText(a: SavedAddress, i18n: I18n<Messages>): string {
  return [a.name, a.line1, a.city, i18n.country(a.country)].join(', ');
}
