import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorCode, FieldError, Problem } from '../protocol/common.ts';
import { ServiceError } from '../services/errors.ts';

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  not_found: 'Not found',
  out_of_stock: 'Not enough stock',
  variant_unavailable: 'This option is not available',
  checkout_expired: 'The checkout has expired',
  checkout_not_open: 'The checkout can no longer be changed',
  payment_declined: 'The payment was declined',
  payment_failed: 'The payment could not be completed',
  invalid_signature: 'The signature does not match the body',
  idempotency_key_required: 'An Idempotency-Key header is required',
  idempotency_conflict: 'This Idempotency-Key was used with a different request',
  idempotency_in_progress: 'A request with this Idempotency-Key is still in progress',
  rate_limited: 'Too many requests',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  origin_not_allowed: 'This site may not sell this product',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Send JSON',
  does_not_ship: 'The seller does not ship to this country',
  method_not_allowed: 'Method not allowed',
  link_expired: 'This link has expired',
  webhook_url_forbidden: 'Webhooks may not be sent to this address',
  internal_error: 'Something went wrong on our side',
  code_invalid: 'The code is not valid',
  code_expired: 'The code has expired',
  too_many_attempts: 'Too many wrong codes',
  token_invalid: 'The buyer token was refused',
  already_linked: 'This sign-in belongs to another wallet',
  mail_unavailable: 'The code could not be mailed',
  wallet_unavailable: 'Saved details are not available',
  precondition_failed: 'Someone changed this first',
  csrf_failed: 'The CSRF token is missing or wrong',
  cross_origin_refused: 'Dashboard sessions are not accepted from another site',
  unsupported_image_type: 'Not an image this endpoint accepts',
  seller_not_ready: 'This seller cannot take payments yet',
  refund_too_large: 'More than is left to refund',
  already_refunded: 'Already refunded in full',
  refund_unavailable: 'This order cannot be refunded here',
};

/** The HTTP status each code answers with (a {@link ServiceError} may say otherwise). */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  validation_failed: 422,
  not_found: 404,
  out_of_stock: 409,
  variant_unavailable: 422,
  checkout_expired: 410,
  checkout_not_open: 409,
  payment_declined: 402,
  payment_failed: 502,
  invalid_signature: 400,
  idempotency_key_required: 400,
  idempotency_conflict: 422,
  idempotency_in_progress: 409,
  rate_limited: 429,
  unauthorized: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  does_not_ship: 422,
  method_not_allowed: 405,
  link_expired: 410,
  webhook_url_forbidden: 422,
  internal_error: 500,
  code_invalid: 401,
  code_expired: 410,
  too_many_attempts: 429,
  token_invalid: 401,
  already_linked: 409,
  mail_unavailable: 503,
  wallet_unavailable: 503,
  precondition_failed: 412,
  csrf_failed: 403,
  cross_origin_refused: 403,
  unsupported_image_type: 415,
  seller_not_ready: 409,
  refund_too_large: 422,
  already_refunded: 409,
  refund_unavailable: 409,
};

export function statusOf(err: ServiceError): ContentfulStatusCode {
  return (err.status ?? STATUS[err.code]) as ContentfulStatusCode;
}

/** RFC 9457 problem details for a service error. */
export function toProblem(err: ServiceError): Problem {
  const title = TITLES[err.code];
  return {
    type: `https://buy-in-post.dev/problems/${err.code.replaceAll('_', '-')}`,
    title,
    status: statusOf(err),
    code: err.code,
    ...(err.detail !== undefined && err.detail !== title ? { detail: err.detail } : {}),
    ...(err.errors?.length ? { errors: err.errors } : {}),
    ...err.extra,
  };
}

export function fieldErrorsFromZod(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
    code: i.code,
  }));
}

export function validationProblem(error: ZodError, prefix?: string): ServiceError {
  return new ServiceError('validation_failed', undefined, {
    errors: fieldErrorsFromZod(error, prefix),
  });
}

export function problemResponse(c: Context, err: ServiceError): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (err.code === 'rate_limited' || err.code === 'idempotency_in_progress') {
    headers['Retry-After'] = String(err.extra.retryAfter ?? 1);
  }
  return c.newResponse(JSON.stringify(toProblem(err)), statusOf(err), headers);
}
