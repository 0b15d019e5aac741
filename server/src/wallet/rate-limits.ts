import { type Kysely, sql } from 'kysely';
import { prepared } from '../db/prepared.ts';
import type { Database } from '../db/schema.ts';
import { type Clock, iso } from '../util.ts';

export interface Limit {
  /** Units a window allows. */
  max: number;
  windowSeconds: number;
}

/**
 * Takes a unit, in one statement, atomic on both databases: inserts the first unit, or adds one
 * while under the limit. A spent window matches neither, so nothing is written and no row comes
 * back. Compiled once (db/prepared.ts): it runs before every checkout.
 */
const takeUnit = prepared(
  (db, v: { bucket: string; start: string; end: string; max: number }) =>
    db
      .insertInto('rate_limit_counters')
      .values({ bucket: v.bucket, window_start: v.start, count: 1, expires_at: v.end })
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'window_start'])
          .doUpdateSet({ count: sql`rate_limit_counters.count + 1` })
          .where('rate_limit_counters.count', '<', v.max),
      )
      .returning('count'),
  // A count lost in a power cut is harmless: its caller does not wait for the disk.
  { waitForDisk: false },
);

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
    const [taken] = (
      await takeUnit(db, {
        bucket,
        start: iso(new Date(start)),
        end: iso(new Date(start + windowMs)),
        max: limit.max,
      })
    ).rows;
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
