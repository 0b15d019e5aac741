import type { Context, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../services/errors.ts';
import type { Clock } from '../util.ts';
import { RateLimiter } from '../wallet/rate-limits.ts';

/**
 * The rate limits of the public checkout calls, all in one place: what is counted, per what, for
 * how long. Counted per client ({@link clientKey}) in fixed one-minute windows kept in the
 * database, so a limit holds across every process sharing it — not once per process. Every
 * request counts, refused or not: a hoarder's failed attempts are attempts too.
 */
export function checkoutRateLimits(deps: {
  config: Pick<Config, 'checkoutRateLimit' | 'checkoutChangeRateLimit'>;
  db: Kysely<Database>;
  clock: Clock;
  clientKey: (c: Context) => string;
}) {
  const limiter = new RateLimiter(deps.clock);
  const limit = (what: string, max: number, detail: string): MiddlewareHandler => {
    return async (c, next) => {
      const wait = await limiter.take(deps.db, `checkout-${what}:${deps.clientKey(c)}`, {
        max,
        windowSeconds: 60,
      });
      if (wait) throw new ServiceError('rate_limited', detail, { extra: { retryAfter: wait } });
      return next();
    };
  };
  return {
    /** POST /checkouts: each takes units for up to the reservation's lifetime. */
    create: limit(
      'create',
      deps.config.checkoutRateLimit,
      'Too many checkouts from this address; wait a minute',
    ),
    /** PATCH /checkouts/{id}: each may take more units, or another variant's. */
    change: limit(
      'change',
      deps.config.checkoutChangeRateLimit,
      'Too many changes from this address; wait a minute',
    ),
  };
}
