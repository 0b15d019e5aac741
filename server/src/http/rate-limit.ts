import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from '../config.ts';
import { ServiceError } from '../services/errors.ts';

/**
 * The rate limits of the public protocol, all in one place: what is counted, per what, for how
 * long. Counts are kept in this process's memory.
 */
export function checkoutRateLimit(
  config: Pick<Config, 'checkoutRateLimit'>,
  clientIp: (c: Context) => string,
): MiddlewareHandler {
  return rateLimiter({
    windowMs: 60_000,
    limit: config.checkoutRateLimit,
    standardHeaders: 'draft-7',
    keyGenerator: clientIp,
    handler: () => {
      throw new ServiceError(
        'rate_limited',
        'Too many checkouts from this address; wait a minute',
        {
          extra: { retryAfter: 60 },
        },
      );
    },
  });
}
