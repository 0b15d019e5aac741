/**
 * Fault tests (issue 12, "defences for the whole class"): kill -9 during payment, a full disk,
 * and a PostgreSQL that goes away and comes back. After each: the invariants of the property
 * tests (reserved units equal the open holds, stock never negative, a paid checkout has one
 * order, every confirm that answered "paid" is an order, every answer problem+json with a known
 * code — a 5xx allowed while the fault lasts), and no stuck rows once a server an hour later
 * has swept (the clock jumps so any bound a fix chooses has passed).
 *
 * The faults come from outside the server: signals, the file system, the database's sessions,
 * a TCP proxy, a trigger that holds the order write open. BIP_FAULT_LOOPS repeats the random
 * kill loop (npm run soak); BIP_FAULT_SEED replays its kill points.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { ManualClock } from './helpers/clock.ts';
import {
  mountTinyDisk,
  seeded,
  sleepingInOrderWrite,
  slowOrderWrites,
  spawnServer,
  TcpProxy,
  tagged,
  terminateSessions,
  throughPort,
} from './helpers/faults.ts';
import {
  confirmedHaveOrders,
  type DbReader,
  dataInvariants,
  formatViolations,
  openDbReader,
  stuckRows,
  type Violation,
} from './helpers/invariants.ts';
import { waitFor } from './helpers/processes.ts';
import {
  ADDRESS_US,
  type DialectName,
  dialects,
  freshDatabaseUrl,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
} from './helpers/server.ts';
import { Traffic } from './helpers/traffic.ts';

const LOOPS = Number(process.env.BIP_FAULT_LOOPS ?? 1);
const PG_URL = process.env.TEST_POSTGRES_URL;
const HOUR = 3600_000;
const POOL_TODO =
  'an idle pool connection ending no longer crashes the process (pool error listener), but the server is not yet shown to live through it here';

interface Shop {
  sellerKey: string;
  tee: { id: string; medium: string };
  album: { id: string; variant: string };
}

/** The schema, a seller, a T-shirt (50 tracked units) and a download, made by a short-lived server. */
async function prepareShop(name: DialectName, databaseUrl: string): Promise<Shop> {
  const setup = await startTestServer(name, {}, { databaseUrl });
  try {
    const seller = await makeSeller(setup, 'Fault seller');
    const tee = await makeTee(seller, { stock: 50, price: 2500 });
    const album = await seller.api('POST', '/seller/products', {
      title: 'Live album',
      kind: 'digital',
      variants: [{ price: 900, stock: null }],
    });
    assert.equal(album.status, 201, JSON.stringify(album.body));
    return {
      sellerKey: seller.apiKey,
      tee: { id: tee.id, medium: tee.medium },
      album: { id: album.body.id, variant: album.body.variants[0].id },
    };
  } finally {
    await setup.close();
  }
}

/** HTTP for buyers during a fault: every answer checked, a 5xx allowed (still problem+json). */
function trafficFor(url: string, shop: Shop, onAnswer?: () => void) {
  return new Traffic({
    url,
    sellerKey: shop.sellerKey,
    otherSellerKey: 'bip_sk_none',
    allowedOrigin: 'https://blog.example',
    products: [],
    allow5xx: true,
    timeoutMs: 15_000,
    ...(onAnswer ? { onAnswer } : {}),
  });
}

const json = { 'Content-Type': 'application/json' };

/** One buyer: a checkout, perhaps a change, then a payment (or a cancel). */
async function buyerFlow(t: Traffic, shop: Shop, random: () => number) {
  const physical = random() < 0.6;
  const body = physical
    ? {
        productId: shop.tee.id,
        variantId: shop.tee.medium,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      }
    : { productId: shop.album.id, variantId: shop.album.variant, quantity: 1 };
  const created = await t.send('POST', '/checkouts', JSON.stringify(body), {
    ...json,
    'Idempotency-Key': newKey(),
  });
  if (created.status !== 201) return;
  const auth = { Authorization: `Bearer ${created.body.clientToken}` };
  const path = `/checkouts/${created.body.id}`;
  if (random() < 0.3)
    await t.send('PATCH', path, JSON.stringify({ quantity: 2 }), { ...json, ...auth });
  if (random() < 0.15) {
    await t.send('DELETE', path, undefined, { ...auth, 'Idempotency-Key': newKey() });
    return;
  }
  const card = random() < 0.8 ? '4242424242424242' : '4000000000000002';
  const paid = await t.send(
    'POST',
    `${path}/confirm`,
    JSON.stringify({ payment: { provider: 'test', card } }),
    { ...json, ...auth, 'Idempotency-Key': newKey() },
  );
  if (paid.status === 200 && paid.body.status === 'paid') t.paid.add(created.body.id);
}

