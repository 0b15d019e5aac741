import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers/processes.ts';
import { client, dialects, freshDatabaseUrl, startTestServer } from './helpers/server.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'buy-in-post-server.js');

function cli(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('BIP_') && k !== 'DATABASE_URL' && k !== 'PORT',
    ),
  );
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'bip-cli-')), 'shop.sqlite');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('command line', () => {
  test('migrate creates the schema once', () => {
    const db = tmpDb();
    const first = cli(['migrate', '--database', db]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Applied: 001_initial/);
    const again = cli(['migrate', '--database', db]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /Already up to date/);
  });

  for (const { name, skip } of dialects()) {
    test(`migrate on ${name}`, { skip }, async () => {
      const url = await freshDatabaseUrl(name);
      const res = cli(['migrate', '--database', url]);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /Applied: 001_initial/);
    });
  }

  test('seller create prints an id and an API key that works', async () => {
    const db = tmpDb();
    const res = cli([
      'seller',
      'create',
      '--name',
      'Nour',
      '--kind',
      'artist',
      '--json',
      '--database',
      db,
    ]);
    assert.equal(res.status, 0, res.stderr);
    const created = JSON.parse(res.stdout);
    assert.match(created.id, /^sel_/);
    assert.match(created.apiKey, /^bip_sk_/);
    const server = await startTestServer('sqlite', {}, { databaseUrl: db });
    try {
      const me = await client(server.url, { Authorization: `Bearer ${created.apiKey}` })(
        'GET',
        '/seller/me',
      );
      assert.equal(me.status, 200);
      assert.equal(me.body.name, 'Nour');
      assert.equal(me.body.kind, 'artist');
    } finally {
      await server.close();
    }
  });

  test('seed --demo makes the demo catalogue, served by the endpoint', async () => {
    const db = tmpDb();
    const res = cli(['seed', '--demo', '--json', '--database', db]);
    assert.equal(res.status, 0, res.stderr);
    const made = JSON.parse(res.stdout) as { sellers: { kind: string; products: string[] }[] };
    assert.deepEqual(made.sellers.map((s) => s.kind).sort(), ['artist', 'brand', 'nonprofit']);
    const ids = made.sellers.flatMap((s) => s.products);
    for (const id of [
      'tour-tee',
      'vinyl-lp',
      'runner-sneakers',
      'shore-tote',
      'shore-donation',
      'digital-album',
    ])
      assert.ok(ids.includes(id), id);
    const server = await startTestServer('sqlite', {}, { databaseUrl: db });
    try {
      const res2 = await client(server.url)('GET', `/products?ids=${ids.join(',')}`);
      assert.equal(res2.body.products.length, ids.length);
      const tee = res2.body.products.find((p: { id: string }) => p.id === 'tour-tee');
      assert.deepEqual(
        tee.options.map((o: { name: string }) => o.name),
        ['Size', 'Colour'],
      );
      assert.equal(tee.variants.length, 8);
      const album = res2.body.products.find((p: { id: string }) => p.id === 'digital-album');
      assert.equal(album.kind, 'digital');
    } finally {
      await server.close();
    }
  });

  test('serve listens, answers health, and shuts down gracefully on SIGTERM', async () => {
    const db = tmpDb();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--port', String(port), '--database', db],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(
        async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/v1/health`)).status === 200;
          } catch {
            return false;
          }
        },
        30_000,
        'the server to answer',
      );
      assert.match(out, new RegExp(`listening on http://127.0.0.1:${port}/v1`));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a bad variable stops the start with its name', () => {
    const res = cli(['serve'], { PORT: 'abc' });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /PORT/);
    const res2 = cli(['migrate', '--database', tmpDb()], { BIP_RESERVATION_SECONDS: '-1' });
    assert.notEqual(res2.status, 0);
    assert.match(res2.stderr, /BIP_RESERVATION_SECONDS/);
  });

  test('an unknown command exits 2 with the usage', () => {
    const res = cli(['frobnicate']);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /Unknown command "frobnicate"/);
    assert.match(res.stderr, /Usage:/);
  });
});
