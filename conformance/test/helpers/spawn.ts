import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface Reference {
  url: string;
  sellerKey: string;
  stop(): Promise<void>;
}

/** Starts the reference endpoint (test/helpers/reference-server.ts) and waits for its address. */
export async function startReference(env: Record<string, string> = {}): Promise<Reference> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'reference-server.ts')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  // A server that never starts fails the test instead of holding it forever.
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  try {
    for await (const line of lines) {
      if (!line.startsWith('{"url"')) continue;
      const { url, sellerKey } = JSON.parse(line) as { url: string; sellerKey: string };
      return {
        url,
        sellerKey,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    }
    throw new Error('the reference endpoint exited before it listened');
  } finally {
    clearTimeout(timer);
  }
}
