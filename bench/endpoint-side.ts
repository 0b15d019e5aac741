// One side of bench/endpoint-ab.ts: starts the endpoint of the checkout at argv[2] (a repository
// root) on a fresh SQLite file in a temp directory, seeds the demo catalogue, prints
// `URL <base>` and runs until SIGTERM. Imports that checkout's own server code, so an older
// checkout (a git worktree) runs as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
const from = (path: string) => import(pathToFileURL(join(root, 'server', 'src', path)).href);
const { loadConfig } = await from('config.ts');
const { seedDemo } = await from('seed.ts');
const { startServer } = await from('server.ts');

const dir = mkdtempSync(join(tmpdir(), 'bip-ab-'));
const server = await startServer(
  loadConfig({
    BIP_MODE: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: join(dir, 'ab.sqlite'),
    // As bench/server.bench.ts: each checkout comes from a client of its own.
    BIP_CHECKOUT_RATE_LIMIT: '1000000000',
    BIP_TRUST_PROXY: 'true',
  }),
);
await seedDemo(server.app);
console.log(`URL ${server.url}`);
process.once('SIGTERM', async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
