// The element's purchase, keyboard, RTL and accessibility tests in the two other engines readers
// arrive with: Firefox (ESR, driven over WebDriver BiDi by puppeteer-core) and WebKit (WebKitGTK's
// MiniBrowser — Safari's engine — through WebKitWebDriver, classic WebDriver, under xvfb-run).
// Everything else is the Chromium configuration's: the same endpoints, commands and page.
//
//   web-test-runner --config web-test-runner.engines.config.mjs --group firefox
//   web-test-runner --config web-test-runner.engines.config.mjs --group webkit
//
// `npm run test:engines` runs the two one after the other (two cores: two browsers at once
// starve each other). Only these files: the rest of the suite tests the element's logic, which
// does not change with the engine, and each engine adds about a minute to CI. The timeline's
// file is here for what leans on the engine: the upgrades of a page's elements, its observers,
// the first screen drawn before the registration.
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import { firefoxPath, startWebKitDriver } from './scripts/browser.mjs';
import chromium, { summaryReporter } from './web-test-runner.config.mjs';

/** The engine this run is for (--group), named in the closing line. */
const group = process.argv
  .map((arg, i, all) => (arg === '--group' ? all[i + 1] : arg.match(/^--group=(.+)/)?.[1]))
  .find(Boolean);
const FILES = [
  'test/checkout.test.ts',
  'test/loading-keyboard.test.ts',
  'test/i18n.test.ts',
  'test/timeline.test.ts',
];

/** Only this machine: the tests never need an outside address (no Stripe.js: test payments). */
const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);

const firefox = () =>
  chromeLauncher({
    puppeteer: puppeteerCore,
    launchOptions: {
      browser: 'firefox',
      executablePath: firefoxPath(),
      protocol: 'webDriverBiDi',
      headless: true,
      // no update checks, telemetry or captive-portal probes from the test browser
      extraPrefsFirefox: {
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'app.update.enabled': false,
        'datareporting.policy.dataSubmissionEnabled': false,
      },
    },
    async createPage({ context }) {
      const page = await context.newPage();
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (LOCAL.has(new URL(request.url()).hostname)) return request.continue();
        return request.abort('blockedbyclient');
      });
      return page;
    },
  });

/** WebdriverLauncher with its own WebKitWebDriver: started with the run, stopped with it. */
class WebKitLauncher extends WebdriverLauncher {
  constructor() {
    // the real options are known once the driver listens (initialize)
    super({ capabilities: { browserName: 'MiniBrowser' } });
  }
  async initialize(config, files) {
    this.driverProcess = await startWebKitDriver();
    this.options = this.driverProcess.options;
    return super.initialize(config, files);
  }
  async stop() {
    await super.stop();
    await this.driverProcess?.stop();
  }
}

export default {
  ...chromium,
  // one engine per run: --group firefox or --group webkit
  files: [],
  groups: [
    { name: 'firefox', files: FILES, browsers: [firefox()] },
    { name: 'webkit', files: FILES, browsers: [new WebKitLauncher()] },
  ],
  reporters: [defaultReporter(), summaryReporter(`engines (${group ?? 'all'})`)],
};
