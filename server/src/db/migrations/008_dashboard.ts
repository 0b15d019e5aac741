import { type Kysely, sql } from 'kysely';

/**
 * The seller's dashboard (issue 14; docs/seller.md, "Dashboard"; docs/security.md).
 *
 * - `sellers.email_index`: a keyed hash (BIP_SECRET) of the seller's sign-in email, unique; the
 *   email itself in `email` (the operator typed it; the seller sees it in settings).
 * - `sellers.previous_api_key_hash` / `previous_webhook_secret` and their `_expires_at`: the
 *   credential replaced by the last rotation, honoured until then (the grace period).
 * - `products.edit_version`: bumped by every seller edit, never by buyers' reservations; the
 *   product's ETag, so an edit made against an older version is refused (If-Match → 412).
 * - `seller_codes`: one live sign-in code per seller email, as `buyer_codes` (one implementation,
 *   services/one-time-codes.ts).
 * - `seller_sessions`: dashboard cookie sessions, stored as SHA-256 of the token.
 * - `seller_login_tokens`: development-only one-time sign-in links (`npm start` prints them).
 * - `product_images`: images uploaded through the dashboard, in the database so every process
 *   sharing it serves them (no shared disk needed).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  for (const column of [
    'email',
    'email_index',
    'previous_api_key_hash',
    'previous_api_key_expires_at',
    'previous_webhook_secret',
    'previous_webhook_secret_expires_at',
  ])
    await db.schema.alterTable('sellers').addColumn(column, 'text').execute();
  await db.schema
    .createIndex('sellers_email_index')
    .on('sellers')
    .column('email_index')
    .unique()
    .execute();
  await db.schema
    .createIndex('sellers_previous_api_key')
    .on('sellers')
    .column('previous_api_key_hash')
    .execute();
  await db.schema
    .alterTable('products')
    .addColumn('edit_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('seller_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_index', 'text', (c) => c.notNull().unique())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('seller_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('seller_id', 'text', (c) => c.notNull().references('sellers.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('seller_sessions_seller')
    .on('seller_sessions')
    .column('seller_id')
    .execute();

  await db.schema
    .createTable('seller_login_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('seller_id', 'text', (c) => c.notNull().references('sellers.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('product_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('seller_id', 'text', (c) => c.notNull().references('sellers.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('product_images_product')
    .on('product_images')
    .column('product_id')
    .execute();
}
