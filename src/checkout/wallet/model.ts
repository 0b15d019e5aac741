import type {
  BuyerConsent,
  BuyerWallet,
  Checkout,
  CheckoutBuyer,
  SavedAddress,
  SavedPaymentMethod,
} from '../../../server/src/protocol/index.ts';

/*
 * The buyer's wallet as the checkout sees it: the protocol's types (protocol/buyer.ts,
 * saved-details.ts) and pure helpers over them.
 */

export type {
  BuyerCodeRequested,
  BuyerSession,
  CheckoutBuyer,
} from '../../../server/src/protocol/index.ts';
export type { SavedAddress, SavedPaymentMethod };
export type Wallet = BuyerWallet;
export type Consent = BuyerConsent;

/** The wallet part of a checkout, or null (a guest's, or read without the buyer's session). */
export function buyerOf(checkout: Checkout | null): CheckoutBuyer | null {
  return checkout?.buyer ?? null;
}

/** A saved card as the checkout shows and pays with it: never more than brand and last four. */
export interface SavedCard {
  id: string;
  brand: string;
  last4: string;
}

export const savedCard = ({ id, brand, last4 }: SavedPaymentMethod): SavedCard => ({
  id,
  brand,
  last4,
});

/**
 * The saved address a checkout's address came from, if any. The wallet lists addresses masked
 * (the street's digits hidden, as the endpoint's maskStreet does), so this compares what both
 * show: name, masked street, city, country.
 */
export function savedAddressFor(
  addresses: readonly SavedAddress[],
  address: { name: string; line1: string; city: string; country: string } | null,
): SavedAddress | null {
  if (!address) return null;
  const masked = address.line1.replace(/\p{Nd}/gu, '•');
  return (
    addresses.find(
      (a) =>
        a.name === address.name &&
        a.line1 === masked &&
        a.city === address.city &&
        a.country === address.country,
    ) ?? null
  );
}
