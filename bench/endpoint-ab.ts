// Benchmark — figures, not a test. Compares this checkout's endpoint with another checkout's
// (a git worktree of an older commit, its dependencies installed), back to back:
//
//   git worktree add ../before <commit> && (cd ../before && npm ci)
//   npm run bench:ab -- ../before
//
// Both endpoints run at once, each in a process of its own on a fresh SQLite file
// (bench/endpoint-side.ts), and are measured in turns of BENCH_SLICE (3) seconds, BENCH_ROUNDS
// (10) turns each, the first of each round alternating: POST /v1/checkouts (a new key and a
// new client each, as in `npm run bench`), then the 6-id product look-up. On a shared machine
// whose speed drifts by half over minutes, two runs a minute apart compare the machine as much
// as the code; turns of a few seconds see the same machine. Prints each side's requests/s over
// all its turns (and its slowest and fastest turn), the median of its turns' p99, its main
// thread's CPU time per request (Linux), and the ratio of the two per round.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const other = process.argv[2];
if (!other) throw new Error('usage: npm run bench:ab -- <another checkout of buy-in-post>');
const SLICE = Number(process.env.BENCH_SLICE ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NEW_READER = here('./new-reader.cjs');
const PRODUCT_IDS = 'tour-tee,vinyl-lp,digital-album,runner-sneakers,shore-tote,shore-donation';

interface Side {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
}

function start(name: string, root: string): Promise<Side> {
  const child = spawn('node', ['--import', 'tsx', here('./endpoint-side.ts'), root], {
    cwd: resolve(root, 'server'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const url = /URL (\S+)/.exec(out)?.[1];
      if (url) done({ name, url, pid: child.pid!, child });
    });
    child.once('exit', (code) => fail(new Error(`${name} (${root}) exited with code ${code}`)));
  });
}

/** CPU time of a process's main thread, in ms (Linux: utime + stime, 1/100 s ticks). */
function mainThreadCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

const calls = {
  'POST /v1/checkouts': (url: string): autocannon.Options => ({
    url: `${url}/v1/checkouts`,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          productId: 'digital-album',
          variantId: 'digital-album-std',
          quantity: 1,
        }),
        setupRequest: NEW_READER,
      },
    ],
  }),
  'GET /v1/products?ids= (6 ids)': (url: string): autocannon.Options => ({
    url: `${url}/v1/products?ids=${PRODUCT_IDS}`,
  }),
};

const load = (opts: autocannon.Options, duration: number) =>
  new Promise<autocannon.Result>((done, fail) =>
    autocannon({ connections: CONNECTIONS, workers: 1, duration, ...opts }, (err, result) =>
      err ? fail(err) : done(result),
    ),
  );

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const sides = await Promise.all([start('this', resolve('.')), start('other', resolve(other))]);
try {
  console.log(
    `\nbuy-in-post endpoint, this checkout against ${other} · turns of ${SLICE} s, ${ROUNDS} each, ${CONNECTIONS} connections, after ${WARMUP} s of warm-up each · SQLite · node ${process.version}`,
  );
  for (const [call, options] of Object.entries(calls)) {
    for (const side of sides) await load(options(side.url), WARMUP);
    const turns = sides.map(() => ({
      requests: 0,
      non2xx: 0,
      cpuMs: 0,
      rps: [] as number[],
      p99: [] as number[],
    }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 ? [1, 0] : [0, 1]) {
        const side = sides[i]!;
        const before = mainThreadCpuMs(side.pid);
        const result = await load(options(side.url), SLICE);
        // Requests still in flight when the turn ended are answered inside its CPU time.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const after = mainThreadCpuMs(side.pid);
        const t = turns[i]!;
        t.requests += result.requests.total;
        t.non2xx += result.non2xx;
        t.cpuMs += before === null || after === null ? Number.NaN : after - before;
        t.rps.push(result.requests.mean);
        t.p99.push(result.latency.p99);
      }
    }
    console.log(`\n${call}\n`);
    console.log(
      '| checkout | requests/s | slowest–fastest turn | p99 ms (median of turns) | main-thread CPU µs/request | non-2xx |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [i, side] of sides.entries()) {
      const t = turns[i]!;
      const cpu = Number.isNaN(t.cpuMs) ? 'n/a' : String(Math.round((t.cpuMs * 1000) / t.requests));
      console.log(
        `| ${side.name} | ${Math.round(t.requests / (ROUNDS * SLICE))} | ${Math.round(Math.min(...t.rps))}–${Math.round(Math.max(...t.rps))} | ${median(t.p99)} | ${cpu} | ${t.non2xx} |`,
      );
    }
    const ratios = turns[0]!.rps.map((rps, k) => rps / turns[1]!.rps[k]!);
    console.log(
      `\nthis / other: ${(turns[0]!.requests / turns[1]!.requests).toFixed(2)}× overall; per round ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
    );
  }
} finally {
  for (const side of sides) side.child.kill('SIGTERM');
}
