import { closeSync, fsync, mkdirSync, open } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresDialect,
  type QueryResult,
  type SqliteDatabase,
  SqliteDialect,
} from 'kysely';
import pg from 'pg';
import { type ChangeFeed, postgresChanges, sqliteChanges } from './changes.ts';
import type { Database } from './schema.ts';

const openFile = promisify(open);
const fsyncFile = promisify(fsync);

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** What other processes on this database change, for what a process keeps in memory. */
  changes: ChangeFeed;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens the database named by `url`: a `postgres://` URL (an optional `schema` query
 * parameter sets the search_path, so tests and tenants can share one server) or a SQLite file.
 * `onIdleError` hears of a pooled PostgreSQL connection that ended while idle (a restart, a
 * failover, an operator's pg_terminate_backend): the pool drops it and opens another on the next
 * query. Without a listener, Node treats the pool's `error` event as unhandled and the whole
 * server exits. `onCheckpointError` hears of a SQLite checkpoint that failed on its worker
 * thread ({@link Checkpoints}), or of the worker stopping.
 */
export function openDatabase(
  url: string,
  {
    onIdleError = () => {},
    onCheckpointError = (err) => process.emitWarning(`SQLite checkpoints: ${err.message}`),
    syncWal = fsyncFile,
    checkpointWorker = new URL('./checkpoints.worker.js', import.meta.url),
  }: {
    onIdleError?: (err: Error) => void;
    onCheckpointError?: (err: Error) => void;
    /** How SQLite's WAL file is synced to disk (tests watch it); fsync(2) by default. */
    syncWal?: (fd: number) => Promise<void>;
    /** The checkpoint worker's script (tests give one that stops). */
    checkpointWorker?: URL;
  } = {},
): Db {
  if (isPostgresUrl(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    const prepare = parsed.searchParams.get('prepare') !== 'false';
    parsed.searchParams.delete('prepare');
    // Money columns are bigint (migration 002), which pg returns as strings unless told
    // otherwise; every amount is far below 2^53, so plain numbers are exact.
    const types = new pg.TypeOverrides();
    types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
    const connection = {
      connectionString: parsed.toString(),
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    };
    const pool = new pg.Pool({
      ...connection,
      max: 10,
      ...(prepare ? { Client: PreparingClient } : {}),
    });
    pool.on('error', onIdleError);
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const changes = postgresChanges({
      // Named after its channel, so an operator (or a test) finds it in pg_stat_activity.
      client: () =>
        new pg.Client({
          ...connection,
          keepAlive: true,
          application_name: schema ? `bip_changes.${schema}` : 'bip_changes',
        }),
      schema,
      query: (text, values) => pool.query(text, values),
    });
    return {
      kysely,
      dialect: 'postgres',
      changes,
      close: async () => {
        await changes.close();
        await kysely.destroy();
      },
    };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers proceed while a writer commits; busy_timeout makes a second process
  // sharing the file wait for the lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  // Durable commits: each one is on disk before its caller hears of it, so a power cut cannot
  // take back an order, a payment's record or an answer already given. SQLite itself does not
  // wait for the disk (NORMAL: a commit is appended to the WAL); WalSync makes the caller wait
  // for an fsync of the WAL instead, off the event loop and shared by the commits of the moment
  // (group commit). Said explicitly either way: better-sqlite3's build gives a file already in
  // WAL mode — every start but the first — NORMAL, and a new one FULL.
  const wal = file === ':memory:' ? null : new WalSync(`${file}-wal`, syncWal);
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not left in free pages: an erased wallet must not
  // be recoverable from the file (docs/wallet.md).
  sqlite.pragma('secure_delete = ON');
  // Checkpoints run on a thread of their own (Checkpoints), not inside this thread's commits.
  const checkpoints = wal
    ? new Checkpoints(sqlite, file, checkpointWorker, onCheckpointError)
    : null;
  const kysely = new Kysely<Database>({ dialect: new SqliteRollbackSafeDialect(sqlite, wal) });
  const changes = sqliteChanges(sqlite);
  return {
    kysely,
    dialect: 'sqlite',
    changes,
    close: async () => {
      await changes.close();
      // The checkpointer's connection closes first: the last one to close copies what is left
      // of the WAL into the database and deletes it.
      await checkpoints?.close();
      await kysely.destroy();
      wal?.close();
    },
  };
}

/** The names of statements worth preparing on PostgreSQL (db/prepared.ts), by their SQL. */
const statementNames = new Map<string, string>();
/** Bumped when a prepared statement went stale: every name changes, so each is parsed again. */
let statementGeneration = 0;

/**
 * Marks `sql` as run often (db/prepared.ts): on PostgreSQL each connection parses and plans it
 * once, as a named prepared statement, and then only binds values — twice the throughput of a
 * join like the checkout's product read, measured against the same query sent unnamed.
 */
export function prepareOnPostgres(sql: string) {
  if (!statementNames.has(sql)) statementNames.set(sql, `bip_${statementNames.size + 1}`);
}

/**
 * A PostgreSQL connection that runs the statements of {@link prepareOnPostgres} as named
 * prepared statements. A prepared `SELECT *` goes stale when a migration changes its table
 * ("cached plan must not change result type"), as it may while an older process still runs
 * beside a newer one: every name then changes, so each statement is parsed again, and the query
 * is sent again at once unless it was inside a transaction (which PostgreSQL has aborted: that
 * caller gets the error). `?prepare=false` on the URL turns this off (a pooler in transaction
 * mode without prepared-statement support, such as PgBouncer before 1.21).
 */
class PreparingClient extends pg.Client {
  private inTransaction = false;

  // biome-ignore lint/suspicious/noExplicitAny: pg.Client's query has a dozen overloads.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string') {
      const name = Array.isArray(values) && !callback ? statementNames.get(config) : undefined;
      if (name) return this.named(name, config, values);
      if (config === 'begin' || config.startsWith('start transaction')) this.inTransaction = true;
      else if (config === 'commit' || config === 'rollback') this.inTransaction = false;
    }
    return super.query(config, values, callback);
  }

  private async named(name: string, text: string, values: unknown[]) {
    const generation = statementGeneration;
    try {
      return await super.query({ name: `${name}_${generation}`, text, values });
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      if (statementGeneration === generation) statementGeneration++;
      if (this.inTransaction) throw err;
      return super.query({ name: `${name}_${statementGeneration}`, text, values });
    }
  }
}

/** A prepared statement PostgreSQL can no longer run as parsed (its table changed, or it is gone). */
function isStalePlan(err: unknown): boolean {
  const { code, routine } = (err ?? {}) as { code?: string; routine?: string };
  // 0A000 from RevalidateCachedQuery: "cached plan must not change result type".
  // 26000, invalid_sql_statement_name: not prepared on this connection.
  return (code === '0A000' && routine === 'RevalidateCachedQuery') || code === '26000';
}

/**
 * Starts the SQL of a write whose caller need not wait for the disk (db/prepared.ts
 * `waitForDisk: false`): a comment, so the statement means the same to either database.
 */
export const NOT_WAITED_FOR = '/* not waited for */ ';

/** Statements kept prepared; the SQL the endpoint runs is a few hundred distinct strings. */
const PREPARED_MAX = 500;

/**
 * The connection as Kysely sees it, with each statement prepared once: Kysely asks SQLite to
 * prepare every query it runs, and parsing and planning cost about as much as running the
 * query (a product look-up or a checkout runs a dozen). Safe to share: better-sqlite3 runs a
 * statement to completion before returning (nothing here iterates one lazily), and SQLite
 * prepares a statement again by itself when a migration changes the schema.
 */
function preparedOnce(
  sqlite: SQLite.Database,
  onWrite: () => void,
): SqliteDatabase & { statement(sql: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  const statement = (sql: string) => {
    let found = statements.get(sql);
    if (!found) {
      found = sqlite.prepare(sql);
      // The oldest goes first: IN lists of every length make the only unbounded family.
      if (statements.size >= PREPARED_MAX) statements.delete(statements.keys().next().value!);
      statements.set(sql, found);
    }
    return found;
  };
  return {
    statement,
    prepare(sql) {
      const found = statement(sql);
      // Kysely prepares each statement just before running it: one that may write is about to.
      if (waitsForDisk(found, sql)) onWrite();
      return found;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

/** Whether a statement may write something its caller must wait to see on disk. */
function waitsForDisk(statement: SQLite.Statement, sql: string): boolean {
  return !statement.readonly && !sql.startsWith(NOT_WAITED_FOR);
}

/**
 * Runs one compiled statement on SQLite without Kysely's executor (db/prepared.ts): a query
 * through Kysely costs ~7 µs over SQLite's own work (its connection mutex, its promise chain,
 * the result's copy) and a checkout runs a dozen. `ours` says the caller holds the connection (a
 * transaction of its own); otherwise the statement runs now only if no transaction is open —
 * better-sqlite3 runs it to completion before returning, so it is as if it had waited its turn
 * for the connection and run alone — and `null` means it must go through Kysely and wait. A
 * write waits for the disk as Kysely's path does (the group commit): at once for a statement on
 * its own, at the transaction's end for one inside it.
 */
export type DirectRun = (
  sql: string,
  parameters: readonly unknown[],
  ours: boolean,
) => Promise<QueryResult<unknown>> | null;

const directRuns = new WeakMap<object, DirectRun>();

/** The direct way to run statements on the database of `adapter` (a Kysely's), if it has one. */
export function directRunOf(adapter: object): DirectRun | undefined {
  return directRuns.get(adapter);
}

/**
 * SQLite ends a transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR, a trigger's
 * RAISE(ROLLBACK)); Kysely's rollback then fails with "cannot rollback - no transaction is
 * active", and that error replaces the one that broke the transaction — a full disk looked like
 * a bug in the code. A rollback is skipped when SQLite has already done it, so the error that
 * reaches the caller (and the log) is the real one.
 *
 * It also makes a caller that wrote wait, once the connection is free for others, until its
 * commit is on disk ({@link WalSync}).
 */
class SqliteRollbackSafeDialect extends SqliteDialect {
  private written = false;

  private readonly statements: ReturnType<typeof preparedOnce>;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly wal: WalSync | null,
  ) {
    const statements = preparedOnce(sqlite, () => (this.written = true));
    super({ database: statements });
    this.statements = statements;
  }

  override createAdapter(): DialectAdapter {
    const adapter = super.createAdapter();
    directRuns.set(adapter, (sql, parameters, ours) => {
      if (!ours && this.sqlite.inTransaction) return null;
      let result: QueryResult<unknown>;
      let wrote = false;
      try {
        const statement = this.statements.statement(sql);
        wrote = waitsForDisk(statement, sql);
        if (statement.reader) result = { rows: statement.all(parameters) };
        else {
          const { changes, lastInsertRowid } = statement.run(parameters);
          result = {
            numAffectedRows: BigInt(changes),
            insertId: BigInt(lastInsertRowid),
            rows: [],
          };
        }
      } catch (err) {
        return Promise.reject(err);
      }
      if (!wrote || !this.wal) return Promise.resolve(result);
      if (ours && this.sqlite.inTransaction) {
        this.written = true; // the transaction's release waits for the disk
        return Promise.resolve(result);
      }
      return this.wal.durable().then(() => result);
    });
    return adapter;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection) => {
      if (this.sqlite.inTransaction) await rollback(connection);
    };
    const release = driver.releaseConnection.bind(driver);
    driver.releaseConnection = async (connection) => {
      await release(connection);
      if (!this.wal || !this.written || this.sqlite.inTransaction) return;
      this.written = false;
      await this.wal.durable();
    };
    return driver;
  }
}

/**
 * SQLite's checkpoints, mostly on a worker thread (checkpoints.worker.js). SQLite runs one inside
 * the commit that crosses `wal_autocheckpoint` pages of WAL (1,000 by default): it copies them
 * into the database and syncs the WAL and the database — milliseconds on the event loop, during
 * which no request moves, every few dozen checkouts. The worker copies them every 200 ms instead,
 * checkpointing again until one finds nothing new (what landed during the one before), and once
 * it has copied everything, this connection's next write starts the WAL over. Under writes that
 * never pause for a millisecond it cannot catch up; this connection then checkpoints at 8,192
 * pages (32 MB of WAL) — the rest of the WAL already copied — which lets its next write start the
 * WAL over. Should the worker stop, this connection checkpoints as SQLite does by default.
 */
class Checkpoints {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private closing = false;
  private stopped = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    file: string,
    script: URL,
    onError: (err: Error) => void,
  ) {
    sqlite.pragma('wal_autocheckpoint = 8192');
    this.worker = new Worker(script, { workerData: { file, intervalMs: 200 } });
    // Its failure must not take the server down, nor the worker keep the process alive (unref
    // after the listeners: adding a message listener refs the worker's port again).
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error) onError(new Error(`a checkpoint failed: ${m.error}`));
    });
    // Stopped by an error, or gone without one (ended, terminated): either way, not by close().
    const stop = (why: string) => {
      if (this.closing || this.stopped) return;
      this.stopped = true;
      this.fallBack();
      onError(new Error(`the checkpoint worker stopped (the server checkpoints itself): ${why}`));
    };
    this.worker.on('error', (err) => stop(err.message));
    this.worker.unref();
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        stop(`it exited with code ${code}`);
        resolve();
      }),
    );
  }

  private fallBack() {
    if (this.sqlite.open) this.sqlite.pragma('wal_autocheckpoint = 1000');
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.stopped) return;
    this.worker.ref(); // kept alive until it has closed its connection
    this.worker.postMessage('close');
    await this.exited;
  }
}

