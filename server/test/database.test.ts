/**
 * The embedded database as the server opens it — the first time and on every start after
 * (SQLite remembers some settings in the file and defaults others by what it finds) — and its
 * group commit: a write is answered only once the WAL holding it is synced to disk.
 */
import assert from 'node:assert/strict';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { prepared } from '../src/db/prepared.ts';
import { createCheckout, makeSeller, makeTee, startTestServer } from './helpers/server.ts';

const pragma = async (db: ReturnType<typeof openDatabase>, name: string) =>
  (await sql.raw(`PRAGMA ${name}`).execute(db.kysely)).rows[0] as Record<string, unknown>;

function tempDir(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'bip-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A WAL sync the test releases by hand, recording what each covered. */
function heldSyncs(file: string) {
  // A second connection reads what is committed when a sync begins: what that sync covers.
  let reader: SQLite.Database | null = null;
  const syncs: { covers: number; done: boolean; release: () => void }[] = [];
  const syncWal = (_fd: number) =>
    new Promise<void>((resolve) => {
      reader ??= new SQLite(file, { readonly: true });
      const { n } = reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number };
      const s = {
        covers: n,
        done: false,
        release: () => {
          s.done = true;
          resolve();
        },
      };
      syncs.push(s);
    });
  return { syncs, syncWal, close: () => reader?.close() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The database at `file`, counting the WAL syncs its writes ask for (none reaches the disk). */
function countingSyncs(file: string) {
  let synced = 0;
  const db = openDatabase(file, {
    syncWal: async () => {
      synced++;
    },
  });
  return { db, synced: () => synced };
}

test('SQLite is in WAL mode with group commit (synchronous NORMAL, the WAL synced for each write) when the file is new and when it is opened again', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  for (const start of ['first start', 'restart']) {
    const { db, synced } = countingSyncs(file);
    try {
      await sql`CREATE TABLE IF NOT EXISTS t (x INTEGER)`.execute(db.kysely);
      await sql`INSERT INTO t (x) VALUES (1)`.execute(db.kysely);
      assert.equal((await pragma(db, 'journal_mode')).journal_mode, 'wal', start);
      // 1 = NORMAL: SQLite does not wait for the disk; the group commit does (below).
      assert.equal((await pragma(db, 'synchronous')).synchronous, 1, start);
      assert.ok(synced() >= 1, `${start}: the writes were synced`);
      const before = synced();
      await db.kysely
        .selectFrom('t' as never)
        .selectAll()
        .execute();
      assert.equal(synced(), before, `${start}: a read waits for no sync`);
    } finally {
      await db.close();
    }
  }
});

test('a write is answered only after a sync of the WAL that began after it; concurrent writes share syncs', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  const setup = new SQLite(file);
  setup.pragma('journal_mode = WAL');
  setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)');
  setup.close();
  const held = heldSyncs(file);
  t.after(held.close);
  const db = openDatabase(file, { syncWal: held.syncWal });
  t.after(() => db.close());
  const insert = (x: number) =>
    sql<never>`INSERT INTO t (x) VALUES (${x})`.execute(db.kysely).then((r) => Number(r.insertId));

  // One write: not answered while its sync is on its way.
  let answered = false;
  const first = insert(1).then((id) => {
    answered = true;
    return id;
  });
  // The first sync opens the WAL file first (on the thread pool): wait for it to be asked.
  for (let waited = 0; held.syncs.length === 0 && waited < 5000; waited += 5)
    await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(held.syncs.length, 1, 'the write asked for a sync');
  assert.equal(held.syncs[0]!.covers, 1, 'the sync began after the commit');
  await tick();
  assert.equal(answered, false, 'answered before its commit was on disk');
  held.syncs[0]!.release();
  assert.equal(await first, 1);

  // Twenty writes at once, while a sync is on its way and as each one ends: every write is
  // answered only after a finished sync covering it, and they share far fewer than twenty.
  const answers: { id: number; coveredThen: number }[] = [];
  const writes = Array.from({ length: 20 }, (_, i) =>
    insert(i).then((id) => {
      const covered = Math.max(0, ...held.syncs.filter((s) => s.done).map((s) => s.covers));
      answers.push({ id, coveredThen: covered });
    }),
  );
  const all = Promise.all(writes);
  let settled = false;
  void all.then(() => (settled = true));
  while (!settled) {
    await tick();
    for (const s of held.syncs) if (!s.done) s.release();
  }
  await all;
  for (const a of answers)
    assert.ok(
      a.coveredThen >= a.id,
      `write ${a.id} answered when only ${a.coveredThen} were synced`,
    );
  const syncs = held.syncs.length - 1;
  assert.ok(syncs >= 1 && syncs < 20, `20 concurrent writes took ${syncs} syncs`);
});

test('a write whose WAL cannot be synced fails (the caller is not told it is committed)', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  let failing = false;
  const db = openDatabase(file, {
    syncWal: async () => {
      if (failing) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    },
  });
  t.after(() => db.close());
  await sql`CREATE TABLE t (x INTEGER)`.execute(db.kysely);
  failing = true;
  await assert.rejects(sql`INSERT INTO t (x) VALUES (1)`.execute(db.kysely), /EIO/);
  failing = false;
  await sql`INSERT INTO t (x) VALUES (2)`.execute(db.kysely);
});

