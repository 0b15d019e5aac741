/**
 * What a checkout costs and where it goes: the pricing rules (pricing.ts) applied to the
 * seller's shipping zones and tax rates, and the destination a change leaves.
 */
import type { CheckoutRow, SellerRow } from '../../db/schema.ts';
import type {
  ShippingAddress,
  ShippingPreview,
  UpdateCheckoutBody,
} from '../../protocol/checkouts.ts';
import { MAX_AMOUNT } from '../../protocol/common.ts';
import type { ProductKind } from '../../protocol/products.ts';
import type { ShippingZone, TaxRate } from '../../protocol/seller.ts';
import { invalid, ServiceError } from '../errors.ts';
import { computeTotals, DoesNotShipError, type PriceResult } from '../pricing.ts';
import { parseAddress, parsePreview } from './presenter.ts';

/**
 * Where the order goes after a change. The latest of the two wins: a wallet's preview replaces
 * the address typed earlier (the buyer picked another in the wallet; its full form comes before
 * paying), and an address replaces a preview. Digital goods go nowhere.
 */
export function destination(current: CheckoutRow, body: UpdateCheckoutBody, kind: ProductKind) {
  let address: ShippingAddress | null = parseAddress(current.shipping_address);
  let preview: ShippingPreview | null = parsePreview(current.shipping_preview);
  if (body.shippingPreview !== undefined && kind === 'physical') {
    preview = body.shippingPreview;
    if (preview) address = null;
  }
  if (body.shippingAddress !== undefined && kind === 'physical') {
    address = body.shippingAddress;
    if (address) preview = null;
  }
  return { address, preview };
}

/** The totals, by the seller's zones and rates; a country it does not ship to is refused. */
export function price(
  seller: Pick<SellerRow, 'shipping_zones' | 'tax_rates'>,
  kind: ProductKind,
  unitPrice: number,
  quantity: number,
  to: { country: string } | null,
): PriceResult {
  let totals: PriceResult;
  try {
    totals = computeTotals({
      unitPrice,
      quantity,
      kind,
      country: to?.country ?? null,
      shippingZones: JSON.parse(seller.shipping_zones) as ShippingZone[],
      taxRates: JSON.parse(seller.tax_rates) as TaxRate[],
    });
  } catch (err) {
    if (!(err instanceof DoesNotShipError)) throw err;
    throw new ServiceError('does_not_ship', err.message, {
      errors: [
        { field: 'shippingAddress.country', message: `the seller does not ship to ${err.country}` },
      ],
    });
  }
  // Every amount of a checkout is a Money, which carries at most MAX_AMOUNT minor units.
  if (Math.max(totals.subtotal, totals.shipping ?? 0, totals.tax, totals.total) > MAX_AMOUNT)
    throw invalid(
      [{ field: 'quantity', message: 'the total would be more than one checkout can carry' }],
      'The total would be more than one checkout can carry (100,000,000 in major units); buy fewer',
    );
  return totals;
}
