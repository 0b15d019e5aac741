import type { CheckoutRow } from '../../db/schema.ts';
import type {
  Checkout,
  PaymentHandoff,
  ShippingAddress,
  ShippingPreview,
} from '../../protocol/checkouts.ts';
import type { ProductKind } from '../../protocol/products.ts';

/** What a checkout's answer needs beyond its row (looked up by the caller). */
export interface CheckoutFacts {
  kind: ProductKind;
  /** The element's payment handoff, from the provider. */
  payment: PaymentHandoff;
  /** The order, once paid, with its download link for digital goods. */
  order: {
    id: string;
    number: string;
    downloadUrl: string | null;
    /** Present once something was refunded (services/refunds.ts). */
    refundStatus?: 'partial' | 'full';
    amountRefunded?: { amount: number; currency: string };
  } | null;
}

export function parseAddress(json: string | null): ShippingAddress | null {
  return json ? (JSON.parse(json) as ShippingAddress) : null;
}

export function parsePreview(json: string | null): ShippingPreview | null {
  return json ? (JSON.parse(json) as ShippingPreview) : null;
}

/** The protocol's view of a checkout. Pure: no I/O, no clock. */
export function toCheckout(c: CheckoutRow, facts: CheckoutFacts): Checkout {
  const money = (amount: number) => ({ amount, currency: c.currency });
  const address = parseAddress(c.shipping_address);
  return {
    id: c.id,
    status: c.status,
    productId: c.product_id,
    variantId: c.variant_id,
    kind: facts.kind,
    quantity: c.quantity,
    unitPrice: money(c.subtotal / c.quantity),
    email: c.email,
    shareEmail: c.share_email === 1,
    shippingAddress: address,
    shippingPreview: parsePreview(c.shipping_preview),
    postRef: c.post_ref,
    totals: {
      subtotal: money(c.subtotal),
      shipping: c.shipping === null ? null : money(c.shipping),
      tax: money(c.tax),
      total: money(c.total),
    },
    readyToPay: c.status === 'open' && isReadyToPay(facts.kind, c),
    expiresAt: c.expires_at,
    payment: facts.payment,
    lastPaymentError: c.last_payment_error ? JSON.parse(c.last_payment_error) : null,
    order: facts.order,
  };
}

/** Everything needed to pay is known: the address, for physical goods. */
export function isReadyToPay(kind: ProductKind, c: Pick<CheckoutRow, 'shipping_address'>) {
  return kind === 'digital' || c.shipping_address !== null;
}
