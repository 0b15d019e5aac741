// The built bundle on a page under the strictest Content-Security-Policy docs/embedding.md
// documents: scripts and styles from the page's own origin only (no 'unsafe-inline' of any kind),
// the endpoint as the one place to connect to. A whole purchase of a coloured T-shirt, failing on
// any CSP violation the page reports — inline `style` attributes included, which the browser
// refuses under `style-src 'self'` (the colour swatches used one: every swatch lost its colour).
//
//   npm run build && node --import tsx test/e2e/dist-csp.mjs   (prints `dist (CSP): …`)
import {
  check,
  keepOffline,
  launchChromium,
  requireBuild,
  runChecks,
  serveStatic,
  shipToSpringfield,
  startEndpoint,
  step,
  testCardToReview,
} from './harness.ts';

requireBuild();

const page = (endpoint) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <title>A post under a strict policy</title>
    <script type="module" src="/dist/buy-in-post.js"></script>
  </head>
  <body>
    <buy-in-post product="tour-tee" post="https://blog.example/tour"></buy-in-post>
  </body>
</html>`;

let html = '';
let policy = '';
const site = await serveStatic(
  {
    get '/post.html'() {
      return html;
    },
  },
  {
    headers: {
      get 'Content-Security-Policy'() {
        return policy;
      },
    },
  },
);
const endpoint = await startEndpoint({ corsOrigin: site.origin });
html = page(endpoint.url);
policy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  `connect-src ${endpoint.url}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const browser = await launchChromium();

/** Every `securitypolicyviolation` the page reports, from the first script on. */
function recordViolations() {
  window.__violations = [];
  document.addEventListener(
    'securitypolicyviolation',
    (e) =>
      window.__violations.push(
        `${e.violatedDirective} (${e.blockedURI || 'inline'}) at ${e.composedPath()[0]?.outerHTML?.slice(0, 80) ?? e.sourceFile}`,
      ),
    true,
  );
}

const tests = {
  'a coloured T-shirt bought under a strict policy, with no violation and coloured swatches':
    async () => {
      const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
      try {
        const refused = await keepOffline(context);
        await context.addInitScript(recordViolations);
        const p = await context.newPage();
        const errors = [];
        p.on('pageerror', (e) => errors.push(e.message));
        p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await p.goto(`${site.origin}/post.html`);

        await p.getByRole('button', { name: /^Buy/ }).click();
        await step(p, 'product');
        await p.getByRole('radio', { name: 'M', exact: true }).check();
        await p.getByRole('radio', { name: 'Sand', exact: true }).check();
        // The swatch draws the colour it names: #d8c3a0 for Sand, black for Black.
        const chips = await p.evaluate(() => {
          const root = document.querySelector('buy-in-post').shadowRoot;
          return [...root.querySelectorAll('[part~="swatch"] .chip')].map(
            (chip) => getComputedStyle(chip).backgroundColor,
          );
        });
        check(
          JSON.stringify(chips) === JSON.stringify(['rgb(0, 0, 0)', 'rgb(216, 195, 160)']),
          `swatch colours: ${JSON.stringify(chips)}`,
        );
        await p.getByRole('button', { name: 'Continue' }).click();

        await shipToSpringfield(p);

        await testCardToReview(p);
        await p.getByRole('button', { name: /^Pay / }).click();
        await step(p, 'done');
        await p.getByText(/^Order BIP-/).waitFor();

        const violations = await p.evaluate(() => window.__violations);
        check(violations.length === 0, `CSP violations: ${violations.join(' | ')}`);
        if (refused.length) throw new Error(`requests left the machine: ${refused.join(', ')}`);
        if (errors.length) throw new Error(`errors in the page: ${errors.join(' | ')}`);
      } finally {
        await context.close();
      }
    },
};

const failed = await runChecks('dist (CSP)', tests);
await browser.close();
await endpoint.close();
await site.close();
process.exit(failed ? 1 : 0);
