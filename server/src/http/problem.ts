import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorCode, FieldError, Problem } from '../protocol/common.ts';

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
  internal_error: 'Something went wrong on our side',
};

/**
 * An error the API reports to the client as problem+json. Services throw these; the single
 * error handler turns them into responses. Anything else becomes a 500 that says nothing more.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? TITLES[code]);
    this.name = 'ProblemError';
  }

  toProblem(): Problem {
    return {
      type: `https://buy-in-post.dev/problems/${this.code.replaceAll('_', '-')}`,
      title: TITLES[this.code],
      status: this.status,
      code: this.code,
      ...(this.message !== TITLES[this.code] ? { detail: this.message } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

export const notFound = (what: string) => new ProblemError(404, 'not_found', `${what} not found`);

export function fieldErrorsFromZod(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
    code: i.code,
  }));
}

export function validationProblem(error: ZodError, prefix?: string): ProblemError {
  return new ProblemError(422, 'validation_failed', undefined, fieldErrorsFromZod(error, prefix));
}

export function problemResponse(c: Context, err: ProblemError): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (err.code === 'rate_limited' || err.code === 'idempotency_in_progress') {
    headers['Retry-After'] = String(err.extra.retryAfter ?? 1);
  }
  return c.newResponse(JSON.stringify(err.toProblem()), err.status, headers);
}
