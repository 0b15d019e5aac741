import type { Kysely } from 'kysely';

/**
 * Platform mode (Stripe Connect) and refunds (docs/stripe.md, "Platform mode").
 *
 * - `sellers.stripe_account_id`: the seller's connected account, made once (unique: two sellers
 *   never share one); `connect_*`: what Stripe last said of it (`account.updated`, or a read), and
 *   `connect_synced_at` when (Stripe's clock, seconds), so a late, older event changes nothing.
 * - `orders.amount_refunded`: the part of the total given back, in minor units.
 * - `order_refunds`: each refund once, by the provider's id (a refund made through the API is
 *   also reported by its `charge.refunded` event; whichever arrives first records it), with the
 *   transfer reversal and the application fee refund made for it in platform mode.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sellers').addColumn('stripe_account_id', 'text').execute();
  await db.schema
    .createIndex('sellers_stripe_account')
    .on('sellers')
    .column('stripe_account_id')
    .unique()
    .execute();
  for (const column of [
    'connect_charges_enabled',
    'connect_payouts_enabled',
    'connect_details_submitted',
  ])
    await db.schema
      .alterTable('sellers')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  // JSON: the requirements Stripe says are due now (field names), and why charges are disabled.
  await db.schema.alterTable('sellers').addColumn('connect_requirements', 'text').execute();
  await db.schema.alterTable('sellers').addColumn('connect_synced_at', 'bigint').execute();

  await db.schema
    .alterTable('orders')
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('order_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('seller_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    /** `api` (the seller API) or `provider` (the Stripe dashboard, or Stripe's API directly). */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('transfer_reversal_id', 'text')
    .addColumn('fee_refund_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('order_refunds_order')
    .on('order_refunds')
    .column('order_id')
    .execute();
}