/**
 * Group commit for SQLite. Commits run with `synchronous = NORMAL` — SQLite appends them to the
 * WAL without waiting for the disk — and whoever made one is answered (its query or transaction
 * resolves) only once an fsync of the WAL file that began after the commit has finished. That
 * is FULL's promise — what a caller was told is committed is on disk — with two differences:
 * the fsync runs on libuv's thread pool instead of blocking the event loop (better-sqlite3 is
 * synchronous), and one fsync covers every commit made before it began, so under load many
 * commits share each one (the connection is free for others while a caller waits).
 *
 * Why it holds: fsync(2) writes out every dirty page of the file, whichever descriptor wrote
 * it; SQLite recovers a WAL up to its last intact commit frame; a checkpoint (in NORMAL too)
 * syncs the WAL before copying it into the database and the database after, before the WAL is
 * reused. The WAL file lives as long as a connection is open (SQLite deletes it only when the
 * last one closes), so the descriptor kept here stays the file's. What it does not cover: a
 * read may see a commit a few hundred microseconds before it is on disk.
 */
class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly sync: (fd: number) => Promise<void>,
  ) {}

  /** Resolves once everything committed before the call is on disk. */
  durable(): Promise<void> {
    if (!this.running) return this.start();
    // The fsync in flight may have begun before this commit: wait for the one after it.
    this.next ??= this.running.then(
      () => this.afterRunning(),
      () => this.afterRunning(),
    );
    return this.next;
  }

  private afterRunning(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const run = (async () => {
      this.fd ??= await openFile(this.path, 'r+');
      await this.sync(this.fd);
    })();
    this.running = run;
    const done = () => {
      if (this.running === run) this.running = null;
    };
    run.then(done, done);
    return run;
  }

  close() {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
