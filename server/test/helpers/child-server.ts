// A server in its own OS process, for tests where several processes share one database.
// Reads its configuration from the environment; prints {"url": …} on stdout once listening.
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';

const server = await startServer(loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => {
  server.close().then(() => process.exit(0));
});
