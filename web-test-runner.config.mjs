// Browser tests for <buy-in-post>: real Chromium (Debian's), the real element, and the real
// reference endpoint, started here once for the run on a free port over a fresh SQLite database,
// with a catalogue made through the seller API. See /work/shared/TOOLCHAIN.md for why each
// launcher option is as it is, and test/helpers/endpoint.mjs for the server commands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { register } from 'tsx/esm/api';
import { chromiumPath } from './scripts/browser.mjs';
import { createEndpoint, freePort } from './test/helpers/endpoint.mjs';
import { createStripeEndpoint } from './test/helpers/stripe-endpoint.mjs';

register();

// The same Chromium flags as the end-to-end checks and the page benchmark (see TOOLCHAIN.md).
const { CHROMIUM_ARGS: args } = await import('./test/e2e/harness.ts');
// CHROME_PATH, else a system Chromium or Chrome, else Playwright's; none stops the run here.
const executablePath = await chromiumPath();

// The test page's origin is fixed before the endpoint starts, so the endpoint can allow exactly
// that origin (CORS) and serve image URLs from it.
const hostname = 'localhost';
const port = await freePort();
const pageOrigin = `http://${hostname}:${port}`;
const dir = mkdtempSync(join(tmpdir(), 'bip-wtr-'));
const endpoint = await createEndpoint({ dir, pageOrigin });

// The same endpoint configured for Stripe, its SDK pointed at a fake Stripe API that posts
// signed webhooks back; Stripe.js in the test browser is the fake from test/doubles/.
const stripe = await createStripeEndpoint({ dir, pageOrigin });

/** Every request the page made to js.stripe.com (the element must make none before payment). */
const stripeJsRequests = [];
/** Set by a test: js.stripe.com cannot be reached (a blocker, a network failure). */
let stripeJsDown = false;

/** Outside addresses the page tried to reach (and was refused), for the environment test. */
const refused = [];
const LOCAL = new Set([hostname, '127.0.0.1', '[::1]']);

/**
 * Prints one plain closing line the CI can read: "<label>: N passed, N failed". Also closes the
 * run's endpoints (web-test-runner.engines.config.mjs uses it with its own label).
 */
export function summaryReporter(label = 'element') {
  let passed = 0;
  let failed = 0;
  const count = (results) => {
    let failures = 0;
    for (const t of results?.tests ?? []) {
      if (t.skipped) continue;
      if (t.passed) passed++;
      else failures++;
    }
    for (const s of results?.suites ?? []) failures += count(s);
    return failures;
  };
  return {
    onTestRunFinished({ sessions }) {
      for (const s of sessions) {
        const failures = count(s.testResults);
        failed += failures;
        // a file that failed to load, or failed in a hook, has errors but no failed test
        if (!s.passed && failures === 0) failed++;
      }
    },
    async stop() {
      await endpoint.close();
      await stripe.close();
      rmSync(dir, { recursive: true, force: true });
      // The runner prints its own summary after the reporters stop: say ours at exit, last.
      const line = `${label}: ${passed} passed, ${failed} failed`;
      process.once('exit', () => console.log(`\n${line}`));
    },
  };
}

export default {
  files: ['test/**/*.test.ts'],
  hostname,
  port,
  nodeResolve: { exportConditions: ['production'] },
  // One file at a time: some tests stop and restart the shared endpoint.
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'auto-always', tsconfig: './tsconfig.json' }),
    endpoint.plugin,
    stripe.plugin,
    {
      name: 'bip-refused',
      executeCommand: ({ command, payload }) => {
        if (command === 'bip-refused') return [...refused];
        if (command === 'bip-stripe-js-requests') return [...stripeJsRequests];
        if (command === 'bip-stripe-js-down') {
          stripeJsDown = payload.down;
          return true;
        }
        return undefined;
      },
    },
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <script>
          // loading tests read the page's whole request history
          performance.setResourceTimingBufferSize(100000);
          window.__BIP__ = ${JSON.stringify({ ...endpoint.info, stripe: stripe.info })};
        </script>
      </head>
      <body>
        <script type="module" src="${testFramework}"></script>
      </body>
    </html>`,
  reporters: [defaultReporter(), summaryReporter()],
  browsers: [
    playwrightLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args,
      },
      async createPage({ context }) {
        // Only this machine: Stripe.js gets its test double, every other outside address is
        // refused (and noted).
        await context.route(
          (url) => !LOCAL.has(url.hostname),
          (route) => {
            const url = new URL(route.request().url());
            if (url.hostname === 'js.stripe.com') {
              stripeJsRequests.push(url.href);
              if (stripeJsDown) return route.abort('connectionfailed');
              return route.fulfill({
                status: 200,
                contentType: 'application/javascript',
                body: stripe.stripeJs,
              });
            }
            refused.push(url.href);
            return route.abort('blockedbyclient');
          },
        );
        return context.newPage();
      },
    }),
  ],
};
