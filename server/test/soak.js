// npm run soak: the property and fault suites (test/properties.test.ts, test/faults.test.ts) with
// many more runs than `npm test` gives them, then their figures.
//   BIP_SOAK_RUNS         property runs per database (default 1000; npm test runs 30)
//   BIP_SOAK_FAULT_LOOPS  random kill -9 loops per database (default 25; npm test runs 1)
//   TEST_POSTGRES_URL     adds the PostgreSQL variants, as in npm test
// A failure prints fast-check's seed and path (properties) or the kill seed (faults); see the
// comments at the top of each test file for replaying one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const runs = process.env.BIP_SOAK_RUNS ?? '1000';
const loops = process.env.BIP_SOAK_FAULT_LOOPS ?? '25';
const report = join(mkdtempSync(join(tmpdir(), 'bip-soak-')), 'figures.jsonl');

console.log(`soak: ${runs} property runs and ${loops} kill loops per database\n`);
const started = Date.now();
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
    join(here, 'properties.test.ts'),
    join(here, 'faults.test.ts'),
  ],
  {
    stdio: 'inherit',
    cwd: join(here, '..'),
    env: {
      ...process.env,
      BIP_PROPERTY_RUNS: runs,
      BIP_FAULT_LOOPS: loops,
      BIP_FAULTS_POSTGRES: '1',
      BIP_SOAK_REPORT: report,
    },
  },
);

const figures = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\nsoak figures (${minutes} min in all, exit code ${res.status}):`);
for (const f of figures) {
  const rate = f.seconds ? ` (${Math.round((f.requests ?? f.answers) / f.seconds)}/s)` : '';
  if (f.suite === 'properties')
    console.log(
      `  properties, ${f.dialect}: ${f.runs} runs, ${f.actions} actions, ${f.requests} requests${rate}, ${f.paid} paid, ${f.distinctOutcomes} distinct answers, ${f.seconds} s — ${f.ok ? 'held' : 'FAILED'}`,
    );
  else
    console.log(
      `  faults, ${f.dialect}: ${f.kills} kills (seed ${f.seed}), ${f.answers} answers before them, ${f.paid} paid, ${f.seconds} s — ${f.ok ? 'held' : 'FAILED'}`,
    );
}
if (!figures.length) console.log('  (none recorded: the suites did not get that far)');
process.exit(res.status ?? 1);
