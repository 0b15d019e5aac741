import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { type Driver, Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type ChangeFeed, postgresChanges, sqliteChanges } from './changes.ts';
import type { Database } from './schema.ts';

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
 */
/**
 * Opens the database at `url`. `onIdleError` hears of a pooled PostgreSQL connection that ended
 * while idle (a restart, a failover, an operator's pg_terminate_backend): the pool drops it and
 * opens another on the next query. Without a listener, Node treats the pool's `error` event as
 * unhandled and the whole server exits.
 */
export function openDatabase(
  url: string,
  { onIdleError = () => {} }: { onIdleError?: (err: Error) => void } = {},
): Db {
  if (isPostgresUrl(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    // Money columns are bigint (migration 002), which pg returns as strings unless told
    // otherwise; every amount is far below 2^53, so plain numbers are exact.
    const types = new pg.TypeOverrides();
    types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
    const connection = {
      connectionString: parsed.toString(),
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    };
    const pool = new pg.Pool({ ...connection, max: 10 });
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
  // Durable commits: each one is on disk (the WAL synced) before it returns, so a power cut
  // cannot take back an order, a payment's record or an answer already given. Said explicitly:
  // better-sqlite3's build defaults a database that is already in WAL mode — every start but
  // the first — to NORMAL, which may lose the last commits on a power cut.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not left in free pages: an erased wallet must not
  // be recoverable from the file (docs/wallet.md).
  sqlite.pragma('secure_delete = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteRollbackSafeDialect(sqlite) });
  const changes = sqliteChanges(sqlite);
  return {
    kysely,
    dialect: 'sqlite',
    changes,
    close: async () => {
      await changes.close();
      await kysely.destroy();
    },
  };
}

/** Statements kept prepared; the SQL the endpoint runs is a few hundred distinct strings. */
const PREPARED_MAX = 500;

/**
 * The connection as Kysely sees it, with each statement prepared once: Kysely asks SQLite to
 * prepare every query it runs, and parsing and planning cost about as much as running the
 * query (a product look-up or a checkout runs a dozen). Safe to share: better-sqlite3 runs a
 * statement to completion before returning (nothing here iterates one lazily), and SQLite
 * prepares a statement again by itself when a migration changes the schema.
 */
function preparedOnce(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        // The oldest goes first: IN lists of every length make the only unbounded family.
        if (statements.size >= PREPARED_MAX) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

/**
 * SQLite ends a transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR, a trigger's
 * RAISE(ROLLBACK)); Kysely's rollback then fails with "cannot rollback - no transaction is
 * active", and that error replaces the one that broke the transaction — a full disk looked like
 * a bug in the code. A rollback is skipped when SQLite has already done it, so the error that
 * reaches the caller (and the log) is the real one.
 */
class SqliteRollbackSafeDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: preparedOnce(sqlite) });
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection) => {
      if (this.sqlite.inTransaction) await rollback(connection);
    };
    return driver;
  }
}
