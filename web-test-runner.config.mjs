// Browser tests for <buy-in-post>: real Chromium (Debian's), the real element, and the real
// reference endpoint started here on a free port with a fresh SQLite database and a catalogue
// made through the seller API. See ../shared/TOOLCHAIN.md for why each option is as it is.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { register } from 'tsx/esm/api';
import { createEndpoint } from './test/helpers/endpoint.mjs';

register();

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const endpoint = await createEndpoint(mkdtempSync(join(tmpdir(), 'bip-wtr-')));

/** Prints one plain closing line the CI can read: "element: N passed, N failed". */
function summaryReporter() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const count = (results) => {
    for (const t of results?.tests ?? []) {
      if (t.skipped) skipped++;
      else if (t.passed) passed++;
      else failed++;
    }
    for (const s of results?.suites ?? []) count(s);
  };
  return {
    onTestRunFinished({ sessions }) {
      for (const s of sessions) {
        count(s.testResults);
        // a file that failed to load has no results but errors
        if (!s.testResults && s.errors?.length) failed++;
      }
    },
    async stop() {
      console.log(`\nelement: ${passed} passed, ${failed} failed, ${skipped} skipped`);
      await endpoint.close();
    },
  };
}

export default {
  files: ['test/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 20_000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'auto-always', tsconfig: './tsconfig.json' }),
    endpoint.plugin,
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <script>window.__BIP__ = ${JSON.stringify(endpoint.info)};</script>
      </head>
      <body>
        <script type="module" src="${testFramework}"></script>
      </body>
    </html>`,
  reporters: [(await import('@web/test-runner')).defaultReporter(), summaryReporter()],
  browsers: [
    playwrightLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args,
      },
      async createPage({ context }) {
        // Only this machine: every outside address (product images, fonts…) is refused.
        await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
        return context.newPage();
      },
    }),
  ],
};
