// The dashboard's Payouts page, which exists only where the endpoint runs a platform (Stripe
// Connect): the real endpoint in platform mode, its real `stripe` SDK talking to the fake Stripe
// API (server/test/doubles/stripe-api.ts), Debian's Chromium at 390 px, offline. The page shows
// the seller's onboarding status and the link to finish it, keyboard-reachable and axe-clean in
// English and Arabic; a single-seller endpoint shows neither the page nor its link
// (test/e2e/dashboard.mjs: its navigation has no Payouts).
//
//   npm run build && node --import tsx test/e2e/dashboard-payouts.mjs   (prints `payouts: …`)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/config.ts';
import { startServer } from '../../server/src/server.ts';
import { connectEnv, startFakeStripe } from '../../server/test/doubles/stripe-api.ts';
import { check, keepOffline, launchChromium, root, runChecks } from './harness.ts';

if (!existsSync(join(root, 'dist-dashboard/index.html'))) {
  console.error('✖ dist-dashboard/index.html is missing: run `npm run build` first');
  process.exit(1);
}
const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'bip-payouts-'));
const fake = await startFakeStripe();
const server = await startServer(
  loadConfig({
    BIP_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: join(dir, 'payouts.sqlite'),
    ...connectEnv(fake),
  }),
);
server.app.config.publicUrl = server.url;
fake.webhookUrl = `${server.url}/v1/webhooks/stripe`;
const { apiKey } = await server.app.services.sellers.create({
  name: 'Sawt Collective',
  kind: 'nonprofit',
});

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
const refused = await keepOffline(context);
const page = await context.newPage();
page.setDefaultTimeout(10_000);

async function axe(label) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () =>
    (
      await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      })
    ).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  );
  check(!violations.length, `axe (${label}): ${violations.join(' | ')}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `${label}: ${width} px wide at 390 px`);
}

const tests = {
  'platform mode: the Payouts page shows the onboarding status and the link to finish it':
    async () => {
      await page.goto(`${server.url}/seller/`);
      await page.getByRole('button', { name: 'Developers: sign in with an API key' }).click();
      await page.getByLabel('API key').fill(apiKey);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
      await page.getByRole('link', { name: 'Payouts' }).click();
      await page.getByRole('heading', { level: 1, name: 'Payouts' }).waitFor();
      await page.getByText('Onboarding status: details needed').waitFor();
      const link = page.getByRole('link', {
        name: 'Continue onboarding with the payment provider',
      });
      check(/^https?:\/\//.test((await link.getAttribute('href')) ?? ''), 'no onboarding link');
      await link.focus();
      check(await link.evaluate((el) => el === document.activeElement), 'the link takes no focus');
      await axe('payouts, en');
      await page.getByLabel('Language').selectOption('ar');
      await page.getByText('حالة التسجيل: مطلوب استكمال بيانات').waitFor();
      await axe('payouts, ar');
      check(!refused.length, `requests left the machine: ${refused.join(', ')}`);
    },
};

const failed = await runChecks('payouts', tests);
await browser.close();
await server.close();
await fake.close();
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
