// Runs the server suite with node:test and ends with a plain "server: N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = only.length
  ? only
  : readdirSync(here)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => join(here, f));
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    // One file at a time (node's default on 2 cores); BIP_TEST_CONCURRENCY=2 runs two at once,
    // which on a loaded machine shows timing races (see the hosted-page price-change race).
    `--test-concurrency=${process.env.BIP_TEST_CONCURRENCY ?? 1}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(here, 'helpers', 'summary-reporter.js')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  // A run that hangs (a child process nobody stops) fails here instead of holding CI forever.
  { stdio: 'inherit', cwd: join(here, '..'), timeout: 25 * 60_000, killSignal: 'SIGKILL' },
);
if (res.error) console.error(`server: the run did not finish: ${res.error.message}`);
process.exit(res.status ?? 1);
