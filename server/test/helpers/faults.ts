/**
 * Fault injection for test/faults.test.ts: a server in its own process that can be killed with
 * SIGKILL, a TCP proxy that takes PostgreSQL away and brings it back, a tiny tmpfs that fills
 * up, and a database trigger that holds the order write open long enough to crash inside it.
 * Everything acts from outside the server — signals, sockets, the file system, the database —
 * never through its code.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DbReader } from './invariants.ts';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// A server process to kill

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** What the server logged (its stderr), for failure messages. */
  log(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGKILL: no handler runs, nothing is flushed, the database sees the connection drop. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real server (test/helpers/child-server.ts) in its own process on `databaseUrl`, its
 * stderr kept rather than printed: fault tests make it log a lot, on purpose.
 */
export async function spawnServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => {
    log = (log + d).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded 2-core machine (tsx compiling, PostgreSQL busy) can take this long.
    const timer = setTimeout(() => {
      // A server that never said where it listens is nobody's to stop: kill it here, or it keeps
      // the test file (and the whole run) alive.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 90 s:\n${log}`));
    }, 90_000);
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${log}`)),
    );
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line).url);
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    process: child,
    log: () => log,
    alive,
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL that goes away

/** A TCP proxy in front of PostgreSQL: `stop()` cuts every connection and refuses new ones. */
export class TcpProxy {
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    // Back on the same port: the server's connection string names it.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `url` (the test database) reached through `port` on 127.0.0.1, its connections named `tag`. */
export function throughPort(url: string, port: number, tag: string): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  u.searchParams.set('application_name', tag);
  return u.toString();
}

/** Names a server's PostgreSQL connections, so a test can find (and end) exactly those. */
export function tagged(url: string, tag: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', tag);
  return u.toString();
}

/**
 * Ends the PostgreSQL sessions named `tag` from a connection of the test's own, as a database
 * restart or failover does; waits until they are gone. Returns how many there were.
 */
export async function terminateSessions(adminUrl: string, tag: string): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1',
      [tag],
    );
    for (let i = 0; i < 200; i++) {
      const left = await admin.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [tag],
      );
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return rows.length;
  } finally {
    await admin.end();
  }
}

/** True while a session named `tag` sits in the trigger's pg_sleep (inside the order write). */
export async function sleepingInOrderWrite(adminUrl: string, tag: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = $1 AND wait_event = 'PgSleep'`,
      [tag],
    );
    return rows[0].n > 0;
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The order write, held open

/**
 * Makes every order insert take long (a trigger that spins on SQLite, sleeps on PostgreSQL),
 * so a kill lands between the checkout's "processing" claim and its order, every time.
 * Returns the undo.
 */
export async function slowOrderWrites(db: DbReader): Promise<() => Promise<void>> {
  if (db.dialect === 'sqlite') {
    // SQLite triggers cannot sleep (nor use WITH): a three-way join of 400 rows is ~64M steps.
    await db.all('CREATE TABLE fault_spin (x INTEGER)');
    await db.all(
      'INSERT INTO fault_spin (x) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) SELECT x FROM c',
    );
    await db.all(
      'CREATE TRIGGER fault_slow_order BEFORE INSERT ON orders BEGIN SELECT count(*) FROM fault_spin a, fault_spin b, fault_spin c; END',
    );
    return async () => {
      await db.all('DROP TRIGGER fault_slow_order');
      await db.all('DROP TABLE fault_spin');
    };
  }
  await db.all(
    `CREATE FUNCTION fault_slow_order() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$`,
  );
  await db.all(
    'CREATE TRIGGER fault_slow_order BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION fault_slow_order()',
  );
  return async () => {
    await db.all('DROP TRIGGER fault_slow_order ON orders');
    await db.all('DROP FUNCTION fault_slow_order()');
  };
}

// ---------------------------------------------------------------------------------------------
// A full disk

export interface TinyDisk {
  dir: string;
  /** Writes a filler file until the disk refuses more (ENOSPC). */
  fill(): void;
  /** Frees `bytes` of the filler (all of it when omitted). */
  free(bytes?: number): void;
  unmount(): void;
}

/**
 * A tmpfs of `size` mounted in a fresh directory (needs root, as CI and these machines run).
 * Throws when mounting is impossible; the caller skips with that message.
 */
export function mountTinyDisk(size = '8m'): TinyDisk {
  const dir = mkdtempSync(join(tmpdir(), 'bip-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  const filler = join(dir, 'filler');
  let filled = 0;
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(4096, 1);
      const fd = openSync(filler, 'a');
      try {
        for (;;) {
          writeSync(fd, chunk);
          filled += chunk.length;
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free(bytes) {
      filled = bytes === undefined ? 0 : Math.max(0, filled - bytes);
      if (filled === 0) rmSync(filler, { force: true });
      else truncateSync(filler, filled);
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reproducible randomness for the kill loop

/** mulberry32: a tiny seeded PRNG, so a kill loop's timing choices replay from its seed. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
