/**
 * Statements compiled once (db/prepared.ts): each call runs the same SQL with its own values,
 * on both databases, inside and outside transactions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { prepared } from '../src/db/prepared.ts';
import { dialects, freshDatabaseUrl } from './helpers/server.ts';

for (const dialect of dialects()) {
  describe(`prepared statements (${dialect.name})`, { skip: dialect.skip }, () => {
    test('compiles once and runs with each call’s values, in a transaction too', async (t) => {
      const db = openDatabase(await freshDatabaseUrl(dialect.name));
      t.after(() => db.close());
      await migrateToLatest(db.kysely as Kysely<unknown>, dialect.name);

      let builds = 0;
      const put = prepared((k, v: { bucket: string; start: string; ends: string; n: number }) => {
        builds++;
        return k
          .insertInto('rate_limit_counters')
          .values({ bucket: v.bucket, window_start: v.start, count: v.n, expires_at: v.ends })
          .onConflict((oc) =>
            oc
              .columns(['bucket', 'window_start'])
              .doUpdateSet({ count: sql`rate_limit_counters.count + ${v.n}` }),
          )
          .returning('count');
      });
      const find = prepared((k, v: { bucket: string }) =>
        k.selectFrom('rate_limit_counters').select('count').where('bucket', '=', v.bucket),
      );

      const at = { start: '2026-12-02T00:00:00.000Z', ends: '2026-12-02T00:01:00.000Z' };
      assert.deepEqual((await put(db.kysely, { bucket: 'a', ...at, n: 2 })).rows, [{ count: 2 }]);
      assert.deepEqual((await put(db.kysely, { bucket: 'a', ...at, n: 3 })).rows, [{ count: 5 }]);
      assert.deepEqual((await put(db.kysely, { bucket: 'b', ...at, n: 7 })).rows, [{ count: 7 }]);
      await db.kysely.transaction().execute(async (trx) => {
        assert.deepEqual((await put(trx, { bucket: 'b', ...at, n: 1 })).rows, [{ count: 8 }]);
      });
      // Rolled back with its transaction, like any statement.
      await assert.rejects(
        db.kysely.transaction().execute(async (trx) => {
          await put(trx, { bucket: 'c', ...at, n: 1 });
          throw new Error('give it back');
        }),
        /give it back/,
      );
      assert.equal(builds, 1, 'built and compiled once for this database');

      assert.deepEqual((await find(db.kysely, { bucket: 'a' })).rows, [{ count: 5 }]);
      assert.deepEqual((await find(db.kysely, { bucket: 'b' })).rows, [{ count: 8 }]);
      assert.deepEqual((await find(db.kysely, { bucket: 'c' })).rows, []);
      // A value left out is an error, not a NULL.
      await assert.rejects(
        find(db.kysely, {} as { bucket: string }),
        /prepared statement: no value for bucket/,
      );
    });

    test('a statement of its own waits for a transaction that holds the connection', async (t) => {
      const db = openDatabase(await freshDatabaseUrl(dialect.name));
      t.after(() => db.close());
      await migrateToLatest(db.kysely as Kysely<unknown>, dialect.name);
      const put = prepared((k, v: { bucket: string }) =>
        k.insertInto('rate_limit_counters').values({
          bucket: v.bucket,
          window_start: '2026-12-02T00:00:00.000Z',
          count: 1,
          expires_at: '2026-12-02T00:01:00.000Z',
        }),
      );
      const buckets = async () =>
        (
          await db.kysely
            .selectFrom('rate_limit_counters')
            .select('bucket')
            .orderBy('bucket')
            .execute()
        ).map((r) => r.bucket);

      // Another caller's transaction is open (on SQLite it holds the only connection) when a
      // statement outside it runs. The statement must not land inside that transaction: it
      // stays when the transaction is rolled back.
      const trx = await db.kysely.startTransaction().execute();
      await put(trx, { bucket: 'inside' });
      const outside = put(db.kysely, { bucket: 'outside' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await trx.rollback().execute();
      await outside;
      assert.deepEqual(await buckets(), ['outside']);
    });

    if (dialect.name === 'postgres') {
      test('on PostgreSQL: a named statement, parsed again when a migration changes its table', async (t) => {
        const url = await freshDatabaseUrl(dialect.name);
        const db = openDatabase(url);
        t.after(() => db.close());
        await migrateToLatest(db.kysely as Kysely<unknown>, dialect.name);
        const at = { start: '2026-12-02T00:00:00.000Z', ends: '2026-12-02T00:01:00.000Z' };
        await db.kysely
          .insertInto('rate_limit_counters')
          .values({ bucket: 'a', window_start: at.start, count: 3, expires_at: at.ends })
          .execute();
        const find = prepared((k, v: { bucket: string }) =>
          k.selectFrom('rate_limit_counters').selectAll().where('bucket', '=', v.bucket),
        );

        // Prepared on the connection that ran it: PostgreSQL lists it there.
        await db.kysely.transaction().execute(async (trx) => {
          assert.equal((await find(trx, { bucket: 'a' })).rows.length, 1);
          const listed = await sql<{ statement: string }>`
            select statement from pg_prepared_statements`.execute(trx);
          assert.ok(
            listed.rows.some((r) =>
              r.statement.includes('from "rate_limit_counters" where "bucket" = $1'),
            ),
            `not prepared: ${JSON.stringify(listed.rows)}`,
          );
        });

        // Another process migrates: `select *` now has one more column. Outside a transaction
        // the statement is parsed again and answers; inside one, PostgreSQL has aborted the
        // transaction, so that caller gets the error, and the next call is parsed again.
        const alter = async (ddl: string) => {
          const other = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
          await other.connect();
          await other.query(`set search_path = ${new URL(url).searchParams.get('schema')}`);
          await other.query(ddl);
          await other.end();
        };
        await alter('alter table rate_limit_counters add column note text');
        const after = await find(db.kysely, { bucket: 'a' });
        assert.deepEqual(
          after.rows.map((r) => [r.bucket, r.count, (r as { note?: unknown }).note]),
          [['a', 3, null]],
        );
        await alter('alter table rate_limit_counters add column note2 text');
        await assert.rejects(
          db.kysely.transaction().execute((trx) => find(trx, { bucket: 'a' })),
          /cached plan must not change result type/,
        );
        assert.equal((await find(db.kysely, { bucket: 'a' })).rows.length, 1);

        // Gone from the connection (DEALLOCATE, a pooler that changed server connections): it
        // is parsed again.
        await sql`deallocate all`.execute(db.kysely);
        assert.equal((await find(db.kysely, { bucket: 'a' })).rows.length, 1);
      });

      test('on PostgreSQL: ?prepare=false sends every statement unnamed', async (t) => {
        const db = openDatabase(`${await freshDatabaseUrl(dialect.name)}&prepare=false`);
        t.after(() => db.close());
        await migrateToLatest(db.kysely as Kysely<unknown>, dialect.name);
        const find = prepared((k, v: { bucket: string }) =>
          k.selectFrom('rate_limit_counters').select('count').where('bucket', '=', v.bucket),
        );
        await db.kysely.transaction().execute(async (trx) => {
          assert.deepEqual((await find(trx, { bucket: 'a' })).rows, []);
          const listed = await sql`select statement from pg_prepared_statements`.execute(trx);
          assert.deepEqual(listed.rows, []);
        });
      });
    }
  });
}