test('a write not waited for (a rate limit’s count, a key’s claim) asks for no sync; the next write waited for covers it', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  const { db, synced } = countingSyncs(file);
  t.after(() => db.close());
  await migrateToLatest(db.kysely as Kysely<unknown>, 'sqlite');
  const count = prepared(
    (k, v: { bucket: string }) =>
      k.insertInto('rate_limit_counters').values({
        bucket: v.bucket,
        window_start: '2026-12-02T00:00:00.000Z',
        count: 1,
        expires_at: '2026-12-02T00:01:00.000Z',
      }),
    { waitForDisk: false },
  );
  const waited = prepared((k, v: { bucket: string }) =>
    k.deleteFrom('rate_limit_counters').where('bucket', '=', v.bucket),
  );

  const before = synced();
  await count(db.kysely, { bucket: 'a' });
  await count(db.kysely, { bucket: 'b' });
  assert.equal(synced(), before, 'writes not waited for asked for no sync');
  const reader = new SQLite(file, { readonly: true });
  t.after(() => reader.close());
  assert.equal(reader.prepare('SELECT count(*) AS n FROM rate_limit_counters').pluck().get(), 2);
  // Inside a transaction, the transaction's other writes are waited for, and cover it.
  await db.kysely.transaction().execute(async (trx) => {
    await count(trx, { bucket: 'c' });
    await waited(trx, { bucket: 'a' });
  });
  assert.equal(synced(), before + 1, 'a transaction that writes is waited for');
  await waited(db.kysely, { bucket: 'b' });
  assert.equal(synced(), before + 2, 'a write is waited for');
});

test('a checkout made over HTTP waits for one sync: its rate limit’s count and its key’s claim ride on it', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  const { db, synced } = countingSyncs(file);
  const server = await startTestServer('sqlite', {}, { databaseUrl: file, db });
  t.after(() => server.close());
  const seller = await makeSeller(server);
  const tee = await makeTee(seller);
  for (const n of [1, 2, 3]) {
    const before = synced();
    const res = await createCheckout(server.url, {
      productId: tee.id,
      variantId: tee.small,
      quantity: 1,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const syncs = synced() - before;
    assert.equal(syncs, 1, `checkout ${n} waited for ${syncs} syncs`);
  }
});

test('checkpoints run on a thread of their own: the WAL is copied into the database with no checkpoint on the server’s connection', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  const db = openDatabase(file, { syncWal: async () => {} });
  t.after(() => db.close());
  // The server's connection checkpoints only past 8,192 pages, far more than written here.
  assert.equal((await pragma(db, 'wal_autocheckpoint')).wal_autocheckpoint, 8192);
  await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)`.execute(db.kysely);
  const blob = Buffer.alloc(3000, 7);
  for (let i = 0; i < 300; i++) await sql`INSERT INTO t (x) VALUES (${blob})`.execute(db.kysely);
  // Within a few of the worker's turns (200 ms), the rows are in the database file itself.
  let size = 0;
  for (let waited = 0; waited < 3000; waited += 50) {
    size = statSync(file).size;
    if (size >= 300 * 3000) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(size >= 300 * 3000, `the database file holds ${size} bytes: no checkpoint ran`);
  const rows = (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db.kysely)).rows;
  assert.equal(rows[0]!.n, 300);
});

test('under steady writes the WAL still starts over: a checkpoint turn copies what landed during it too', async (t) => {
  const file = join(tempDir(t), 'shop.sqlite');
  const db = openDatabase(file, { syncWal: async () => {} });
  t.after(() => db.close());
  await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)`.execute(db.kysely);
  // The WAL header's checkpoint sequence (bytes 12–15) moves each time the WAL starts over.
  const header = Buffer.alloc(16);
  const startsOver = () => {
    const fd = openSync(`${file}-wal`, 'r');
    try {
      readSync(fd, header, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    return header.readUInt32BE(12);
  };
  const blob = Buffer.alloc(500, 7);
  const first = startsOver();
  // A commit about every millisecond for 1.6 s (eight of the worker's turns): each checkpoint
  // (its syncs included) sees frames land while it runs.
  for (const end = Date.now() + 1600; Date.now() < end; ) {
    await sql`INSERT INTO t (x) VALUES (${blob})`.execute(db.kysely);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const times = startsOver() - first;
  // One checkpoint a turn left the WAL growing under such writes, to the server's own checkpoint.
  assert.ok(times >= 3, `the WAL started over ${times} times in eight turns`);
});

for (const [how, script] of [
  ['exits without an error', 'process.exit(0);'],
  ['fails', 'throw new Error("the disk is gone");'],
] as const) {
  test(`a checkpoint worker that ${how} is reported once, and the server checkpoints itself`, async (t) => {
    const dir = tempDir(t);
    const worker = join(dir, 'worker.js');
    writeFileSync(worker, script);
    const reported: Error[] = [];
    const db = openDatabase(join(dir, 'shop.sqlite'), {
      syncWal: async () => {},
      checkpointWorker: pathToFileURL(worker),
      onCheckpointError: (err) => reported.push(err),
    });
    for (let waited = 0; reported.length === 0 && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(reported.length, 1, reported.map((e) => e.message).join('; '));
    assert.match(reported[0]!.message, /the checkpoint worker stopped/);
    // SQLite's own checkpoints again, as without the worker.
    assert.equal((await pragma(db, 'wal_autocheckpoint')).wal_autocheckpoint, 1000);
    await db.close(); // does not wait for a worker that is gone
    assert.equal(reported.length, 1);
  });
}
