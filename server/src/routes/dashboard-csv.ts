import type { Order } from '../protocol/seller.ts';
import type { OrderFilter, OrderService } from '../services/orders.ts';

/** The most rows one export holds; a filter (dates) narrows a larger shop's export. */
export const CSV_MAX_ROWS = 10_000;

const COLUMNS = [
  'number',
  'created_at',
  'status',
  'product',
  'options',
  'quantity',
  'currency',
  'unit_price',
  'subtotal',
  'shipping',
  'tax',
  'total',
  'email',
  'name',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country',
  'post_ref',
  'carrier',
  'tracking_number',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break. A field a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`:
 * titles, names and addresses are typed by buyers and sellers (CSV injection, OWASP).
 */
export function csvField(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Minor units as the major-unit decimal a spreadsheet reads (2500 → 25.00; JPY 500 → 500). */
function major(amount: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return (amount / 10 ** digits).toFixed(digits);
}

function row(o: Order): string {
  const a = o.shippingAddress;
  const last = o.fulfillments.at(-1);
  const currency = o.total.currency;
  const options = Object.entries(o.variantOptions)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  return [
    o.number,
    o.createdAt,
    o.status,
    o.productTitle,
    options,
    o.quantity,
    currency,
    major(o.unitPrice.amount, currency),
    major(o.subtotal.amount, currency),
    major(o.shipping.amount, currency),
    major(o.tax.amount, currency),
    major(o.total.amount, currency),
    o.email,
    a?.name,
    a?.line1,
    a?.line2,
    a?.city,
    a?.region,
    a?.postalCode,
    a?.country,
    o.postRef,
    last?.carrier,
    last?.trackingNumber,
  ]
    .map(csvField)
    .join(',');
}

/** The seller's orders the filter selects, newest first, as CSV with a header line. */
export async function ordersCsv(
  orders: OrderService,
  sellerId: string,
  filter: Omit<OrderFilter, 'limit' | 'cursor'>,
): Promise<string> {
  const lines = [COLUMNS.join(',')];
  let cursor: string | undefined;
  do {
    const page = await orders.list(sellerId, {
      ...filter,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const o of page.orders) lines.push(row(o));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && lines.length <= CSV_MAX_ROWS);
  return `${lines.slice(0, CSV_MAX_ROWS + 1).join('\r\n')}\r\n`;
}
