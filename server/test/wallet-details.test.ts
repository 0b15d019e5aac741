import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ShippingAddress } from '../src/protocol/checkouts.ts';
import type { TestPaymentMethodStore } from '../src/wallet/payment-methods.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';
import { type Smtp, signIn, startSmtp, walletEnv } from './helpers/wallet.ts';

function refused(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
}

const home = (line1: string, name = 'Ada Reader'): ShippingAddress => ({
  name,
  line1,
  city: 'Springfield',
  postalCode: '49007',
  country: 'US',
});

for (const { name, skip } of dialects()) {
  test(`wallet (${name}): addresses used within one millisecond keep their order of use`, {
    skip,
  }, async () => {
    // A clock that never moves: every use falls in the same millisecond. Ordered by time
    // alone, ties went by random ids (this test failed about one run in two).
    const frozen = new Date('2026-12-02T12:00:00.000Z');
    const smtp = await startSmtp();
    const server = await startTestServer(name, walletEnv(smtp), { clock: { now: () => frozen } });
    try {
      const me = await signIn(server, smtp);
      const wallet = server.app.services.wallet;
      const a = await wallet.saveAddress(me.buyerId, home('1 First St'));
      const b = await wallet.saveAddress(me.buyerId, home('2 Second St'));
      const c = await wallet.saveAddress(me.buyerId, home('3 Third St'));
      assert.equal(await wallet.saveAddress(me.buyerId, home('1 First St')), a);
      const read = await me.api('GET', '/buyer');
      assert.deepEqual(
        read.body.addresses.map((x: { id: string }) => x.id),
        [a, c, b],
      );
    } finally {
      await server.close();
      await smtp.close();
    }
  });

  describe(`wallet: saved details and erasure (${name})`, { skip }, () => {
    let server: TestServer;
    let smtp: Smtp;
    before(async () => {
      smtp = await startSmtp();
      server = await startTestServer(name, walletEnv(smtp));
    });
    after(async () => {
      await server?.close();
      await smtp?.close();
    });
    const wallet = () => server.app.services.wallet;
    const cards = () => wallet().paymentMethods as TestPaymentMethodStore;

    test('addresses are kept once each, most recent first, masked when read, ten at most', async () => {
      const me = await signIn(server, smtp);
      const first = await wallet().saveAddress(me.buyerId, home('12 Harbour St'));
      const second = await wallet().saveAddress(me.buyerId, home('7 Quay Rd'));
      assert.equal(
        await wallet().saveAddress(me.buyerId, home('12 Harbour St')),
        first,
        'the same one again',
      );
      const read = await me.api('GET', '/buyer');
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.addresses, [
        {
          id: first,
          name: 'Ada Reader',
          line1: '•• Harbour St',
          city: 'Springfield',
          country: 'US',
        },
        { id: second, name: 'Ada Reader', line1: '• Quay Rd', city: 'Springfield', country: 'US' },
      ]);
      assert.ok(!JSON.stringify(read.body).includes('49007'), 'no postal code either');
      // in full only for the endpoint itself (filling a checkout)
      assert.deepEqual(await wallet().shippingAddress(me.buyerId, first), home('12 Harbour St'));

      for (let i = 0; i < 10; i++) await wallet().saveAddress(me.buyerId, home(`${i} Lane ${i}`));
      const capped = (await me.api('GET', '/buyer')).body.addresses;
      assert.equal(capped.length, 10);
      assert.ok(
        !capped.some((a: { id: string }) => a.id === first || a.id === second),
        'oldest forgotten',
      );
    });

    test('saved cards show brand and last four only, and are removed one by one', async () => {
      const me = await signIn(server, smtp);
      const owner = { id: me.buyerId, stripeCustomerId: null };
      const visa = await cards().save(owner, {
        number: '4242424242424242',
        expMonth: 12,
        expYear: 2030,
      });
      const mc = await cards().save(owner, { number: '5555555555554444' });
      const read = (await me.api('GET', '/buyer')).body.paymentMethods;
      assert.deepEqual(read.map((m: any) => [m.brand, m.last4]).sort(), [
        ['mastercard', '4444'],
        ['visa', '4242'],
      ]);
      const stored = JSON.stringify(
        await server.app.db.kysely.selectFrom('buyer_payment_methods').selectAll().execute(),
      );
      assert.ok(!stored.includes('424242424242'), 'never the number');
      assert.equal((await me.api('DELETE', `/buyer/payment-methods/${visa.id}`)).status, 204);
      assert.deepEqual(
        (await me.api('GET', '/buyer')).body.paymentMethods.map((m: any) => m.id),
        [mc.id],
      );
      refused(await me.api('DELETE', `/buyer/payment-methods/${visa.id}`), 404, 'not_found');
    });

    test("one buyer's session can neither read nor delete another's address or card", async () => {
      const alice = await signIn(server, smtp);
      const mallory = await signIn(server, smtp);
      const address = await wallet().saveAddress(alice.buyerId, home('1 Private Way', 'Alice'));
      const card = await cards().save(
        { id: alice.buyerId, stripeCustomerId: null },
        { number: '4000056655665556' },
      );

      const seen = (await mallory.api('GET', '/buyer')).body;
      assert.deepEqual([seen.addresses, seen.paymentMethods], [[], []]);
      const db = server.app.db.kysely;
      const rows = async () => [
        await db
          .selectFrom('buyer_addresses')
          .selectAll()
          .where('buyer_id', '=', alice.buyerId)
          .execute(),
        await db
          .selectFrom('buyer_payment_methods')
          .selectAll()
          .where('buyer_id', '=', alice.buyerId)
          .execute(),
      ];
      const before = await rows();
      refused(await mallory.api('DELETE', `/buyer/addresses/${address}`), 404, 'not_found');
      refused(await mallory.api('DELETE', `/buyer/payment-methods/${card.id}`), 404, 'not_found');
      assert.deepEqual(await rows(), before, 'nothing deleted');
      // the owner can
      assert.equal((await alice.api('DELETE', `/buyer/addresses/${address}`)).status, 204);
      assert.equal((await alice.api('DELETE', `/buyer/payment-methods/${card.id}`)).status, 204);
      assert.deepEqual((await alice.api('GET', '/buyer')).body.addresses, []);
    });

    test('erasure: nothing of the buyer is left in the database, in clear or sealed; orders stay, unlinked', async () => {
      const me = await signIn(server, smtp);
      const second = await signIn(server, smtp, me.email); // another device
      const street = '742 Evergreen Terrace';
      await wallet().saveAddress(me.buyerId, home(street, 'Marge Bouvier'));
      await cards().save(
        { id: me.buyerId, stripeCustomerId: null },
        { number: '4242424242424242' },
      );

      // an order the buyer paid, linked as the checkout integration will link it
      const seller = await makeSeller(server, 'Erasure Seller');
      const tee = await makeTee(seller);
      const checkout = await createCheckout(server.url, {
        productId: tee.id,
        variantId: tee.small,
        quantity: 1,
        shippingAddress: ADDRESS_US,
      });
      const paid = await buyer(server.url, checkout.body.clientToken)(
        'POST',
        `/checkouts/${checkout.body.id}/confirm`,
        { payment: { provider: 'test', card: '4242424242424242' } },
      );
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      const orderId = paid.body.order.id;
      const db = server.app.db.kysely;
      await db
        .updateTable('orders')
        .set({ buyer_id: me.buyerId })
        .where('id', '=', orderId)
        .execute();
      await db
        .updateTable('checkouts')
        .set({ buyer_id: me.buyerId })
        .where('id', '=', checkout.body.id)
        .execute();

      const row = await db
        .selectFrom('buyers')
        .selectAll()
        .where('id', '=', me.buyerId)
        .executeTakeFirstOrThrow();
      const address = await db
        .selectFrom('buyer_addresses')
        .selectAll()
        .where('buyer_id', '=', me.buyerId)
        .executeTakeFirstOrThrow();
      const plain = [me.email, street, 'Evergreen', 'Marge Bouvier'];
      const sealed = [row.email_sealed!, row.data_key, address.sealed, row.email_index!];

      const before = await rawDatabase(server);
      for (const p of plain) assert.ok(!before.includes(p), `"${p}" is not stored in clear`);
      for (const s of sealed)
        assert.ok(before.includes(s), 'the scan sees the sealed values it must later miss');

      const erased = await me.api('DELETE', '/buyer');
      assert.equal(erased.status, 204);
      refused(await me.api('GET', '/buyer'), 401, 'unauthorized');
      refused(await second.api('GET', '/buyer'), 401, 'unauthorized');

      const afterwards = await rawDatabase(server);
      for (const p of [...plain, ...sealed, me.buyerId])
        assert.ok(!afterwards.includes(p), `"${p.slice(0, 24)}…" is gone from the database`);
      for (const table of [
        'buyers',
        'buyer_addresses',
        'buyer_payment_methods',
        'buyer_sessions',
        'buyer_identities',
      ] as const)
        assert.equal(
          (
            await db
              .selectFrom(table)
              .selectAll()
              .where(table === 'buyers' ? 'id' : 'buyer_id', '=', me.buyerId)
              .execute()
          ).length,
          0,
          table,
        );
      const order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow();
      assert.equal(order.buyer_id, null, 'the order stays, unlinked');
      assert.equal(order.total, paid.body.order.total ?? order.total);
      const seen = await seller.api('GET', `/seller/orders/${orderId}`);
      assert.equal(seen.status, 200, 'the seller keeps the order');

      // a fresh sign-in with the same email starts an empty wallet
      const again = await signIn(server, smtp, me.email);
      assert.notEqual(again.buyerId, me.buyerId);
      assert.deepEqual((await again.api('GET', '/buyer')).body.addresses, []);
    });
  });
}

/**
 * Everything the database holds, as text: SQLite's file and its write-ahead log read as bytes
 * (after a checkpoint, so deleted pages were written back), or a pg_dump of the test schema.
 */
async function rawDatabase(server: TestServer): Promise<string> {
  const db = server.app.db.kysely;
  if (server.app.db.dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    const file = server.databaseUrl;
    const wal = `${file}-wal`;
    const bytes = [readFileSync(file), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)];
    return Buffer.concat(bytes).toString('latin1');
  }
  const url = new URL(server.databaseUrl);
  const schema = url.searchParams.get('schema')!;
  url.searchParams.delete('schema');
  return execFileSync('pg_dump', ['--no-owner', '--schema', schema, url.toString()], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}
