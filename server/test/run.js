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
