// SQLite's checkpoints, off the event loop (db/database.ts, `Checkpoints`). Plain JavaScript:
// a worker thread starts without the TypeScript loader the server runs under.
//
// A checkpoint copies the pages committed to the WAL back into the database file; with
// `synchronous = NORMAL` it syncs the WAL first and the database after. Here a connection of its
// own runs one every `intervalMs`, PASSIVE: it never waits for, nor holds up, the server's reads
// and writes. Once everything in the WAL has been copied, the server's next write starts the WAL
// over.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new SQLite(file);
db.pragma('synchronous = NORMAL');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
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
