import type { Config } from './config.ts';
import { type Db, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger, type Logger } from './log.ts';
import { createPaymentProvider } from './payments/index.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { httpApp } from './routes/index.ts';
import type { ServiceContext } from './services/context.ts';
import { createServices } from './services/index.ts';
import { type Clock, systemClock } from './util.ts';

export interface AppOptions {
  /** An already-open database (tests share one); otherwise `config.databaseUrl` is opened. */
  db?: Db;
  clock?: Clock;
  payments?: PaymentProvider;
  /** The server's logger; by default one for `config.mode` writing to stdout. */
  log?: Logger;
}

export type App = Awaited<ReturnType<typeof createApp>>;

/**
 * Builds the endpoint: opens and migrates the database, wires the services, mounts protocol v1.
 * Listens nowhere — `server.ts` does that — so tests and embedders can mount `app.fetch`.
 */
export async function createApp(config: Config, options: AppOptions = {}) {
  const log = options.log ?? createLogger({ mode: config.mode });
  const db =
    options.db ??
    openDatabase(config.databaseUrl, {
      onIdleError: (err) =>
        log.child({ scope: 'db' }).warn({ err }, 'an idle database connection ended; reconnecting'),
      onCheckpointError: (err) => log.child({ scope: 'db' }).error({ err }, 'SQLite checkpoints'),
    });
  await migrateToLatest(db.kysely as never, db.dialect);
  const ctx: ServiceContext = {
    db: db.kysely,
    dialect: db.dialect,
    changes: db.changes,
    config,
    clock: options.clock ?? systemClock,
    log,
  };
  const services = createServices(ctx, options.payments ?? createPaymentProvider(config));
  const app = httpApp(services, { config, db, log, clock: ctx.clock });

  return {
    app,
    config,
    db,
    services,
    /** The server's logger (what the endpoint says goes through it, redacted). */
    log,
    /** Starts the background work: webhook delivery and the sweep (see Sweeper). */
    startBackground() {
      services.webhooks.start();
      services.sweeper.start();
    },
    async close() {
      await services.sweeper.stop();
      await services.webhooks.stop();
      if (!options.db) await db.close();
    },
  };
}
