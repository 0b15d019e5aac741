import { type Kysely, sql } from 'kysely';

/**
 * Money columns become 64-bit on PostgreSQL, where `integer` is 32-bit: a price the protocol
 * allows (up to 10^10 minor units) or a checkout total over 2^31 − 1 minor units (21 million
 * dollars, or only about 1,300 dollars' worth of rupiah) failed there with a database error.
 * SQLite integers are 64-bit already.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect !== 'postgres') return;
  const money: Record<string, string[]> = {
    variants: ['price', 'compare_at_price'],
    checkouts: ['subtotal', 'shipping', 'tax', 'total'],
    orders: ['unit_price', 'subtotal', 'shipping', 'tax', 'total'],
  };
  for (const [table, columns] of Object.entries(money)) {
    const changes = columns.map((c) => sql`alter column ${sql.ref(c)} type bigint`);
    await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
  }
}
