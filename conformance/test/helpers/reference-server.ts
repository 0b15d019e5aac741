// The reference endpoint in a process of its own, for the kit's tests: a fresh database (SQLite,
// or a new schema on TEST_POSTGRES_URL with DIALECT=postgres), test mode, the per-client bounds
// lifted (the kit is one client doing what many buyers would), short reservations and webhook
// retries so the kit sees them within its wait. Prints {"url", "sellerKey"} once listening.
import { type DialectName, startTestServer } from '../../../server/test/helpers/server.ts';

const dialect = (process.env.DIALECT ?? 'sqlite') as DialectName;
const server = await startTestServer(dialect, {
  // Long enough for a checkout's whole story on a loaded machine, short enough for the kit to
  // see one lapse (CHECKOUT-EXPIRY) within its wait.
  BIP_RESERVATION_SECONDS: process.env.BIP_RESERVATION_SECONDS ?? '12',
  BIP_WEBHOOK_RETRY_BASE_MS: '200',
  BIP_WEBHOOK_POLL_MS: '50',
});
const seller = await server.app.services.sellers.create({
  name: 'Conformance seller',
  kind: 'other',
  currency: 'USD',
});
process.stdout.write(`${JSON.stringify({ url: server.url, sellerKey: seller.apiKey })}\n`);
process.on('SIGTERM', () => {
  server.close().then(() => process.exit(0));
});
