import type { Context, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import { ServiceError } from '../services/errors.ts';
import type { Clock } from '../util.ts';
import { DeferredUnit, RateLimiter } from '../wallet/rate-limits.ts';

/**
 * The rate limits of the public checkout calls, all in one place: what is counted, per what, for
 * how long. Counted per client ({@link clientKey}) in fixed one-minute windows kept in the
 * database, so a limit holds across every process sharing it — not once per process. Every
 * request counts, refused or not: a hoarder's failed attempts are attempts too. A checkout's
 * unit is counted in the transaction that writes it (one commit, not two); a request that
 * writes none is counted after it.
 */
export function checkoutRateLimits(deps: {
  config: Pick<Config, 'checkoutRateLimit' | 'checkoutChangeRateLimit'>;
  db: Kysely<Database>;
  clock: Clock;
  clientKey: (c: Context) => string;
}) {
  const limiter = new RateLimiter(deps.clock);
  const limitOf = (max: number) => ({ max, windowSeconds: 60 });
  const refusal = (detail: string) => (wait: number) =>
    new ServiceError('rate_limited', detail, { extra: { retryAfter: wait } });
  /** Takes the request's unit before it runs. */
  const eager = (what: string, max: number, detail: string): MiddlewareHandler => {
    return async (c, next) => {
      const bucket = `checkout-${what}:${deps.clientKey(c)}`;
      const wait = await limiter.take(deps.db, bucket, limitOf(max));
      if (wait) throw refusal(detail)(wait);
      return next();
    };
  };
  /**
   * Refuses a request whose window is already spent (a read), and leaves its unit to the
   * transaction that writes what it makes ({@link rateUnitOf}), or to the end of the request.
   */
  const deferred = (what: string, max: number, detail: string): MiddlewareHandler => {
    return async (c, next) => {
      const bucket = `checkout-${what}:${deps.clientKey(c)}`;
      const limit = limitOf(max);
      const wait = await limiter.spent(deps.db, bucket, limit);
      if (wait) throw refusal(detail)(wait);
      const unit = new DeferredUnit(limiter, bucket, limit, refusal(detail));
      units.set(c.req.raw, unit);
      try {
        await next();
      } finally {
        await unit.settle(deps.db);
      }
    };
  };
  return {
    /**
     * POST /checkouts: each takes units for up to the reservation's lifetime. Its unit is taken
     * by the transaction that writes the checkout (handlers pass {@link rateUnitOf} on).
     */
    create: deferred(
      'create',
      deps.config.checkoutRateLimit,
      'Too many checkouts from this address; wait a minute',
    ),
    /** PATCH /checkouts/{id}: each may take more units, or another variant's. */
    change: eager(
      'change',
      deps.config.checkoutChangeRateLimit,
      'Too many changes from this address; wait a minute',
    ),
  };
}

const units = new WeakMap<Request, DeferredUnit>();

/** The request's unit of a deferred limit, for the transaction that writes what it makes. */
export function rateUnitOf(c: Context): DeferredUnit | undefined {
  return units.get(c.req.raw);
}
