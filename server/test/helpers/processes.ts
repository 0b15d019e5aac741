import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real server in a separate Node process on `databaseUrl`. */
export async function startChildServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'child-server.ts')], {
    cwd: join(here, '..', '..'),
    env: {
      ...process.env,
      BIP_MODE: 'test',
      DATABASE_URL: databaseUrl,
      BIP_CHECKOUT_RATE_LIMIT: '100000',
      // Every test shares 127.0.0.1: the per-client bounds are tested on their own.
      BIP_CHECKOUT_CHANGE_RATE_LIMIT: '100000',
      BIP_CLIENT_MAX_HOLDS: '100000',
      BIP_CLIENT_MAX_UNITS: '100000',
      BIP_WEBHOOK_POLL_MS: '50',
      BIP_WEBHOOK_RETRY_BASE_MS: '50',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('child server did not start within 30 s')),
      30_000,
    );
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line).url);
    });
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `check` until it returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  ms = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
