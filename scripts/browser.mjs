// Where the test browsers are, for every suite that starts one (web-test-runner's configs,
// test/e2e/harness.ts, the page benchmark). A fresh machine needs no setting:
//   Chromium — CHROME_PATH if set, else a system Chromium or Chrome, else the one Playwright
//              installs (`npx playwright install chromium`); with none, stop at once with one
//              line saying how to get one.
//   Firefox  — FIREFOX_PATH, else Debian's firefox-esr (or firefox), driven over WebDriver BiDi.
//   WebKit   — WebKitGTK's WebKitWebDriver and MiniBrowser (Debian: webkit2gtk-driver), which
//              needs a display: it runs under xvfb-run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';

/** Chromium flags for these machines (TOOLCHAIN.md): no sandbox as root, no outside calls. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const first = (paths) => paths.find((p) => p && existsSync(p)) ?? null;

/** Prints one line and stops the process: the test run cannot start without this browser. */
function missing(line) {
  console.error(`✖ ${line}`);
  process.exit(1);
}

const SYSTEM_CHROMIUM = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Playwright's own Chromium, when `npx playwright install chromium` has put it on disk. */
async function playwrightChromium() {
  try {
    const { chromium } = await import('playwright');
    return first([chromium.executablePath()]);
  } catch {
    return null;
  }
}

/** The Chromium every Chromium suite runs; exits with the way to get one when there is none. */
export async function chromiumPath() {
  const configured = process.env.CHROME_PATH;
  if (configured) {
    if (!existsSync(configured)) missing(`CHROME_PATH=${configured} does not exist`);
    return configured;
  }
  return (
    first(SYSTEM_CHROMIUM) ??
    (await playwrightChromium()) ??
    missing(
      'No Chromium found: set CHROME_PATH, install one (Debian: apt-get install chromium), or run `npx playwright install chromium`',
    )
  );
}

/** Firefox for the engine suite (`npm run test:engines`). */
export function firefoxPath() {
  const configured = process.env.FIREFOX_PATH;
  if (configured && !existsSync(configured)) missing(`FIREFOX_PATH=${configured} does not exist`);
  return (
    first([configured, '/usr/bin/firefox-esr', '/usr/bin/firefox']) ??
    missing(
      'No Firefox found: set FIREFOX_PATH or install one (Debian: apt-get install firefox-esr)',
    )
  );
}

/** WebKitGTK's MiniBrowser (its directory is named after the machine's architecture). */
function miniBrowserPath() {
  const lib = '/usr/lib';
  const dirs = existsSync(lib) ? readdirSync(lib).map((d) => `${lib}/${d}`) : [];
  return first(
    ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'].flatMap((v) => [
      ...dirs.map((d) => `${d}/${v}/MiniBrowser`),
      `/usr/libexec/${v}/MiniBrowser`,
    ]),
  );
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * Starts WebKitWebDriver on a free port under a virtual display (xvfb-run: MiniBrowser needs a
 * display, and its --headless flag hangs session creation) and waits until it answers.
 * Returns the webdriverio options to reach it and `stop()`.
 */
export async function startWebKitDriver() {
  const driver = first([process.env.WEBKIT_WEBDRIVER, '/usr/bin/WebKitWebDriver']);
  const binary = miniBrowserPath();
  const xvfbRun = first(['/usr/bin/xvfb-run']);
  if (!driver || !binary || !xvfbRun)
    missing(
      'WebKit needs WebKitWebDriver, MiniBrowser and xvfb-run: apt-get install webkit2gtk-driver xvfb xauth',
    );
  const port = await freePort();
  // -a: a free display number. The screen: xvfb-run's default is 640x480 at 8 bits, where the
  // window is smaller than the other engines' pages (a window size of its own is not what these
  // tests compare). Its own process group, so stop() ends Xvfb and the driver too.
  const screen = ['-s', '-screen 0 1280x1024x24'];
  const child = spawn(xvfbRun, ['-a', ...screen, driver, `--port=${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await exited;
  };
  // Answers on /status once listening; 30 s covers Xvfb's start on a loaded machine.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) missing(`WebKitWebDriver exited: ${stderr.trim().split('\n')[0]}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      missing('WebKitWebDriver did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    options: {
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      capabilities: {
        browserName: 'MiniBrowser',
        // webdriverio 9 asks for BiDi by default, which WebKitGTK refuses.
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary, args: ['--automation'] },
      },
    },
    stop,
  };
}

// `node scripts/browser.mjs`: the first step of `npm test` — says which Chromium the suites will
// use, or stops the run at once, before minutes of other suites, with how to get one.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`browser: ${await chromiumPath()}`);
}
