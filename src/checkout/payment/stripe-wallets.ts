import type {
  StripeElements,
  StripeExpressCheckoutElement,
  StripeExpressCheckoutElementConfirmEvent,
} from '@stripe/stripe-js';
import type { Checkout } from '../../internal/types.ts';
import type { PaymentContext } from './types.ts';

/** What the wallet buttons need of the Stripe adapter that mounts them. */
export interface WalletBridge {
  /** The payment step's context as last rendered (the checkout, the product, the strings). */
  context(): PaymentContext | null;
  /** Whether the device offers a wallet (the form then says "or pay by card"). */
  offered(yes: boolean): void;
  /** The wallet's sheet waiting for the outcome of its payment (null: no longer). */
  confirming(event: StripeExpressCheckoutElementConfirmEvent | null): void;
}

/**
 * Apple Pay, Google Pay, Link — only where the device offers one. The wallet's sheet asks
 * for the address; its partial address prices shipping through the endpoint before the
 * reader authorises, and the full one is saved on the checkout before paying.
 */
export function mountWallets(
  elements: StripeElements,
  node: HTMLElement,
  bridge: WalletBridge,
): StripeExpressCheckoutElement {
  const express = elements.create('expressCheckout', {
    buttonHeight: 44,
    paymentMethods: { applePay: 'auto', googlePay: 'auto', link: 'auto' },
  });
  const physical = () => bridge.context()?.checkout.kind === 'physical';
  // What the wallet's sheet lists; with the shipping rate they add up to the total.
  const lines = (c: Checkout) => {
    const title = bridge.context()?.product.title ?? '';
    const tax = bridge.context()?.i18n.t.tax ?? 'Tax';
    return [
      {
        name: c.quantity > 1 ? `${title} × ${c.quantity}` : title,
        amount: c.totals.subtotal.amount,
      },
      ...(c.totals.tax.amount ? [{ name: tax, amount: c.totals.tax.amount }] : []),
    ];
  };
  const rates = (c: Checkout) => [
    {
      id: 'standard',
      displayName: bridge.context()?.i18n.t.shipping ?? 'Shipping',
      amount: c.totals.shipping?.amount ?? 0,
    },
  ];
  express.on('ready', ({ availablePaymentMethods }) => {
    bridge.offered(
      !!availablePaymentMethods && Object.values(availablePaymentMethods).some(Boolean),
    );
  });
  express.on('click', (event) => {
    const ctx = bridge.context();
    if (!ctx || ctx.busy) return;
    const c = ctx.checkout;
    event.resolve({
      emailRequired: true,
      lineItems: lines(c),
      ...(physical()
        ? {
            shippingAddressRequired: true,
            allowedShippingCountries: [...ctx.product.shipsTo],
            shippingRates: rates(c),
          }
        : {}),
    });
  });
  express.on('cancel', async () => {
    // The sheet closed before paying: the wallet's address priced the checkout meanwhile;
    // put back the one typed in the shipping step, so paying by card is as it was.
    const ctx = bridge.context();
    if (!ctx?.checkout.shippingPreview || !ctx.typedAddress) return;
    await ctx.update({ shippingAddress: ctx.typedAddress }).catch(() => {});
  });
  express.on('shippingaddresschange', async (event) => {
    const ctx = bridge.context();
    if (!ctx) return event.reject();
    const a = event.address;
    try {
      const c = await ctx.update({
        shippingPreview: {
          country: a.country,
          ...(a.state ? { region: a.state } : {}),
          ...(a.city ? { city: a.city } : {}),
          ...(a.postal_code ? { postalCode: a.postal_code } : {}),
        },
      });
      await elements.fetchUpdates();
      event.resolve({ lineItems: lines(c), shippingRates: rates(c) });
    } catch {
      event.reject(); // the seller does not ship there: the sheet says so
    }
  });
  express.on('confirm', async (event) => {
    const ctx = bridge.context();
    if (!ctx) return event.paymentFailed({ reason: 'fail' });
    bridge.confirming(event);
    try {
      const s = event.shippingAddress;
      const email = event.billingDetails?.email;
      await ctx.update({
        ...(email ? { email } : {}),
        ...(s && physical()
          ? {
              shippingAddress: {
                name: s.name,
                line1: s.address.line1,
                ...(s.address.line2 ? { line2: s.address.line2 } : {}),
                city: s.address.city,
                ...(s.address.state ? { region: s.address.state } : {}),
                ...(s.address.postal_code ? { postalCode: s.address.postal_code } : {}),
                country: s.address.country,
              },
            }
          : {}),
      });
      ctx.payNow({ provider: 'stripe', wallet: event.expressPaymentType });
    } catch {
      bridge.confirming(null);
      event.paymentFailed({ reason: 'invalid_shipping_address' });
    }
  });
  express.mount(node);
  return express;
}
