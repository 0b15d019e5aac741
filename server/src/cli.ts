import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { SellerKind } from './protocol/products.ts';
import { seedDemo } from './seed.ts';
import { closeOnSignals, startServer } from './server.ts';
import { ServiceError } from './services/errors.ts';
import { rotateWalletKeys } from './wallet/cli.ts';

const HELP = `buy-in-post-server — the reference commerce endpoint for <buy-in-post>

Usage:
  buy-in-post-server serve   [--port N] [--host H] [--database <sqlite path | postgres URL>]
  buy-in-post-server demo    [--port N] [--database …]   serve, after seeding the demo catalogue once
  buy-in-post-server migrate [--database …]
  buy-in-post-server seller create --name NAME [--email EMAIL] [--kind artist|brand|nonprofit|other] [--currency USD] [--json]
                                   --email invites the seller to the dashboard (/seller/): they sign in with a mailed code
  buy-in-post-server seed --demo [--json] [--database …]
  buy-in-post-server wallet rotate-keys [--database …]   re-wrap every buyer's data key with the current BIP_WALLET_KEYS key

Environment: see docs/configuration in the README (PORT, DATABASE_URL, BIP_*).`;

/** Runs a command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      database: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      kind: { type: 'string', default: 'other' },
      currency: { type: 'string', default: 'USD' },
      json: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  let config: Config;
  try {
    const env = { ...process.env };
    if (values.database) env.DATABASE_URL = values.database;
    if (values.port) env.PORT = values.port;
    if (values.host) env.HOST = values.host;
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }

  switch (command) {
    case 'serve':
    case 'demo': {
      if (command === 'demo') {
        const app = await createApp(config);
        const existing = await app.db.kysely.selectFrom('sellers').select('id').limit(1).execute();
        if (existing.length === 0) {
          const made = await seedDemo(app);
          console.log('Seeded the demo catalogue. Seller API keys (shown once):');
          for (const s of made.sellers)
            console.log(`  ${s.name}: ${s.apiKey}  (products: ${s.products.join(', ')})`);
        }
        await app.close();
      }
      const server = await startServer(config);
      closeOnSignals(server);
      console.log(
        `buy-in-post endpoint listening on ${server.url}/v1 (${server.app.db.dialect}, payments: ${server.app.services.payments.name}, ${config.mode} mode)`,
      );
      if (command === 'demo' && config.mode === 'development') {
        console.log('Seller dashboard, signed in (each link works once; development only):');
        for (const link of await server.app.services.sellerSessions.devSignInLinks())
          console.log(`  ${link.name}: ${link.url}`);
      }
      return new Promise<number>(() => {}); // runs until a signal
    }
    case 'migrate': {
      const db = openDatabase(config.databaseUrl);
      const done = await migrateToLatest(db.kysely as never, db.dialect);
      await db.close();
      console.log(done.length ? `Applied: ${done.join(', ')}` : 'Already up to date');
      return 0;
    }
    case 'seller': {
      if (sub !== 'create' || !values.name) {
        console.error(
          'Usage: buy-in-post-server seller create --name NAME [--email EMAIL] [--kind …] [--currency USD] [--json]',
        );
        return 2;
      }
      const kind = SellerKind.safeParse(values.kind);
      if (!kind.success || !/^[A-Za-z]{3}$/.test(values.currency)) {
        console.error(
          '--kind must be artist, brand, nonprofit or other; --currency an ISO 4217 code',
        );
        return 2;
      }
      const email = values.email === undefined ? undefined : z.email().safeParse(values.email);
      if (email && !email.success) {
        console.error('--email must be an email address');
        return 2;
      }
      const app = await createApp(config);
      try {
        const created = await app.services.sellers.create({
          name: values.name,
          kind: kind.data,
          currency: values.currency,
          ...(email ? { email: email.data } : {}),
        });
        if (values.json) console.log(JSON.stringify(created));
        else {
          console.log(
            `Seller ${created.id} created.\nAPI key (shown once): ${created.apiKey}\nWebhook secret: ${created.webhookSecret}`,
          );
          if (created.email)
            console.log(
              `Invited: ${created.email} signs in at ${config.publicUrl}/seller/ with a code mailed there.`,
            );
        }
      } catch (err) {
        if (err instanceof ServiceError) {
          console.error(err.detail ?? err.code);
          return 2;
        }
        throw err;
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'seed': {
      if (!values.demo) {
        console.error('Usage: buy-in-post-server seed --demo [--json]');
        return 2;
      }
      const app = await createApp(config);
      const made = await seedDemo(app);
      await app.close();
      if (values.json) console.log(JSON.stringify(made, null, 2));
      else
        for (const s of made.sellers)
          console.log(`${s.name} (${s.id}): ${s.products.join(', ')}\n  API key: ${s.apiKey}`);
      return 0;
    }
    case 'wallet': {
      if (sub !== 'rotate-keys') {
        console.error('Usage: buy-in-post-server wallet rotate-keys [--database …]');
        return 2;
      }
      return rotateWalletKeys(config);
    }
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}
