/**
 * Change signals between server processes sharing one database, for what a process keeps in
 * memory (the product cache, services/product-cache.ts). A writer publishes a topic after its
 * write commits; every process's subscribers hear it. Nothing is stored: a signal says "what you
 * keep about this may be out of date", never what changed to.
 *
 * - PostgreSQL: `NOTIFY` on a channel named after the schema, heard on one `LISTEN` connection
 *   per process. Until that connection listens — at start, and after it drops until it is back —
 *   the feed says it is not live, and whoever relies on it must not trust what it keeps.
 * - SQLite: other processes on the file are seen through `PRAGMA data_version`, which changes
 *   when another connection commits; {@link ChangeFeed.poll} reads it (a few microseconds).
 *   Any commit elsewhere then reads as "everything may have changed".
 */
import type SQLite from 'better-sqlite3';
import type pg from 'pg';

export interface ChangeListener {
  /** `topic` may have changed; `null`: anything may have. */
  changed(topic: string | null): void;
  /** Whether changes by other processes are being heard (false: trust nothing kept). */
  live(live: boolean): void;
}

export interface ChangeFeed {
  /** Tells the other processes on this database that `topic` changed (after the write commits). */
  publish(topic: string): Promise<void>;
  /** Starts telling `listener`; returns the way to stop. */
  subscribe(listener: ChangeListener): () => void;
  /** Looks for changes no one pushes (SQLite); tells the listeners before it returns. */
  poll(): void;
  /**
   * Resolves once every change committed before the call has reached the listeners: SQLite
   * polls; PostgreSQL makes a round trip on the listening connection (see there).
   */
  sync(): Promise<void>;
  /** Whether changes by other processes are being heard right now. */
  readonly live: boolean;
  close(): Promise<void>;
}

/** SQLite: another connection's commits show in `data_version`; this process's own do not. */
export function sqliteChanges(db: SQLite.Database): ChangeFeed {
  const version = db.prepare('PRAGMA data_version').pluck();
  let seen = version.get();
  const listeners = new Set<ChangeListener>();
  return {
    live: true,
    // The other processes find out by polling; this one's listeners were told by the writer.
    publish: async () => {},
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poll() {
      if (listeners.size === 0 || !db.open) return;
      const now = version.get();
      if (now === seen) return;
      seen = now;
      for (const l of listeners) l.changed(null);
    },
    sync() {
      this.poll();
      return Promise.resolve();
    },
    close: async () => listeners.clear(),
  };
}

/** How long to wait before listening again after the connection dropped: 0.1 s, doubling to 5 s. */
const RETRY_MS = [100, 200, 400, 800, 1_600, 3_200, 5_000];

/**
 * PostgreSQL: one extra connection per process, opened on the first subscription, listens on
 * `bip_changes` (suffixed with the schema, so endpoints sharing a database in separate schemas
 * do not hear each other). Publishing goes through the pool (`query`).
 */
export function postgresChanges(opts: {
  client: () => pg.Client;
  schema: string | null;
  query: (text: string, values: unknown[]) => Promise<unknown>;
  onError?: (err: unknown) => void;
}): ChangeFeed {
  const channel = opts.schema ? `bip_changes.${opts.schema}` : 'bip_changes';
  const listeners = new Set<ChangeListener>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | null = null;
  /** The round trip on its way (sync), and the one that waits for it to return. */
  let inFlight: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const setLive = (value: boolean) => {
    if (live === value) return;
    live = value;
    for (const l of listeners) l.live(value);
  };

  const connect = async () => {
    retry = null;
    if (closed) return;
    const c = opts.client();
    client = c;
    const lost = (err?: unknown) => {
      if (client !== c) return;
      client = null;
      setLive(false);
      if (err) opts.onError?.(err);
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(connect, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel !== channel) return;
      for (const l of listeners) l.changed(n.payload || null);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
    } catch (err) {
      lost(err);
      return;
    }
    if (client !== c || closed) return;
    attempt = 0;
    // What was kept while no one listened may be out of date.
    for (const l of listeners) l.changed(null);
    setLive(true);
  };

  const roundTrip = (): Promise<void> => {
    const c = client;
    // Not listening: whoever keeps things keeps nothing meanwhile (live is false).
    if (!c || !live) return Promise.resolve();
    // A failed query is a lost connection, which `lost` handles (and live goes false).
    const trip: Promise<void> = c
      .query('select 1')
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        if (inFlight === trip) inFlight = null;
      });
    inFlight = trip;
    return trip;
  };

  return {
    get live() {
      return live;
    },
    async publish(topic) {
      await opts.query('select pg_notify($1, $2)', [channel, topic]);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!client && !retry && !closed) void connect();
      return () => listeners.delete(listener);
    },
    poll() {},
    // A NOTIFY reaches the other processes a moment after the writer's commit — later still on a
    // loaded machine — so a look-up on another process right after a seller's answer could be
    // served what that process kept. A query on the listening connection closes the gap: the
    // writer's commit signalled this connection's backend before the writer heard back, and a
    // backend sends the notifications it holds ahead of its next answer, which node-pg reads in
    // order. So when `select 1` returns, every change committed before the call has been heard.
    // Callers at the same moment share one round trip, as long as it left after they called.
    sync() {
      if (!inFlight) return roundTrip();
      queued ??= inFlight.then(() => {
        queued = null;
        return roundTrip();
      });
      return queued;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      setLive(false);
      listeners.clear();
      await c?.end().catch(() => {});
    },
  };
}
