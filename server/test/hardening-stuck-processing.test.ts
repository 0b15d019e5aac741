// Issue 12, defect 4: with the test provider, a database error (a full disk) or a crash between
// the "processing" claim and the order write left the checkout processing forever — the buyer
// could neither pay nor cancel, its units stayed held — and on SQLite the real error was hidden
// behind "cannot rollback - no transaction is active". The defences: a payment that fails after
// the claim hands the checkout back; every provider can be asked how a held payment stands
// (`status` is required of a PaymentProvider), so reads and the sweeper take a held checkout out
// of processing once its hold has lapsed; and the error that broke a transaction is the one
// logged and thrown, whatever the rollback says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../src/log.ts';
import { ManualClock } from './helpers/clock.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  type DialectName,
  dialects,
  makeSeller,
  makeTee,
  newKey,
  startTestServer,
} from './helpers/server.ts';

const PAY = { payment: { provider: 'test', card: '4242424242424242' } };
const MESSAGE = 'simulated: database or disk is full';

/** Log lines collected from the server (JSON, as in production). */
function collectingLogger() {
  const lines: string[] = [];
  const log = createLogger({ mode: 'production', destination: { write: (l) => lines.push(l) } });
  return { log, lines };
}

/**
 * Makes every order write fail the way a full disk does. On SQLite, RAISE(ROLLBACK) ends the
 * whole transaction from inside the statement (as SQLITE_FULL does), so the rollback that follows
 * finds none; on PostgreSQL an exception aborts it.
 */
async function breakOrderWrites(server: Awaited<ReturnType<typeof startTestServer>>) {
  const db = server.app.db;
  if (db.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER orders_fail BEFORE INSERT ON orders BEGIN SELECT RAISE(ROLLBACK, '${MESSAGE}'); END`,
      )
      .execute(db.kysely);
    return;
  }
  for (const statement of [
    `CREATE FUNCTION orders_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${MESSAGE}'; END $$ LANGUAGE plpgsql`,
    'CREATE TRIGGER orders_fail BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_fail()',
  ])
    await sql.raw(statement).execute(db.kysely);
}

async function shop(name: DialectName, opts: { clock?: ManualClock } = {}) {
  const { log, lines } = collectingLogger();
  const server = await startTestServer(name, {}, { log, ...opts });
  const seller = await makeSeller(server);
  const tee = await makeTee(seller, { stock: 3 });
  const created = await createCheckout(server.url, {
    productId: tee.id,
    variantId: tee.small,
    quantity: 2,
    shippingAddress: ADDRESS_US,
  });
  assert.equal(created.status, 201);
  const row = async () =>
    server.app.db.kysely
      .selectFrom('checkouts')
      .select(['status', 'reserved_quantity', 'order_id'])
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
  const reserved = async () =>
    (
      await server.app.db.kysely
        .selectFrom('variants')
        .select('reserved')
        .where('id', '=', tee.small)
        .executeTakeFirstOrThrow()
    ).reserved;
  return {
    server,
    lines,
    id: created.body.id as string,
    api: buyer(server.url, created.body.clientToken),
    row,
    reserved,
  };
}

for (const { name, skip } of dialects()) {
  describe(`a payment that fails after the processing claim (${name})`, { skip }, () => {
    test('a database error in the order write hands the checkout back, and the real error is logged', async (t) => {
      const s = await shop(name);
      t.after(() => s.server.close());
      await breakOrderWrites(s.server);

      const paid = await s.api('POST', `/checkouts/${s.id}/confirm`, PAY, {
        'Idempotency-Key': newKey(),
      });
      assert.equal(paid.status, 500, JSON.stringify(paid.body));
      assert.equal(paid.body.code, 'internal_error');
      const logged = s.lines.join('\n');
      assert.match(logged, new RegExp(MESSAGE), 'the original error is in the log');
      assert.doesNotMatch(logged, /cannot rollback/);
      // Not left processing: the buyer may pay again or cancel; its units are still its own.
      assert.deepEqual(await s.row(), { status: 'open', reserved_quantity: 2, order_id: null });
      assert.equal(await s.reserved(), 2);

      const canceled = await s.api('DELETE', `/checkouts/${s.id}`, undefined, {
        'Idempotency-Key': newKey(),
      });
      assert.equal(canceled.status, 200);
      assert.equal(canceled.body.status, 'canceled');
      assert.equal(await s.reserved(), 0, 'the units are given back');
    });

    test('a checkout left processing by a crash is taken out of it: by a read, and by the sweeper', async (t) => {
      const clock = new ManualClock();
      const s = await shop(name, { clock });
      t.after(() => s.server.close());
      // What a process killed between the claim and the order leaves behind.
      const claim = async () =>
        s.server.app.db.kysely
          .updateTable('checkouts')
          .set({ status: 'processing', updated_at: clock.now().toISOString() })
          .where('id', '=', s.id)
          .execute();
      await claim();

      // A read a few minutes later (no payment is finishing any more): open again, payable.
      clock.advance(5 * 60_000);
      const read = await s.api('GET', `/checkouts/${s.id}`);
      assert.equal(read.body.status, 'open');
      const paid = await s.api('POST', `/checkouts/${s.id}/confirm`, PAY, {
        'Idempotency-Key': newKey(),
      });
      assert.equal(paid.body.status, 'paid', JSON.stringify(paid.body));

      // Another one, which nobody reads again: the sweeper expires it once its hold has lapsed.
      const other = await shop(name, { clock });
      t.after(() => other.server.close());
      await other.server.app.db.kysely
        .updateTable('checkouts')
        .set({ status: 'processing', updated_at: clock.now().toISOString() })
        .where('id', '=', other.id)
        .execute();
      clock.advance(60 * 60_000);
      await other.server.app.services.sweeper.runOnce();
      assert.deepEqual(await other.row(), {
        status: 'expired',
        reserved_quantity: 0,
        order_id: null,
      });
      assert.equal(await other.reserved(), 0);
    });
  });
}
