import type { Kysely } from 'kysely';
import type { BuyerRow, Database } from '../db/schema.ts';
import type { ShippingAddress } from '../protocol/checkouts.ts';
import { type Clock, canonicalJson, iso, newId } from '../util.ts';
import { bindingOf, newDataKey, open, seal } from './crypto.ts';
import type { KeyRing } from './keys.ts';

/** Addresses a wallet keeps; saving one more forgets the least recently used. */
export const MAX_ADDRESSES = 10;

export interface StoredAddress {
  id: string;
  address: ShippingAddress;
  lastUsedAt: string;
}

const dataKeyBinding = (buyerId: string) => bindingOf('buyers', buyerId, 'data_key');
const emailBinding = (buyerId: string) => bindingOf('buyers', buyerId, 'email');
const addressBinding = (addressId: string) => bindingOf('buyer_addresses', addressId, 'address');

/**
 * The wallet's rows, sealed and opened: every personal value goes through here, so nothing
 * else handles keys. Each method takes the database handle to work in (the caller's
 * transaction, usually).
 */
export class BuyerRepository {
  constructor(
    private readonly keys: KeyRing,
    private readonly clock: Clock,
  ) {}

  emailIndex(normalizedEmail: string): string {
    return this.keys.index('email', normalizedEmail);
  }

  subjectIndex(issuer: string, subject: string): string {
    // Length-prefixed, so ("a|b", "c") and ("a", "b|c") never collide.
    return this.keys.index('subject', `${issuer.length}:${issuer}|${subject}`);
  }

  /** A new wallet with its own data key, wrapped by the current key-encryption key. */
  async create(db: Kysely<Database>, email: string | null): Promise<BuyerRow> {
    const id = newId('byr');
    const dataKey = newDataKey();
    const { keyId, wrapped } = this.keys.wrap(dataKey, dataKeyBinding(id));
    const now = iso(this.clock.now());
    const row: BuyerRow = {
      id,
      email_index: email === null ? null : this.emailIndex(email),
      email_sealed: email === null ? null : seal(dataKey, email, emailBinding(id)),
      key_id: keyId,
      data_key: wrapped,
      stripe_customer_id: null,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('buyers').values(row).execute();
    return row;
  }

  async byId(db: Kysely<Database>, id: string): Promise<BuyerRow | undefined> {
    return db.selectFrom('buyers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byEmail(db: Kysely<Database>, normalizedEmail: string): Promise<BuyerRow | undefined> {
    return db
      .selectFrom('buyers')
      .selectAll()
      .where('email_index', '=', this.emailIndex(normalizedEmail))
      .executeTakeFirst();
  }

  async byIdentity(
    db: Kysely<Database>,
    issuer: string,
    subject: string,
  ): Promise<BuyerRow | undefined> {
    return db
      .selectFrom('buyer_identities')
      .innerJoin('buyers', 'buyers.id', 'buyer_identities.buyer_id')
      .selectAll('buyers')
      .where('buyer_identities.issuer', '=', issuer)
      .where('buyer_identities.subject_index', '=', this.subjectIndex(issuer, subject))
      .executeTakeFirst();
  }

  async addIdentity(db: Kysely<Database>, buyerId: string, issuer: string, subject: string) {
    await db
      .insertInto('buyer_identities')
      .values({
        id: newId('bid'),
        buyer_id: buyerId,
        issuer,
        subject_index: this.subjectIndex(issuer, subject),
        created_at: iso(this.clock.now()),
      })
      .execute();
  }

  /** The buyer's data key; throws WalletKeyError if its key-encryption key is gone. */
  dataKey(row: BuyerRow): Buffer {
    return this.keys.unwrap(row.key_id, row.data_key, dataKeyBinding(row.id));
  }

  email(row: BuyerRow, dataKey = this.dataKey(row)): string | null {
    return row.email_sealed === null
      ? null
      : open(dataKey, row.email_sealed, emailBinding(row.id)).toString('utf8');
  }

  async setEmail(db: Kysely<Database>, row: BuyerRow, email: string): Promise<void> {
    await db
      .updateTable('buyers')
      .set({
        email_index: this.emailIndex(email),
        email_sealed: seal(this.dataKey(row), email, emailBinding(row.id)),
        updated_at: iso(this.clock.now()),
      })
      .where('id', '=', row.id)
      .execute();
  }

  /** Most recently used first. */
  async addresses(
    db: Kysely<Database>,
    row: BuyerRow,
    dataKey = this.dataKey(row),
  ): Promise<StoredAddress[]> {
    const rows = await db
      .selectFrom('buyer_addresses')
      .selectAll()
      .where('buyer_id', '=', row.id)
      .orderBy('last_used_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      address: JSON.parse(open(dataKey, r.sealed, addressBinding(r.id)).toString('utf8')),
      lastUsedAt: r.last_used_at,
    }));
  }

  /**
   * Keeps `address` (or marks the same one, already kept, as just used) and forgets the least
   * recently used beyond {@link MAX_ADDRESSES}. Equality is decided on the opened values: an
   * index of addresses would let anyone with the index key tell who lives together.
   */
  async saveAddress(db: Kysely<Database>, row: BuyerRow, address: ShippingAddress) {
    const dataKey = this.dataKey(row);
    const kept = await this.addresses(db, row, dataKey);
    // Later than the latest use, even within its millisecond: "most recent first" never ties.
    const latest = kept[0]?.lastUsedAt;
    let now = iso(this.clock.now());
    if (latest && latest >= now) now = iso(new Date(Date.parse(latest) + 1));
    const same = kept.find((k) => canonicalJson(k.address) === canonicalJson(address));
    if (same) {
      await db
        .updateTable('buyer_addresses')
        .set({ last_used_at: now })
        .where('id', '=', same.id)
        .execute();
      return same.id;
    }
    const id = newId('adr');
    await db
      .insertInto('buyer_addresses')
      .values({
        id,
        buyer_id: row.id,
        sealed: seal(dataKey, JSON.stringify(address), addressBinding(id)),
        last_used_at: now,
        created_at: now,
      })
      .execute();
    const forget = kept.slice(MAX_ADDRESSES - 1).map((k) => k.id);
    if (forget.length) await db.deleteFrom('buyer_addresses').where('id', 'in', forget).execute();
    return id;
  }

  /** Re-seals `from`'s addresses under `to`'s data key and gives them to `to`. */
  async moveAddresses(db: Kysely<Database>, from: BuyerRow, to: BuyerRow): Promise<void> {
    const toKey = this.dataKey(to);
    for (const a of await this.addresses(db, from)) {
      await db
        .updateTable('buyer_addresses')
        .set({
          buyer_id: to.id,
          sealed: seal(toKey, JSON.stringify(a.address), addressBinding(a.id)),
        })
        .where('id', '=', a.id)
        .execute();
    }
  }

  /**
   * Re-wraps the buyer's data key with the current key-encryption key (the data key and every
   * value sealed with it stay as they are). False when another process got there first.
   */
  async rewrap(db: Kysely<Database>, row: BuyerRow): Promise<boolean> {
    const { keyId, wrapped } = this.keys.wrap(this.dataKey(row), dataKeyBinding(row.id));
    const res = await db
      .updateTable('buyers')
      .set({ key_id: keyId, data_key: wrapped, updated_at: iso(this.clock.now()) })
      .where('id', '=', row.id)
      .where('key_id', '=', row.key_id)
      .where('data_key', '=', row.data_key)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }
}
