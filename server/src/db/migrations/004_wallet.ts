import type { Kysely } from 'kysely';

/**
 * The buyer's wallet (docs/wallet.md). Personal data is sealed (AES-256-GCM) with a data key per
 * buyer, kept wrapped by a key-encryption key (`key_id` names it) in the buyer's own row, so
 * deleting the row shreds everything sealed with it. Look-ups go through keyed HMAC indexes
 * (`email_index`, `subject_index`), never through plaintext.
 *
 * - `buyers`: the sealed email (a wallet opened by a host sign-in may have none yet), the
 *   wrapped data key, and later the Stripe customer id.
 * - `buyer_identities`: host platforms' users linked to a wallet, as (issuer, HMAC(sub)).
 * - `buyer_addresses`: sealed shipping addresses, most recently used first.
 * - `buyer_payment_methods`: the test provider's saved cards (brand and last four only).
 * - `buyer_sessions`: opaque bearer tokens, stored as SHA-256 hashes.
 * - `buyer_codes`: one live email code per address, stored as a keyed hash, with its attempts.
 * - `buyer_token_uses`: host-token `jti`s seen, kept until the token expires (single use).
 * - `rate_limit_counters`: fixed-window counters shared by every process on the database.
 * - `orders.buyer_id`, `checkouts.buyer_id`: which wallet bought; set to null on erasure, the
 *   order itself is a record the seller must keep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('buyers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_index', 'text', (c) => c.unique())
    .addColumn('email_sealed', 'text')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('data_key', 'text', (c) => c.notNull())
    .addColumn('stripe_customer_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('buyers_key_id').on('buyers').column('key_id').execute();

  await db.schema
    .createTable('buyer_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject_index', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('buyer_identities_subject', ['issuer', 'subject_index'])
    .execute();
  await db.schema
    .createIndex('buyer_identities_buyer')
    .on('buyer_identities')
    .column('buyer_id')
    .execute();

  await db.schema
    .createTable('buyer_addresses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('buyer_addresses_buyer')
    .on('buyer_addresses')
    .column('buyer_id')
    .execute();

  await db.schema
    .createTable('buyer_payment_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('exp_month', 'integer')
    .addColumn('exp_year', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('buyer_payment_methods_buyer')
    .on('buyer_payment_methods')
    .column('buyer_id')
    .execute();

  await db.schema
    .createTable('buyer_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('buyer_sessions_buyer')
    .on('buyer_sessions')
    .column('buyer_id')
    .execute();

  await db.schema
    .createTable('buyer_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_index', 'text', (c) => c.notNull().unique())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('buyer_token_uses')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('jti_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('buyer_token_uses_pk', ['issuer', 'jti_hash'])
    .execute();

  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['bucket', 'window_start'])
    .execute();

  for (const table of ['orders', 'checkouts']) {
    await db.schema
      .alterTable(table)
      .addColumn('buyer_id', 'text', (c) => c.references('buyers.id'))
      .execute();
    await db.schema.createIndex(`${table}_buyer`).on(table).column('buyer_id').execute();
  }
}
