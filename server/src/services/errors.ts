import type { ErrorCode, FieldError } from '../protocol/common.ts';

export interface ServiceErrorOptions {
  /** Per-field errors, for the form that sent the request. */
  errors?: FieldError[];
  /** More members for the client (`available`, `declineCode`, `retryAfter`…). */
  extra?: Record<string, unknown>;
  /**
   * The HTTP status, only where this call answers otherwise than its code usually does (a
   * malformed header is a 400 `validation_failed`, a body that fails its rules a 422).
   */
  status?: number;
}

/**
 * What a service throws when it refuses a request, in the protocol's terms: a stable `code` the
 * client switches on, a `detail` for people, per-field errors and extra members. It knows
 * nothing of HTTP — `http/problem.ts` maps it to problem+json with the status of its code.
 * Anything else thrown is a bug, answered with a 500 that says nothing more.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown>;
  readonly status: number | undefined;

  constructor(
    readonly code: ErrorCode,
    /** Said to the client; without it, the code's title is. */
    readonly detail?: string,
    options: ServiceErrorOptions = {},
  ) {
    super(detail ?? code);
    this.errors = options.errors;
    this.extra = options.extra ?? {};
    this.status = options.status;
  }
}

/** "<What> not found": an unknown id, or one that belongs to someone else (ids reveal nothing). */
export const notFound = (what: string) => new ServiceError('not_found', `${what} not found`);

/** A 422 `validation_failed` naming the fields at fault. */
export const invalid = (errors: FieldError[], detail?: string) =>
  new ServiceError('validation_failed', detail, { errors });
