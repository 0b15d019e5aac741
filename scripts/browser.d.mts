// Types of scripts/browser.mjs (plain JavaScript: web-test-runner's configs load it untransformed).

/** Chromium flags for these machines: no sandbox as root, no outside calls. */
export const CHROMIUM_ARGS: string[];
/** The Chromium every Chromium suite runs; exits with the way to get one when there is none. */
export function chromiumPath(): Promise<string>;
/** Firefox for the engine suite. */
export function firefoxPath(): string;
/** WebKitWebDriver on a free port under xvfb-run, and the webdriverio options to reach it. */
export function startWebKitDriver(): Promise<{
  options: {
    hostname: string;
    port: number;
    logLevel: 'error';
    capabilities: Record<string, unknown>;
  };
  stop(): Promise<void>;
}>;
