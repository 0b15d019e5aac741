import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, refused, signInWithKey } from './helpers/dashboard.ts';
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
import { ManualClock } from './helpers/wallet.ts';

type Seller = Awaited<ReturnType<typeof makeSeller>>;

/** A reader buys one unit through the public protocol; the paid checkout (with its order number). */
async function buy(
  server: TestServer,
  tee: Awaited<ReturnType<typeof makeTee>>,
  extra: Record<string, unknown> = {},
) {
  const c = await createCheckout(server.url, {
    productId: tee.id,
    variantId: tee.medium,
    quantity: 1,
    shippingAddress: ADDRESS_US,
    ...extra,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const paid = await buyer(server.url, c.body.clientToken)(
    'POST',
    `/checkouts/${c.body.id}/confirm`,
    { payment: { provider: 'test', card: '4242424242424242' } },
  );
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return { orderNumber: paid.body.order.number as string, orderId: paid.body.order.id as string };
}

async function orderByNumber(seller: Seller, number: string) {
  const list = await seller.api('GET', `/seller/orders?q=${encodeURIComponent(number)}`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return list.body.orders as { id: string; number: string; email: string | null }[];
}

/** RFC 4180 rows (quoted fields with commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

for (const { name, skip } of dialects()) {
  describe(`dashboard: orders (${name})`, { skip }, () => {
    let server: TestServer;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock();
      server = await startTestServer(name, {}, { clock });
    });
    after(() => server?.close());

    test('filter by status and date, search by number or shared email', async () => {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 20 });
      const first = await buy(server, tee, {
        email: 'Ada.Reader@Example.com',
        shareEmail: true,
        postRef: 'https://social.example/@artist/post/1',
      });
      clock.advance(3600_000);
      const middle = clock.now().toISOString();
      const second = await buy(server, tee, { email: 'private@example.com', shareEmail: false });
      clock.advance(3600_000);
      const third = await buy(server, tee);

      const all = await seller.api('GET', '/seller/orders');
      assert.equal(all.body.orders.length, 3);
      const firstOrder = all.body.orders.find(
        (o: { number: string }) => o.number === first.orderNumber,
      );
      assert.equal(firstOrder.postRef, 'https://social.example/@artist/post/1');

      // By number: any case, with or without the BIP- prefix.
      for (const q of [
        first.orderNumber,
        first.orderNumber.toLowerCase(),
        first.orderNumber.slice(4),
      ]) {
        const found = await orderByNumber(seller, q);
        assert.deepEqual(
          found.map((o) => o.number),
          [first.orderNumber],
          q,
        );
      }
      // By email, only when the buyer shared it.
      const byEmail = await orderByNumber(seller, 'ada.reader@example.com');
      assert.deepEqual(
        byEmail.map((o) => o.number),
        [first.orderNumber],
      );
      assert.deepEqual(await orderByNumber(seller, 'private@example.com'), []);

      // By date: [since, until).
      const since = await seller.api('GET', `/seller/orders?since=${middle}`);
      assert.deepEqual(
        since.body.orders.map((o: { number: string }) => o.number),
        [third.orderNumber, second.orderNumber],
      );
      const until = await seller.api('GET', `/seller/orders?until=${middle}`);
      assert.deepEqual(
        until.body.orders.map((o: { number: string }) => o.number),
        [first.orderNumber],
      );

      // By status, after fulfilling one through the dashboard session.
      const session = await signInWithKey(server, seller.apiKey);
      const fulfil = await browser(server, session)(
        'POST',
        `/seller/orders/${firstOrder.id}/fulfillments`,
        { carrier: 'La Poste', trackingNumber: 'LP123456789FR' },
      );
      assert.equal(fulfil.status, 201, JSON.stringify(fulfil.body));
      const fulfilled = await browser(server, session)('GET', '/seller/orders?status=fulfilled');
      assert.deepEqual(
        fulfilled.body.orders.map((o: { number: string }) => o.number),
        [first.orderNumber],
      );
      const paid = await browser(server, session)('GET', '/seller/orders?status=paid');
      assert.equal(paid.body.orders.length, 2);
    });

    test('CSV export: the filtered orders, amounts in major units, fields escaped', async () => {
      const seller = await makeSeller(server);
      const tee = await makeTee(seller, { stock: 20 });
      // What a buyer types can be anything, including what a spreadsheet would run.
      await buy(server, tee, {
        shippingAddress: { ...ADDRESS_US, name: '=HYPERLINK("https://evil.example","x")' },
        email: 'fan+csv@example.com',
        shareEmail: true,
      });
      clock.advance(1000); // newest first: one second apart
      const other = await buy(server, tee, {
        shippingAddress: { ...ADDRESS_US, line1: '1 Main St, Apt "4"' },
      });
      const session = await signInWithKey(server, seller.apiKey);
      const res = await fetch(`${server.url}/v1/seller/orders.csv`, {
        headers: { Cookie: session.cookie, 'Sec-Fetch-Site': 'same-origin' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(
        res.headers.get('content-disposition') ?? '',
        /^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const rows = parseCsv(await res.text());
      const header = rows[0]!;
      assert.deepEqual(header.slice(0, 4), ['number', 'created_at', 'status', 'product']);
      assert.equal(rows.length, 3);
      const col = (row: string[], name: string) => row[header.indexOf(name)];
      const [newest, oldest] = [rows[1]!, rows[2]!];
      assert.equal(col(newest, 'number'), other.orderNumber);
      assert.equal(col(newest, 'line1'), '1 Main St, Apt "4"');
      assert.equal(col(newest, 'options'), 'Size: M');
      assert.equal(col(newest, 'currency'), 'USD');
      assert.equal(col(newest, 'unit_price'), '25.00');
      assert.equal(
        col(newest, 'total'),
        (
          Number(col(newest, 'subtotal')) +
          Number(col(newest, 'shipping')) +
          Number(col(newest, 'tax'))
        ).toFixed(2),
      );
      assert.equal(col(oldest, 'name'), `'=HYPERLINK("https://evil.example","x")`);
      assert.equal(col(oldest, 'email'), 'fan+csv@example.com');
      assert.equal(col(newest, 'email'), '');

      // The same filters as the list.
      const one = await seller.api('GET', `/seller/orders.csv?q=${other.orderNumber}`);
      assert.equal(one.status, 200);
      assert.equal(parseCsv(one.body).length, 2);
    });

    test('another seller’s orders are invisible, by id and by search', async () => {
      const alice = await makeSeller(server, 'Alice');
      const mallory = await makeSeller(server, 'Mallory');
      const tee = await makeTee(alice);
      const paid = await buy(server, tee, { email: 'fan@example.com', shareEmail: true });
      const [order] = await orderByNumber(alice, paid.orderNumber);
      assert.ok(order);
      const session = await signInWithKey(server, mallory.apiKey);
      const asMallory = browser(server, session);
      refused(await asMallory('GET', `/seller/orders/${order.id}`), 404, 'not_found');
      refused(
        await asMallory('POST', `/seller/orders/${order.id}/fulfillments`, {
          trackingNumber: 'X1',
        }),
        404,
        'not_found',
      );
      for (const q of [paid.orderNumber, 'fan@example.com']) {
        const found = await asMallory('GET', `/seller/orders?q=${encodeURIComponent(q)}`);
        assert.deepEqual(found.body.orders, []);
      }
      const csv = await mallory.api('GET', '/seller/orders.csv');
      assert.equal(parseCsv(csv.body).length, 1);
      assert.equal((await alice.api('GET', `/seller/orders/${order.id}`)).body.status, 'paid');
    });
  });
}