/** What a dead server said last: from the crash's first line, not its object dump. */
function lastWords(p: { log(): string }) {
  const log = p.log();
  const at = log.search(/node:events|Unhandled|uncaught|\bthrow\b/i);
  return log.slice(at >= 0 ? Math.max(0, at - 200) : -800).slice(0, 800);
}

/** A T-shirt, no change, paid with a good card: {@link buyerFlow}'s choices, fixed. */
const plainPurchase = () => {
  const choices = [0, 0.5, 0.5, 0];
  return () => choices.shift() ?? 0.5;
};

function assertNone(violations: Violation[], what: string) {
  assert.equal(violations.length, 0, `${what}:\n${formatViolations(violations)}`);
}

function assertAnswers(t: Traffic, what: string) {
  assert.equal(t.failures.length, 0, `${what}:\n${t.failures.slice(0, 10).join('\n')}`);
}

/**
 * Recovery: a server an hour later (every reservation and any processing bound has lapsed)
 * sweeps; nothing may be left stuck.
 */
async function sweepAnHourLater(
  t: TestContext,
  name: DialectName,
  databaseUrl: string,
  db: DbReader,
) {
  const clock = new ManualClock(Date.now() + HOUR);
  const server = await startTestServer(
    name,
    { BIP_SWEEP_INTERVAL_MS: '20' },
    { databaseUrl, clock },
  );
  t.after(() => server.close());
  await nothingStuck(t, db, clock);
  return server;
}

/**
 * Every provider has a way out of processing (issue 12, defect 4): the sweeper asks it about a
 * hold past its reservation. The sweeper runs every 20 ms; 2 s is a hundred sweeps (the first
 * should do).
 */
function nothingStuck(t: TestContext, db: DbReader, clock: ManualClock) {
  return t.test('nothing is left stuck once the sweeper has run', async () => {
    let stuck: Violation[] = [];
    await waitFor(
      async () => {
        stuck = await stuckRows(db, clock.now().toISOString());
        return stuck.length === 0;
      },
      2_000,
      'the sweep',
    ).catch(() => {
      throw new Error(`left after sweeping (every 20 ms, for 2 s):\n${formatViolations(stuck)}`);
    });
  });
}

function report(extra: Record<string, unknown>) {
  const line = JSON.stringify({ suite: 'faults', ...extra });
  if (process.env.BIP_SOAK_REPORT) appendFileSync(process.env.BIP_SOAK_REPORT, `${line}\n`);
  console.log(`# ${line}`);
}

/**
 * On PostgreSQL each fault starts several server processes and ends database sessions (minutes
 * on a loaded 2-core machine): `npm run soak` runs them (BIP_FAULTS_POSTGRES=1); `npm test`
 * runs the SQLite faults only.
 */
const postgresFaults = process.env.BIP_FAULTS_POSTGRES === '1';

