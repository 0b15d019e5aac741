// Benchmark — figures, not a test: nothing here passes or fails on speed.
//
// Starts the reference endpoint in this process on a fresh SQLite file in a temp directory,
// seeds the demo catalogue and measures the two hot paths over loopback with autocannon:
//
//   (a) GET /v1/products?ids=… with 6 ids — what a timeline asks for on every repaint;
//   (b) POST /v1/checkouts — a new checkout per request (unique Idempotency-Key), on the
//       digital album, whose stock is not tracked, so the run never sells out.
//
// The load generator runs in a worker thread (autocannon `workers: 1`), so it does not share
// the server's event loop. Each call runs for BENCH_SECONDS (10) with BENCH_CONNECTIONS (10);
// the whole run takes about 25 s. `npm run bench` from the repository root.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../server/src/config.ts';
import { seedDemo } from '../server/src/seed.ts';
import { startServer } from '../server/src/server.ts';

const bounded = (name: string, fallback: number, max: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be 1…${max}`);
  return n;
};
const DURATION = bounded('BENCH_SECONDS', 10, 25);
const CONNECTIONS = bounded('BENCH_CONNECTIONS', 10, 100);

const PRODUCT_IDS = [
  'tour-tee',
  'vinyl-lp',
  'digital-album',
  'runner-sneakers',
  'shore-tote',
  'shore-donation',
];
const CHECKOUT_BODY = JSON.stringify({
  productId: 'digital-album',
  variantId: 'digital-album-std',
  quantity: 1,
});

interface Row {
  call: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

function run(call: string, opts: autocannon.Options): Promise<Row> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        duration: DURATION,
        connections: CONNECTIONS,
        workers: 1,
        ...opts,
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          call,
          rps: Math.round(result.requests.mean),
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors, // connection errors, timeouts included
          total: result.requests.total,
        });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bip-bench-'));
const server = await startServer(
  loadConfig({
    BIP_MODE: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: join(dir, 'bench.sqlite'),
    BIP_CHECKOUT_RATE_LIMIT: '1000000000',
  }),
);

try {
  await seedDemo(server.app);
  const productsUrl = `${server.url}/v1/products?ids=${PRODUCT_IDS.join(',')}`;
  const checkoutsUrl = `${server.url}/v1/checkouts`;

  // One request of each first: a wrong set-up should fail loudly, not print a fast table of 4xx.
  const probe = await fetch(productsUrl);
  const batch = (await probe.json()) as { products: unknown[] };
  if (probe.status !== 200 || batch.products.length !== PRODUCT_IDS.length)
    throw new Error(`GET /v1/products answered ${probe.status}`);
  const created = await fetch(checkoutsUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: CHECKOUT_BODY,
  });
  if (created.status !== 201)
    throw new Error(`POST /v1/checkouts answered ${created.status}: ${await created.text()}`);

  const countCheckouts = async () =>
    Number(
      (
        await server.app.db.kysely
          .selectFrom('checkouts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const rows: Row[] = [];
  rows.push(await run(`GET /v1/products?ids= (${PRODUCT_IDS.length} ids)`, { url: productsUrl }));

  const before = await countCheckouts();
  const checkouts = await run('POST /v1/checkouts (unique Idempotency-Key)', {
    url: checkoutsUrl,
    method: 'POST',
    // autocannon puts a fresh id wherever `[<id>]` appears, so every request is a new checkout.
    idReplacement: true,
    headers: { 'content-type': 'application/json', 'idempotency-key': 'bench-[<id>]' },
    body: CHECKOUT_BODY,
  });
  rows.push(checkouts);
  const made = (await countCheckouts()) - before;

  console.log(
    `\nbuy-in-post endpoint · SQLite · ${CONNECTIONS} connections × ${DURATION} s per call · loopback · node ${process.version}\n`,
  );
  console.log('| call | requests/s (mean) | p50 ms | p99 ms | non-2xx | errors | requests |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.call} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.total} |`,
    );
  // Every 2xx should be a checkout of its own (requests still in flight when the clock stopped
  // may add up to one per connection); fewer rows would mean keys were replayed.
  const answered2xx = checkouts.total - checkouts.non2xx;
  const consistent = made >= answered2xx && made <= answered2xx + CONNECTIONS;
  console.log(
    `\n${made} checkouts written for ${answered2xx} 2xx answers${consistent ? '' : ' — MISMATCH: keys were replayed or answers lost'}.`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
