import { z } from '@hono/zod-openapi';

// Control characters (except tab/newline in long text) and unpaired surrogates are refused:
// they break receipts, CSV exports and shipping labels downstream. C1 controls (U+0080–U+009F:
// NEL, the 8-bit CSI terminal escape…) are control characters too.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * NFC-normalised, trimmed text checked by `checks`: no control characters (line breaks only
 * where `lineBreaks`), valid Unicode. The raw input may be up to twice `max` (spaces to trim,
 * decomposed letters to compose).
 */
const cleanText = (max: number, checks: z.ZodString, lineBreaks: boolean) =>
  z
    .string()
    .max(max * 2)
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      checks
        .max(max)
        .refine(
          (s) => !CONTROL.test(s) && (lineBreaks || !/[\r\n\t]/.test(s)),
          'must not contain control characters',
        )
        .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode'),
    );

/** A trimmed, NFC-normalised line of text without control characters. */
export const text = (max: number, min = 1) => cleanText(max, z.string().min(min), false);

/** Like {@link text} but allows line breaks (descriptions). */
export const longText = (max: number) => cleanText(max, z.string(), true);

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_"')
  .openapi({ example: 'tour-tee' });

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .openapi({ example: 'USD' });

export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')
  .openapi({ example: 'US' });

/** The largest amount the protocol carries, in minor units: 100 million major units. */
export const MAX_AMOUNT = 10_000_000_000;

/** Minor units (cents). Up to 100 million major units. */
export const Amount = z.number().int().min(0).max(MAX_AMOUNT);

export const Money = z
  .object({ amount: Amount, currency: CurrencyCode })
  .openapi('Money', { example: { amount: 2500, currency: 'USD' } });
export type Money = z.infer<typeof Money>;

export const HttpsUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((s) => !CONTROL.test(s), 'must not contain control characters')
  .openapi({ example: 'https://shop.example/tour-tee' });

export const Timestamp = z.string().openapi({ example: '2026-11-24T10:00:00.000Z' });

/** Stable error codes. Clients switch on these, never on `title` or `detail`. */
export const ErrorCode = z.enum([
  'validation_failed',
  'not_found',
  'out_of_stock',
  'variant_unavailable',
  'checkout_expired',
  'checkout_not_open',
  'payment_declined',
  'payment_failed',
  'invalid_signature',
  'idempotency_key_required',
  'idempotency_conflict',
  'idempotency_in_progress',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'origin_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'does_not_ship',
  'method_not_allowed',
  'link_expired',
  'webhook_url_forbidden',
  'internal_error',
  // the buyer's wallet (docs/wallet.md)
  'code_invalid',
  'code_expired',
  'too_many_attempts',
  'token_invalid',
  'already_linked',
  'mail_unavailable',
  'wallet_unavailable',
  // the seller's dashboard (docs/seller.md)
  'precondition_failed',
  'csrf_failed',
  'cross_origin_refused',
  'unsupported_image_type',
  // platform mode and refunds (docs/stripe.md)
  'seller_not_ready',
  'refund_too_large',
  'already_refunded',
  'refund_unavailable',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const FieldError = z.object({
  /** JSON pointer-ish path of the field, e.g. `shippingAddress.postalCode` */
  field: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details, with a stable `code`. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: ErrorCode,
    detail: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;
