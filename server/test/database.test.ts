/**
 * The embedded database's settings, as the server opens it — the first time and on every start
 * after (SQLite remembers some settings in the file and defaults others by what it finds).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';

const pragma = async (db: ReturnType<typeof openDatabase>, name: string) =>
  (await sql.raw(`PRAGMA ${name}`).execute(db.kysely)).rows[0] as Record<string, unknown>;

test('SQLite commits are durable (synchronous FULL, WAL) when the file is new and when it is opened again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bip-db-'));
  try {
    const file = join(dir, 'shop.sqlite');
    for (const start of ['first start', 'restart']) {
      const db = openDatabase(file);
      try {
        // A write, so the next start finds a WAL-mode file with a WAL behind it.
        await sql`CREATE TABLE IF NOT EXISTS t (x INTEGER)`.execute(db.kysely);
        await sql`INSERT INTO t (x) VALUES (1)`.execute(db.kysely);
        assert.equal((await pragma(db, 'journal_mode')).journal_mode, 'wal', start);
        // 2 = FULL: the WAL is synced at each commit (1, NORMAL, may lose the last ones).
        assert.equal((await pragma(db, 'synchronous')).synchronous, 2, start);
      } finally {
        await db.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
