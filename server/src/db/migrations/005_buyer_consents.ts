import type { Kysely } from 'kysely';

/**
 * The wallet meets the checkout (issue 10, phase 2; docs/wallet.md).
 *
 * - `buyer_consents`: a buyer let a seller see their email (the share-email tick on a paid
 *   checkout). One row per buyer and seller: granted again it is renewed, withdrawn it keeps
 *   `withdrawn_at`. Erasure tells each seller listed here (`buyer.erased`), then deletes the rows.
 * - `buyer_payment_methods.test_outcome`: what a saved test card does when paid with (null: it
 *   pays; otherwise the decline code), kept instead of its number.
 * - `checkouts.buyer_address_id`: the saved address a checkout ships to, when it came from the
 *   wallet (it is then not saved again after payment, only marked as used).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('buyer_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
    .addColumn('seller_id', 'text', (c) => c.notNull().references('sellers.id'))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addUniqueConstraint('buyer_consents_buyer_seller', ['buyer_id', 'seller_id'])
    .execute();

  await db.schema.alterTable('buyer_payment_methods').addColumn('test_outcome', 'text').execute();

  await db.schema.alterTable('checkouts').addColumn('buyer_address_id', 'text').execute();
}
