// `npm start`: the reference endpoint (demo catalogue, test payments — or Stripe's test mode
// when STRIPE_* keys are set, see docs/stripe.md — SQLite under ./data) and
// the demo pages on one port, offline, no keys. Builds the element first so the pages load the
// same dist/buy-in-post.js a site would.
//
//   PORT=8787 (default)  HOST=127.0.0.1 (default)  any other BIP_* variable of the endpoint
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { build } from 'vite';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { type SeededSeller, seedDemo } from '../server/src/seed.ts';
import { DEMO_JWKS_PATH, demoHost, demoSite, root } from './site.ts';

console.log('Building the element (vite build)…');
await build({ root, logLevel: 'warn', configFile: join(root, 'vite.config.ts') });

const port = process.env.PORT || '8787';
const host = process.env.HOST || '127.0.0.1';
const development = (process.env.BIP_MODE ?? 'development') === 'development';
const publicUrl = (process.env.BIP_PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '');
// The timeline as a host platform with signed-in readers (development only): the endpoint trusts
// its issuer, whose JWKS this same server publishes — fetched over the loopback interface.
const issuer = `${publicUrl}/demo`;
const loopback = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const jwksUrl = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}${DEMO_JWKS_PATH}`;
mkdirSync(join(root, 'data'), { recursive: true });
const config = loadConfig({
  // One demo database per port: the seeded image URLs name the port.
  DATABASE_URL: join(root, 'data', `demo-${port}.sqlite`),
  BIP_MODE: 'development',
  ...(development ? { BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [issuer]: jwksUrl }) } : {}),
  ...process.env,
  PORT: port,
  HOST: host,
});
config.publicUrl = publicUrl;
const endpoint = await createApp(config);
const sellers = await seedOnce();
// One-time sign-in links to the dashboard at /seller/, one per seller (refused outside development).
const dashboardLinks =
  config.mode === 'development' ? await endpoint.services.sellerSessions.devSignInLinks() : [];

const signedInReaders = development
  ? await demoHost({ issuer, audience: () => config.publicUrl })
  : null;
const site = demoSite(endpoint.app, signedInReaders);

const server = serve({ fetch: site.fetch, port: config.port, hostname: config.host }, (info) => {
  const url = `http://localhost:${info.port}`;
  console.log(`\nbuy-in-post demo: ${url}/demo/index.html   (timeline)`);
  console.log(`                  ${url}/demo/blog.html    (one script tag)`);
  console.log(`                  ${url}/demo/seller.html  (the seller's orders)`);
  console.log(`                  ${url}/p/tour-tee        (a product page: what a seller shares)`);
  if (config.mode === 'development')
    console.log(`                  ${url}/demo/mailbox.html (sign-in codes the endpoint "sent")`);
  const payments = config.stripe
    ? `Stripe ${config.stripe.secretKey.includes('_live_') ? 'LIVE' : 'test'} mode${config.stripe.webhookSecret ? '' : ', no STRIPE_WEBHOOK_SECRET: paid when a read asks Stripe'}`
    : 'test payments: card 4242 4242 4242 4242';
  console.log(`endpoint:         ${url}/v1   (SQLite, ${payments})`);
  console.log('\nSeller API keys for the seller page:');
  for (const s of sellers) console.log(`  ${s.name.padEnd(26)} ${s.apiKey}`);
  if (dashboardLinks.length) {
    console.log('\nSeller dashboard, already signed in (each link works once; development only):');
    for (const l of dashboardLinks) console.log(`  ${l.name.padEnd(26)} ${l.url}`);
  }
  console.log('\nCtrl-C to stop.');
});
endpoint.startBackground();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close();
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    endpoint.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

/**
 * Seeds the demo catalogue into an empty database, once. The sellers' API keys are shown only at
 * creation, so they are kept beside the demo database (data/ is git-ignored) to be printed at
 * every start.
 */
async function seedOnce(): Promise<Pick<SeededSeller, 'name' | 'apiKey'>[]> {
  const keysFile = join(root, 'data', `demo-${port}.keys.json`);
  const hasSellers =
    (await endpoint.db.kysely.selectFrom('sellers').select('id').limit(1).execute()).length > 0;
  if (hasSellers) {
    return existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : [];
  }
  const made = await seedDemo(endpoint, { imageBase: `${config.publicUrl}/img` });
  const keys = made.sellers.map(({ name, apiKey }) => ({ name, apiKey }));
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  console.log('Seeded the demo catalogue.');
  return keys;
}
