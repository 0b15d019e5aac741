import type { Kysely } from 'kysely';

/**
 * Stripe payments. A checkout remembers how it is paid (`payment_mode`: Payment Element on the
 * page, or Stripe's hosted page), what the payment provider handed out for it (`payment_secret`:
 * a PaymentIntent's client secret, or a hosted page's URL), and for which amount
 * (`payment_amount`), so a changed total is noticed without asking Stripe. `return_url` is where
 * a hosted page sends the buyer back; `shipping_preview` is the partial address a wallet shares
 * before the buyer authorises (enough to price shipping). `stripe_events` makes each webhook
 * event count once, however often or late Stripe delivers it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('checkouts')
    .addColumn('payment_mode', 'text', (c) => c.notNull().defaultTo('elements'))
    .execute();
  await db.schema.alterTable('checkouts').addColumn('payment_secret', 'text').execute();
  await db.schema.alterTable('checkouts').addColumn('payment_amount', 'bigint').execute();
  await db.schema.alterTable('checkouts').addColumn('return_url', 'text').execute();
  await db.schema.alterTable('checkouts').addColumn('shipping_preview', 'text').execute();
  await db.schema
    .createIndex('checkouts_payment_ref')
    .on('checkouts')
    .column('payment_ref')
    .execute();
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('checkout_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}
