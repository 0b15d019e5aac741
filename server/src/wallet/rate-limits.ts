import { type Kysely, sql } from 'kysely';
import { prepared } from '../db/prepared.ts';
import type { Database, Db } from '../db/schema.ts';
import { type Clock, iso } from '../util.ts';

export interface Limit {
  /** Units a window allows. */
  max: number;
  windowSeconds: number;
}

/**
 * Takes a unit, in one statement, atomic on both databases: inserts the first unit, or adds one
 * while under the limit. A spent window matches neither, so nothing is written and no row comes
 * back. Compiled once (db/prepared.ts): it runs for every checkout.
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

const countOf = prepared((db, v: { bucket: string; start: string }) =>
  db
    .selectFrom('rate_limit_counters')
    .select('count')
    .where('bucket', '=', v.bucket)
    .where('window_start', '=', v.start),
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
  async take(db: Db, bucket: string, limit: Limit): Promise<number | null> {
    const { start, end, wait } = this.window(limit);
    const [taken] = (await takeUnit(db, { bucket, start, end, max: limit.max })).rows;
    return taken ? null : wait;
  }

  /**
   * Whether `bucket`'s current window is spent, without taking anything (a read): the seconds
   * until it ends, or null while a unit is left.
   */
  async spent(db: Db, bucket: string, limit: Limit): Promise<number | null> {
    const { start, wait } = this.window(limit);
    const [row] = (await countOf(db, { bucket, start })).rows;
    return row && row.count >= limit.max ? wait : null;
  }

  /** The current window of `limit`: its bounds, and the seconds until it ends. */
  private window(limit: Limit) {
    const now = this.clock.now().getTime();
    const windowMs = limit.windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    return {
      start: iso(new Date(start)),
      end: iso(new Date(start + windowMs)),
      wait: Math.max(1, Math.ceil((start + windowMs - now) / 1000)),
    };
  }

  /** Forgets windows that have ended. */
  async purge(db: Kysely<Database>): Promise<void> {
    await db
      .deleteFrom('rate_limit_counters')
      .where('expires_at', '<=', iso(this.clock.now()))
      .execute();
  }
}

/**
 * One request's unit of a limit, taken by the transaction that writes what the request makes —
 * the count rides on that commit instead of one of its own — or, when no transaction took it (a
 * refusal, a replayed answer, a failure), after the request ({@link settle}). Either way every
 * request counts once. The transaction's take is the one that holds the limit under
 * concurrency: a route whose handler takes no unit in a transaction is limited only after the
 * fact, so give such a route an eager limit (take first) instead.
 */
export class DeferredUnit {
  private taken = false;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly bucket: string,
    private readonly limit: Limit,
    /** The refusal when the window is spent, given the seconds until it ends. */
    private readonly refuse: (wait: number) => Error,
  ) {}

  /**
   * Runs `work` in a transaction that takes the unit first: refused (`refuse`, and the
   * transaction rolled back) when the window is spent. The unit counts once it commits.
   */
  async transaction<T>(db: Kysely<Database>, work: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(async (trx) => {
      const wait = await this.limiter.take(trx, this.bucket, this.limit);
      if (wait) throw this.refuse(wait);
      return work(trx);
    });
    this.taken = true;
    return result;
  }

  /** After the request: takes the unit, unless a transaction did. */
  async settle(db: Db): Promise<void> {
    if (this.taken) return;
    this.taken = true;
    await this.limiter.take(db, this.bucket, this.limit);
  }
}
