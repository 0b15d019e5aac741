// SQLite's checkpoints, off the event loop (db/database.ts, `Checkpoints`). Plain JavaScript:
// a worker thread starts without the TypeScript loader the server runs under.
//
// A checkpoint copies the pages committed to the WAL back into the database file; with
// `synchronous = NORMAL` it syncs the WAL first and the database after. Here a connection of its
// own runs them every `intervalMs`, PASSIVE: they never wait for, nor hold up, the server's reads
// and writes. Once everything in the WAL has been copied, the server's next write starts the WAL
// over.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new SQLite(file);
db.pragma('synchronous = NORMAL');

/**
 * Checkpoints until one finds nothing new to copy, at most 20 a turn. The WAL starts over only
 * when the server writes after everything in it has been copied; under steady writes, frames
 * land during each checkpoint (a few milliseconds), and a single one a turn left the WAL growing
 * to the server's own checkpoint at 8,192 pages. Each further one copies only what landed during
 * the one before it, so they are short and soon find nothing (which syncs nothing).
 */
function checkpoint() {
  let frames = -1;
  for (let i = 0; i < 20; i++) {
    const [{ busy, log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (busy || log === frames) return;
    frames = log;
  }
}

const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (err) {
    // Busy or locked: the next turn tries again. Anything else is the server's to hear.
    if (err?.code !== 'SQLITE_BUSY' && err?.code !== 'SQLITE_LOCKED')
      parentPort.postMessage({ error: String(err?.message ?? err) });
  }
}, intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
