import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectName } from './database.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_money_bigint.ts';
import * as m003 from './migrations/003_stripe.ts';
import * as m004 from './migrations/004_wallet.ts';
import * as m005 from './migrations/005_buyer_consents.ts';
import * as m006 from './migrations/006_client_holds.ts';
import * as m007 from './migrations/007_connect.ts';
import * as m008 from './migrations/008_dashboard.ts';
import * as m009 from './migrations/009_product_urls.ts';

/** Migrations in order. Add new ones at the end; never edit one that has shipped. */
function provider(dialect: DialectName): MigrationProvider {
  const all: Record<string, { up(db: Kysely<unknown>, d: DialectName): Promise<void> }> = {
    '001_initial': m001,
    '002_money_bigint': m002,
    '003_stripe': m003,
    '004_wallet': m004,
    '005_buyer_consents': m005,
    '006_client_holds': m006,
    '007_connect': m007,
    '008_dashboard': m008,
    '009_product_urls': m009,
  };
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(all)) out[name] = { up: (db) => m.up(db, dialect) };
      return out;
    },
  };
}

/** Brings the schema up to date. Safe to run from several processes: Kysely takes a lock. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: DialectName,
): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema it can see; on a PostgreSQL server
  // holding several schemas (tenants, tests) it would find another schema's and skip creating
  // ours. Pin them to the schema this connection works in.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: provider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
