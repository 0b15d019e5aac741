import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import { directRunOf, NOT_WAITED_FOR, prepareOnPostgres } from './database.ts';
import type { Database, Db } from './schema.ts';

/** Stands for the value named `name` while a statement is compiled. */
class Slot {
  constructor(readonly name: string) {}
}

interface Compiled {
  sql: string;
  /** The statement's parameters: a fixed value, or the slot a call's value goes in. */
  parameters: readonly unknown[];
}

/**
 * A statement built with Kysely's query builder and compiled to SQL once per database, then run
 * with each call's values. Kysely builds a tree of operation nodes and compiles it to SQL every
 * time a query runs — on the checkout path that was a fifth of the endpoint's CPU, more than
 * SQLite's own work — though the SQL of a hot statement never changes, only its values.
 *
 * `build` gets, in place of each value of `values`, a stand-in that Kysely passes through as a
 * parameter; the SQL it compiles is kept per database (dialect), and each call fills the
 * parameters in. So `build` must put every value it uses in a value position (`where`, `values`,
 * `set`, a `sql` template's parameter) and must not branch on the values: what it builds is the
 * same for every call. Every call passes the same keys (an insert's columns are the keys of the
 * first row it was compiled with).
 *
 * On SQLite the statement runs on the connection itself, not through Kysely's executor, when the
 * connection is free or the caller's own transaction holds it (db/database.ts `DirectRun`); on
 * PostgreSQL it is a named prepared statement, parsed and planned once per connection
 * (`prepareOnPostgres`).
 */
export function prepared<P extends object, R>(
  build: (db: Kysely<Database>, values: P) => Compilable<R>,
  {
    waitForDisk = true,
  }: {
    /**
     * False for a write whose loss in a power cut is harmless (a rate limit's count, a claim on
     * an Idempotency-Key): on SQLite its caller is not made to wait for the disk (the group
     * commit, db/database.ts). The next write that is waited for makes it durable too — the WAL
     * is written in order — and, inside a transaction, the transaction's other writes do.
     */
    waitForDisk?: boolean;
  } = {},
): (db: Db, values: P) => Promise<QueryResult<R>> {
  // Keyed by the database's adapter, which its transactions share: one compile per dialect.
  const compiled = new WeakMap<object, Compiled>();
  return async (db, values) => {
    const adapter = db.getExecutor().adapter;
    let statement = compiled.get(adapter);
    if (!statement) {
      const slots = Object.fromEntries(Object.keys(values).map((k) => [k, new Slot(k)])) as P;
      const query = build(db, slots).compile();
      statement = {
        sql: waitForDisk ? query.sql : NOT_WAITED_FOR + query.sql,
        parameters: query.parameters,
      };
      compiled.set(adapter, statement);
      prepareOnPostgres(statement.sql);
    }
    const parameters = statement.parameters.map((p) => {
      if (!(p instanceof Slot)) return p;
      if (!(p.name in values)) throw new Error(`prepared statement: no value for ${p.name}`);
      return (values as Record<string, unknown>)[p.name];
    });
    const direct = directRunOf(adapter)?.(statement.sql, parameters, db.isTransaction);
    return (await (direct ??
      db.executeQuery(CompiledQuery.raw(statement.sql, parameters)))) as QueryResult<R>;
  };
}
