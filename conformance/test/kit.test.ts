// The kit's own tests. The reference endpoint passes every requirement, on SQLite and on
// PostgreSQL (when TEST_POSTGRES_URL is set); and each requirement's check can fail: run on the
// reference endpoint behind a proxy that breaks that one requirement, the kit reports it failed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { anchor, REQUIREMENTS } from '../src/requirements.ts';
import { type Report, runConformance } from '../src/run.ts';
import { BREAKAGES } from './helpers/breakages.ts';
import { startProxy } from './helpers/proxy.ts';
import { type Reference, startReference } from './helpers/spawn.ts';

const bin = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'bin',
  'buy-in-post-conformance.js',
);

/** The CLI as a user runs it; its exit status and JSON report. Not spawnSync: suites run at once. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({ status: err ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
      },
    );
  });
}

const failures = (report: Report) =>
  report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.detail}`);

const dialects = [
  { name: 'SQLite', env: { DIALECT: 'sqlite' } },
  ...(process.env.TEST_POSTGRES_URL ? [{ name: 'PostgreSQL', env: { DIALECT: 'postgres' } }] : []),
];
if (!process.env.TEST_POSTGRES_URL) {
  // CI sets both, so it can never skip PostgreSQL unnoticed (as the server's tests do).
  if (process.env.BIP_REQUIRE_POSTGRES === '1')
    throw new Error('BIP_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set');
  console.warn('TEST_POSTGRES_URL is not set: the kit is not run against PostgreSQL');
}

// Every endpoint the tests need starts at once: on two cores, a server's start is seconds.
const starting = new Map<string, Promise<Reference>>([
  ...dialects.map((d) => [d.name, startReference(d.env)] as const),
  ['broken', startReference({ DIALECT: 'sqlite', BIP_RESERVATION_SECONDS: '6' })],
]);
// A start that failed is reported by the test that needed it, not as an unhandled rejection.
for (const p of starting.values()) p.catch(() => {});

// The suites below mostly wait (for a hold to lapse, a webhook to be retried) on endpoints of
// their own, so they run at the same time: ~55 → ~25 s of CI.
describe('the conformance kit', { concurrency: true }, () => {
  for (const dialect of dialects) {
    describe(`the reference endpoint on ${dialect.name}`, () => {
      let ref: Reference;
      before(async () => {
        ref = await starting.get(dialect.name)!;
      });
      after(() => ref?.stop());

      test('passes every requirement, through the command line (--json)', async () => {
        const run = await cli([ref.url, '--seller-key', ref.sellerKey, '--json', '--wait', '30']);
        assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
        const report = JSON.parse(run.stdout) as Report;
        assert.deepEqual(failures(report), []);
        assert.equal(report.results.length, REQUIREMENTS.length);
        assert.ok(report.results.every((r) => r.link.startsWith('docs/protocol.md#req-')));
      });
    });
  }

  describe('each check can fail', () => {
    let ref: Reference;
    before(async () => {
      ref = await starting.get('broken')!;
    });
    after(() => ref?.stop());

    test('every requirement has a breakage', () => {
      assert.deepEqual(BREAKAGES.map((b) => b.id).sort(), REQUIREMENTS.map((r) => r.id).sort());
    });

    for (const breakage of BREAKAGES) {
      test(`${breakage.id} fails when the endpoint breaks it`, async () => {
        const proxy = await startProxy(ref.url, breakage);
        try {
          const report = await runConformance({
            endpoint: proxy.url,
            sellerKey: ref.sellerKey,
            only: [breakage.id, ...(breakage.with ?? [])],
            waitSeconds: breakage.wait ?? 3,
          });
          const result = report.results.find((r) => r.id === breakage.id);
          assert.equal(
            result?.status,
            'fail',
            `${breakage.id}: ${result?.status} ${result?.detail ?? ''}`,
          );
          assert.equal(report.passed, result.level !== 'MUST');
        } finally {
          await proxy.close();
        }
      });
    }
  });
});

describe('docs/protocol.md', () => {
  test('lists every requirement with its id, anchor and level', () => {
    const page = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'protocol.md'),
      'utf8',
    );
    for (const r of REQUIREMENTS)
      assert.ok(
        page.includes(`| <a id="${anchor(r.id)}"></a>\`${r.id}\` | ${r.level} |`),
        `${r.id} (${r.level}) is not in the requirement list of docs/protocol.md`,
      );
  });
});

describe('the command line', () => {
  test('refuses an unknown --only, and a missing seller key, with status 2', async () => {
    const unknown = await cli(['http://127.0.0.1:9', '--seller-key', 'k', '--only', 'nothing']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--only: unknown nothing/);
    const noKey = await cli(['http://127.0.0.1:9']);
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /--seller-key/);
  });
});
