// Runs the server suite with node:test and ends with a plain "server: N passed, N failed" line.
//
// The files run one after another in ONE process: each file's own process spent ~2.4 s loading
// the module graph through tsx before its first test (48 files: ~2 minutes of CI). No test file
// registers hooks or mutates globals at its top level, so they can share a process; every
// `describe` starts its own server on its own database. BIP_TEST_ISOLATE=1 runs each file in its
// own process again (node --test), for when a file is suspected of leaking into the next.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = only.length
  ? only.map((f) => resolve(f))
  : readdirSync(here)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => join(here, f));
const isolate = process.env.BIP_TEST_ISOLATE === '1';

const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(here, 'helpers', 'summary-reporter.js')}`,
  '--test-reporter-destination=stdout',
];
let entry;
let scratch;
if (!isolate) {
  scratch = mkdtempSync(join(tmpdir(), 'bip-server-suite-'));
  entry = join(scratch, 'suite.mjs');
  // Static imports evaluate in order, so the files' suites run in the order listed.
  writeFileSync(
    entry,
    files.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join(''),
  );
}
const args = isolate
  ? // One file at a time (node's default on 2 cores); BIP_TEST_CONCURRENCY=2 runs two at once,
    // which on a loaded machine shows timing races (see the hosted-page price-change race).
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${process.env.BIP_TEST_CONCURRENCY ?? 1}`,
      ...reporters,
      ...files,
    ]
  : ['--import', 'tsx', ...reporters, entry];
const res = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  cwd: join(here, '..'),
  // A run that hangs (a child process nobody stops) fails here instead of holding CI forever.
  timeout: 25 * 60_000,
  killSignal: 'SIGKILL',
});
if (scratch) rmSync(scratch, { recursive: true, force: true });
if (res.error) console.error(`server: the run did not finish: ${res.error.message}`);
process.exit(res.status ?? 1);
