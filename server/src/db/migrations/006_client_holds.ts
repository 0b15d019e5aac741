import type { Kysely } from 'kysely';

/**
 * What one client may hold (issue 12, defect 3; docs/security.md).
 *
 * - `checkouts.client_key`: who made the checkout, as a keyed hash of its network (an IPv4
 *   address, an IPv6 /64) — never the address itself. The units and open holds of one client are
 *   counted through it, with the index below; it is forgotten with the rest of an abandoned
 *   checkout's personal data (the sweeper).
 * - `products.max_per_checkout`: the most units of a variant of the product one checkout — and
 *   one client, across its checkouts — may hold (null: the endpoint's own bounds only).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkouts').addColumn('client_key', 'text').execute();
  await db.schema
    .createIndex('checkouts_client_status')
    .on('checkouts')
    .columns(['client_key', 'status'])
    .execute();
  await db.schema.alterTable('products').addColumn('max_per_checkout', 'integer').execute();
}
