import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../log.ts';
import { ServiceError } from '../services/errors.ts';
import { problemResponse } from './problem.ts';

/** Every unknown path answers a `not_found` problem. */
export const notFoundProblem: NotFoundHandler = (c) =>
  problemResponse(c, new ServiceError('not_found', `No route for ${c.req.method} ${c.req.path}`));

/**
 * The one error handler: a service's refusal becomes its problem, Hono's own 4xx (malformed
 * JSON and the like) a problem with a stable code, and anything else a 500 that says nothing
 * more — the cause is logged, never sent.
 */
export function errorProblem(log: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ServiceError) return problemResponse(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      if (err.status === 413 || err.status === 415) {
        const code = err.status === 413 ? 'payload_too_large' : 'unsupported_media_type';
        return problemResponse(c, new ServiceError(code));
      }
      const detail = err.message || 'The body is not valid JSON';
      return problemResponse(
        c,
        new ServiceError('validation_failed', detail, {
          status: 400,
          errors: [{ field: '(body)', message: detail }],
        }),
      );
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemResponse(c, new ServiceError('internal_error'));
  };
}
