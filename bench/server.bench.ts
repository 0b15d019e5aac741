// Benchmark (figures, not a test): the reference endpoint on SQLite, in this process, measured
// over loopback with autocannon. Prints requests/s and p50/p99 latency for the two hot paths:
// the timeline's batch product look-up and checkout creation.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../server/src/config.ts';
import { seedDemo } from '../server/src/seed.ts';
import { startServer } from '../server/src/server.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'bip-bench-'));
const server = await startServer(
  loadConfig({
    BIP_MODE: 'test',
    PORT: '0',
    DATABASE_URL: join(dir, 'bench.sqlite'),
    BIP_CHECKOUT_RATE_LIMIT: '100000000',
  }),
);
await seedDemo(server.app);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function run(name: string, opts: autocannon.Options): Promise<Row> {
  const result = await autocannon({ duration: DURATION, connections: CONNECTIONS, ...opts });
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}

const ids = [
  'tour-tee',
  'vinyl-lp',
  'digital-album',
  'runner-sneakers',
  'shore-tote',
  'shore-donation',
];
const rows: Row[] = [];
rows.push(
  await run('GET /v1/products?ids= (6 ids)', {
    url: `${server.url}/v1/products?ids=${ids.join(',')}`,
  }),
);
rows.push(
  await run('POST /v1/checkouts (digital, unique key)', {
    url: `${server.url}/v1/checkouts`,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            productId: 'digital-album',
            variantId: 'digital-album-std',
            quantity: 1,
          }),
        }),
      },
    ],
  }),
);

await server.close();

console.log(
  `\nbuy-in-post endpoint, SQLite, ${CONNECTIONS} connections × ${DURATION} s, loopback, node ${process.version}\n`,
);
console.log('| call | requests/s | p50 ms | p99 ms | non-2xx/errors | requests |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.total} |`);
