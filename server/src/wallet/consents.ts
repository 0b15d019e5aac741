import type { Kysely, Transaction } from 'kysely';
import type { BuyerConsentRow, Database } from '../db/schema.ts';
import type { BuyerConsent } from '../protocol/saved-details.ts';
import { enqueueEvent } from '../services/outbox.ts';
import { iso, newId } from '../util.ts';

/**
 * Per-seller consent to see the buyer's email (docs/wallet.md, "Sharing the email"). Granted by
 * the share-email tick on a checkout the buyer paid; withdrawn in one call; on erasure each
 * seller that ever held a grant is told (`buyer.erased`), since it received the email with an
 * order. No personal data here: ids and times only.
 */

/**
 * Records (or renews) the buyer's grant to a seller. Called in the transaction that writes the
 * order, so a grant exists exactly when an order carried the email to that seller.
 */
export async function grantConsent(
  trx: Transaction<Database>,
  buyerId: string,
  sellerId: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('buyer_consents')
    .values({
      id: newId('bcn'),
      buyer_id: buyerId,
      seller_id: sellerId,
      granted_at: iso(now),
      withdrawn_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['buyer_id', 'seller_id'])
        .doUpdateSet({ granted_at: iso(now), withdrawn_at: null }),
    )
    .execute();
}

/** The sellers the buyer lets see their email now, most recent grant first. */
export async function activeConsents(
  db: Kysely<Database>,
  buyerId: string,
): Promise<BuyerConsent[]> {
  const rows = await db
    .selectFrom('buyer_consents')
    .innerJoin('sellers', 'sellers.id', 'buyer_consents.seller_id')
    .select(['buyer_consents.seller_id', 'sellers.name', 'buyer_consents.granted_at'])
    .where('buyer_consents.buyer_id', '=', buyerId)
    .where('buyer_consents.withdrawn_at', 'is', null)
    .orderBy('buyer_consents.granted_at', 'desc')
    .orderBy('buyer_consents.seller_id')
    .execute();
  return rows.map((r) => ({ sellerId: r.seller_id, sellerName: r.name, grantedAt: r.granted_at }));
}

/** Withdraws a live grant; false when there is none (unknown seller, or already withdrawn). */
export async function withdrawConsent(
  db: Kysely<Database>,
  buyerId: string,
  sellerId: string,
  now: Date,
): Promise<boolean> {
  const res = await db
    .updateTable('buyer_consents')
    .set({ withdrawn_at: iso(now) })
    .where('buyer_id', '=', buyerId)
    .where('seller_id', '=', sellerId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/**
 * Erasure (GDPR Art. 19): queues a signed `buyer.erased` webhook, in the erasing transaction, to
 * every seller that held a grant — withdrawn ones too, as they received the email before —
 * naming the orders that carried it (never the email itself). Returns how many were queued.
 */
export async function noticeErasure(
  trx: Transaction<Database>,
  buyerId: string,
  now: Date,
): Promise<number> {
  const sellers = await trx
    .selectFrom('buyer_consents')
    .select('seller_id')
    .where('buyer_id', '=', buyerId)
    .orderBy('seller_id')
    .execute();
  for (const { seller_id } of sellers) {
    const orders = await trx
      .selectFrom('orders')
      .select(['id', 'number'])
      .where('buyer_id', '=', buyerId)
      .where('seller_id', '=', seller_id)
      .where('email', 'is not', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    await enqueueEvent(trx, seller_id, 'buyer.erased', { orders }, now);
  }
  return sellers.length;
}

/**
 * Two wallets become one: `to` takes `from`'s grants. Where both granted the same seller, the
 * later grant stays (a live one over a withdrawn one).
 */
export async function moveConsents(trx: Kysely<Database>, fromId: string, toId: string) {
  const theirs = await trx
    .selectFrom('buyer_consents')
    .selectAll()
    .where('buyer_id', '=', fromId)
    .execute();
  for (const c of theirs) {
    const mine = await trx
      .selectFrom('buyer_consents')
      .selectAll()
      .where('buyer_id', '=', toId)
      .where('seller_id', '=', c.seller_id)
      .executeTakeFirst();
    if (!mine) {
      await trx
        .updateTable('buyer_consents')
        .set({ buyer_id: toId })
        .where('id', '=', c.id)
        .execute();
      continue;
    }
    if (outranks(c, mine))
      await trx
        .updateTable('buyer_consents')
        .set({ granted_at: c.granted_at, withdrawn_at: c.withdrawn_at })
        .where('id', '=', mine.id)
        .execute();
    await trx.deleteFrom('buyer_consents').where('id', '=', c.id).execute();
  }
}

/** A live grant outranks a withdrawn one; otherwise the later grant wins. */
function outranks(a: BuyerConsentRow, b: BuyerConsentRow): boolean {
  const aLive = a.withdrawn_at === null;
  const bLive = b.withdrawn_at === null;
  return aLive !== bLive ? aLive : a.granted_at > b.granted_at;
}