for (const { name, skip } of dialects()) {
  const skipHere =
    skip || (name === 'postgres' && !postgresFaults && 'PostgreSQL faults run in npm run soak');
  describe(`faults (${name})`, { skip: skipHere, timeout: 10 * 60_000 }, () => {
    test(`kill -9 during payment: in the order write, then at random moments (${LOOPS} loop${LOOPS > 1 ? 's' : ''})`, async (t) => {
      const seed = Number(process.env.BIP_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const base = await freshDatabaseUrl(name);
      const tag = `bip-fault-${randomBytes(4).toString('hex')}`;
      const databaseUrl = name === 'postgres' ? tagged(base, tag) : base;
      const shop = await prepareShop(name, databaseUrl);
      const db = await openDbReader(base);
      t.after(() => db.close());
      const started = Date.now();

      // 1. Killed between the "processing" claim and the order: the trigger holds the order
      //    insert open, the test sees the claim committed, and kills.
      const undo = await slowOrderWrites(db);
      const child = await spawnServer(databaseUrl);
      t.after(() => child.kill9());
      const traffic = trafficFor(child.url, shop);
      const created = await traffic.send(
        'POST',
        '/checkouts',
        JSON.stringify({
          productId: shop.tee.id,
          variantId: shop.tee.medium,
          quantity: 2,
          shippingAddress: ADDRESS_US,
        }),
        { ...json, 'Idempotency-Key': newKey() },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { id, clientToken } = created.body;
      const key = newKey();
      const confirm = JSON.stringify({ payment: { provider: 'test', card: '4242424242424242' } });
      const auth = { Authorization: `Bearer ${clientToken}` };
      const paying = traffic.send('POST', `/checkouts/${id}/confirm`, confirm, {
        ...json,
        ...auth,
        'Idempotency-Key': key,
      });
      await waitFor(
        async () =>
          (await db.all<{ status: string }>('SELECT status FROM checkouts WHERE id = ?', [id]))[0]
            ?.status === 'processing',
        15_000,
        'the processing claim',
      );
      if (name === 'postgres')
        await waitFor(() => sleepingInOrderWrite(PG_URL!, tag), 15_000, 'the order write');
      await child.kill9();
      assert.equal((await paying).status, 0, 'a killed server answers nothing');
      // PostgreSQL ends a dead client's session when it notices; the test does not wait for it.
      if (name === 'postgres') await terminateSessions(PG_URL!, tag);
      await undo();
      assertAnswers(traffic, 'answers before the kill');
      assertNone(await dataInvariants(db), 'after kill -9 in the order write');

      // 2. Killed after the n-th answer of 16 buyers at once: during creations, changes,
      //    payments — wherever the seed puts it. BIP_FAULT_LOOPS times, restarting each time.
      const paid = new Set<string>();
      let answers = 0;
      let ok = false;
      try {
        for (let loop = 0; loop < LOOPS; loop++) {
          // Drawn per loop and per buyer, so the seed replays the same choices whatever the timing.
          const killAt = 1 + Math.floor(seeded(seed + loop)() * 45);
          let n = 0;
          const running = await spawnServer(databaseUrl);
          t.after(() => running.kill9());
          const load = trafficFor(running.url, shop, () => {
            if (++n === killAt) void running.kill9();
          });
          await Promise.all(
            Array.from({ length: 16 }, (_, i) =>
              buyerFlow(load, shop, seeded(seed * 31 + loop * 1_000 + i)),
            ),
          );
          await running.kill9();
          if (name === 'postgres') await terminateSessions(PG_URL!, tag);
          for (const paidId of load.paid) paid.add(paidId);
          answers += n;
          const context = `seed ${seed} (BIP_FAULT_SEED replays it), loop ${loop + 1}, killed after answer ${killAt}`;
          assertAnswers(load, context);
          assertNone(
            [...(await dataInvariants(db)), ...(await confirmedHaveOrders(db, load.paid))],
            context,
          );
        }
        ok = true;
      } finally {
        report({
          ok,
          dialect: name,
          test: 'kill -9',
          seed,
          kills: LOOPS + 1,
          answers,
          paid: paid.size,
          seconds: (Date.now() - started) / 1000,
        });
      }

      // 3. An hour later a server sweeps; the buyer of part 1 comes back.
      const server = await sweepAnHourLater(t, name, databaseUrl, db);
      await t.test(
        'the buyer can finish: the retried confirm pays, or says it expired',
        async () => {
          const later = trafficFor(server.url, shop);
          const retry = await later.send('POST', `/checkouts/${id}/confirm`, confirm, {
            ...json,
            ...auth,
            'Idempotency-Key': key,
          });
          assert.ok(
            (retry.status === 200 && retry.body.status === 'paid') ||
              (retry.status === 410 && retry.body.code === 'checkout_expired'),
            `retried confirm: ${retry.status} ${JSON.stringify(retry.body)}`,
          );
          assertAnswers(later, 'answers after the restart');
        },
      );
      assertNone(
        [...(await dataInvariants(db)), ...(await confirmedHaveOrders(db, paid))],
        `seed ${seed}, after the restart and the sweep`,
      );
    });

    if (name === 'sqlite')
      test('a full disk (SQLite on a tiny tmpfs)', async (t) => {
        let disk: ReturnType<typeof mountTinyDisk>;
        try {
          disk = mountTinyDisk('8m');
        } catch (err) {
          t.skip(
            `cannot mount a tmpfs here (needs root): ${(err as Error).message.split('\n')[0]}`,
          );
          return;
        }
        const databaseUrl = join(disk.dir, 'shop.sqlite');
        const clock = new ManualClock();
        const server = await startTestServer(
          'sqlite',
          { BIP_SWEEP_INTERVAL_MS: '20' },
          { databaseUrl, clock },
        );
        const db = await openDbReader(databaseUrl);
        t.after(async () => {
          await db.close();
          await server.close();
          disk.unmount();
        });
        const seller = await makeSeller(server, 'Full disk seller');
        const tee = await makeTee(seller, { stock: 50, price: 2500 });
        const shop: Shop = {
          sellerKey: seller.apiKey,
          tee: { id: tee.id, medium: tee.medium },
          album: { id: '', variant: '' },
        };
        const traffic = trafficFor(server.url, shop);
        const open: { id: string; token: string }[] = [];
        for (let i = 0; i < 16; i++) {
          const res = await traffic.send(
            'POST',
            '/checkouts',
            JSON.stringify({
              productId: tee.id,
              variantId: tee.medium,
              quantity: 1,
              shippingAddress: ADDRESS_US,
            }),
            { ...json, 'Idempotency-Key': newKey() },
          );
          assert.equal(res.status, 201);
          open.push({ id: res.body.id, token: res.body.clientToken });
        }

        // An empty WAL, then a full disk: from now on every write needs a block the disk lacks.
        await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
        disk.fill();
        // Then room comes back 4 KiB at a time, a payment tried at each step: somewhere the
        // "processing" claim fits and the order does not. (No Idempotency-Key, optional here:
        // storing it would take the room the step gives before the claim could.)
        const steps: string[] = [];
        for (const c of open) {
          const res = await traffic.send(
            'POST',
            `/checkouts/${c.id}/confirm`,
            JSON.stringify({ payment: { provider: 'test', card: '4242424242424242' } }),
            { ...json, Authorization: `Bearer ${c.token}` },
          );
          if (res.status === 200 && res.body.status === 'paid') traffic.paid.add(c.id);
          const [row] = await db.all<{ status: string }>(
            'SELECT status FROM checkouts WHERE id = ?',
            [c.id],
          );
          steps.push(`${res.status}→${row?.status}`);
          if (row?.status !== 'open') break; // the claim got through: the window is found
          disk.free(4096);
        }
        t.diagnostic(`payments as room came back, 4 KiB a step: ${steps.join(' ')}`);
        // Everything else a buyer does, on a disk that is full again.
        disk.fill();
        for (const c of open.slice(-4)) {
          const auth = { Authorization: `Bearer ${c.token}` };
          await traffic.send('PATCH', `/checkouts/${c.id}`, JSON.stringify({ quantity: 2 }), {
            ...json,
            ...auth,
          });
          await traffic.send('DELETE', `/checkouts/${c.id}`, undefined, {
            ...auth,
            'Idempotency-Key': newKey(),
          });
          await traffic.send('GET', `/checkouts/${c.id}`, undefined, auth);
        }
        await traffic.send(
          'POST',
          '/checkouts',
          JSON.stringify({ productId: tee.id, variantId: tee.medium, quantity: 1 }),
          { ...json, 'Idempotency-Key': newKey() },
        );
        disk.free();

        // Room again: the same process works, and nothing it said was lost.
        const after = trafficFor(server.url, shop);
        await buyerFlow(after, shop, plainPurchase());
        assert.equal(
          after.paid.size,
          1,
          `a purchase once the disk has room: ${after.failures.join('\n')}`,
        );
        assertAnswers(traffic, 'answers while the disk was full');
        assertNone(
          [
            ...(await dataInvariants(db)),
            ...(await confirmedHaveOrders(db, [...traffic.paid, ...after.paid])),
          ],
          'after the disk was full',
        );
        clock.advance(HOUR);
        await nothingStuck(t, db, clock);
        assertNone(await dataInvariants(db), 'after the sweep');
      });

    if (name === 'postgres')
      test('PostgreSQL goes away and comes back', async (t) => {
        const base = await freshDatabaseUrl('postgres');
        const tag = `bip-fault-${randomBytes(4).toString('hex')}`;
        const pgUrl = new URL(PG_URL!);
        const proxy = new TcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
        await proxy.start();
        t.after(() => proxy.stop());
        const databaseUrl = throughPort(base, proxy.port, tag);
        const shop = await prepareShop('postgres', base);
        const db = await openDbReader(base);
        t.after(() => db.close());
        const random = seeded(7);
        const paid = new Set<string>();
        let child = await spawnServer(databaseUrl);
        t.after(() => child.kill9());
        const failures: string[] = [];
        const keep = (tr: Traffic) => {
          for (const id of tr.paid) paid.add(id);
          failures.push(...tr.failures);
        };

        /** Healthy again within 10 s — or the process died, which is said at once. */
        const healthy = () =>
          waitFor(
            async () => {
              if (!child.alive()) throw new Error(`the server process died:\n${lastWords(child)}`);
              const res = await fetch(`${child.url}/v1/health`).catch(() => null);
              return res?.status === 200;
            },
            10_000,
            'the server to answer healthy',
          );

        // Warm: the pool holds idle connections.
        const warm = trafficFor(child.url, shop);
        await Promise.all(Array.from({ length: 3 }, () => buyerFlow(warm, shop, random)));
        keep(warm);

        // 1. The database ends every session (a restart, a failover).
        assert.ok((await terminateSessions(PG_URL!, tag)) > 0, 'the server had sessions to end');
        await t.test(
          'the server lives through PostgreSQL ending its sessions',
          { todo: POOL_TODO },
          async () => {
            await healthy();
          },
        );
        if (!child.alive()) child = await spawnServer(databaseUrl);
        await healthy();

        // 2. An outage under load: the proxy drops every connection and refuses new ones.
        let n = 0;
        const cut: Promise<void>[] = [];
        const during = trafficFor(child.url, shop, () => {
          if (++n === 8) cut.push(proxy.stop());
        });
        await Promise.all(Array.from({ length: 6 }, () => buyerFlow(during, shop, random)));
        await Promise.all(cut);
        if (!cut.length) await proxy.stop();
        // While it lasts every request is answered — a 5xx problem, not a hang — if the process lives.
        const outage = trafficFor(child.url, shop);
        await Promise.all(Array.from({ length: 3 }, () => buyerFlow(outage, shop, random)));
        const health = await outage.send('GET', '/health');
        keep(during);
        keep(outage);
        await proxy.start();
        await t.test('the server lives through an outage', { todo: POOL_TODO }, async () => {
          assert.equal(
            health.status,
            503,
            `health during the outage: ${health.status} ${JSON.stringify(health.body)}`,
          );
          await healthy();
        });

        // 3. Back: a purchase goes through — on the server that lived through it, or (it died)
        //    on the one that sweeps an hour later — and nothing said before was lost.
        const died = !child.alive();
        const sweeper = died ? await sweepAnHourLater(t, 'postgres', base, db) : null;
        const back = trafficFor(sweeper?.url ?? child.url, shop);
        await buyerFlow(back, shop, plainPurchase());
        keep(back);
        assert.equal(
          back.paid.size,
          1,
          `a purchase once PostgreSQL is back: ${back.failures.join('\n')}`,
        );
        assert.equal(failures.length, 0, failures.slice(0, 10).join('\n'));
        assertNone(
          [...(await dataInvariants(db)), ...(await confirmedHaveOrders(db, paid))],
          'after the outage',
        );
        if (!sweeper) {
          await child.stop();
          await sweepAnHourLater(t, 'postgres', base, db);
          assertNone(await dataInvariants(db), 'after the sweep');
        }
      });
  });
}
