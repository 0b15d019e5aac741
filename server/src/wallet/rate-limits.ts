import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { type Clock, iso } from '../util.ts';

export interface Limit {
  /** Units a window allows. */
  max: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters in the database, so a limit holds across every process sharing it
 * (several instances on one PostgreSQL), unlike an in-memory limiter.
 */
export class RateLimiter {
  constructor(private readonly clock: Clock) {}

  /**
   * Takes one unit from `bucket`'s current window. When the window is spent, writes nothing and
   * returns the seconds until it ends. Run it inside the caller's transaction, so a request that
   * fails later gives its unit back.
   */
  async take(db: Kysely<Database>, bucket: string, limit: Limit): Promise<number | null> {
    const now = this.clock.now().getTime();
    const windowMs = limit.windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    // One statement, atomic on both databases: insert the first unit, or add one while under
    // the limit. A spent window matches neither, so nothing is written and no row comes back.
    const taken = await db
      .insertInto('rate_limit_counters')
      .values({
        bucket,
        window_start: iso(new Date(start)),
        count: 1,
        expires_at: iso(new Date(start + windowMs)),
      })
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'window_start'])
          .doUpdateSet({ count: sql`rate_limit_counters.count + 1` })
          .where('rate_limit_counters.count', '<', limit.max),
      )
      .returning('count')
      .executeTakeFirst();
    return taken ? null : Math.max(1, Math.ceil((start + windowMs - now) / 1000));
  }

  /** Forgets windows that have ended. */
  async purge(db: Kysely<Database>): Promise<void> {
    await db
      .deleteFrom('rate_limit_counters')
      .where('expires_at', '<=', iso(this.clock.now()))
      .execute();
  }
}
