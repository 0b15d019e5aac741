import type { Kysely } from 'kysely';

/**
 * Products found by their own `url` (`GET /v1/resolve`, the links module: a post's plain link to
 * a product on the seller's site): an index, where each resolve scanned the whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('products_url').on('products').column('url').execute();
}
