/**
 * Stock and expiry: the units a checkout holds. Units are taken atomically when a checkout is
 * made or changed, and given back when it is canceled or expires (or sold, in
 * OrderService.markPaid) — whoever gets there first, once.
 */
import { sql } from 'kysely';
import { prepared } from '../../db/prepared.ts';
import type { CheckoutRow } from '../../db/schema.ts';
import { iso } from '../../util.ts';
import { availableUnits } from '../catalog-view.ts';
import type { ServiceContext } from '../context.ts';
import { invalid, ServiceError } from '../errors.ts';
import { type Db, loadCheckout } from './access.ts';
import type { Settlement } from './settlement.ts';

/**
 * Takes `quantity` more units of a variant for a checkout, atomically: the WHERE clause
 * re-checks availability in the same statement that takes the units, so concurrent buyers (or
 * server processes sharing a PostgreSQL database) can never hold more than the stock. Every
 * unit a checkout holds is taken here.
 */
export async function holdUnits(db: Db, variantId: string, quantity: number): Promise<boolean> {
  const res = await takeUnits(db, { variantId, quantity });
  return Number(res.numAffectedRows) === 1;
}

const takeUnits = prepared((db, v: { variantId: string; quantity: number }) =>
  db
    .updateTable('variants')
    .set({ reserved: sql<number>`reserved + ${v.quantity}` })
    .where('id', '=', v.variantId)
    .where((eb) =>
      eb.or([eb('stock', 'is', null), eb(sql<number>`stock - reserved`, '>=', v.quantity)]),
    ),
);

/**
 * Moves a checkout's hold from what it holds to what it now wants (another quantity, or another
 * variant). Each variant row is touched once, two of them in id order — as every writer of two
 * variants takes them — so concurrent changes cannot deadlock on PostgreSQL. Returns false when
 * the units wanted cannot be had; the caller then rolls its transaction back, which gives back
 * anything this took or released.
 */
export async function moveUnits(
  db: Db,
  from: { variantId: string; quantity: number },
  to: { variantId: string; quantity: number },
): Promise<boolean> {
  if (from.variantId === to.variantId) {
    const extra = to.quantity - from.quantity;
    if (extra > 0) return holdUnits(db, to.variantId, extra);
    await releaseUnits(db, from.variantId, -extra);
    return true;
  }
  const steps = [
    { variantId: to.variantId, run: () => holdUnits(db, to.variantId, to.quantity) },
    {
      variantId: from.variantId,
      run: async () => {
        await releaseUnits(db, from.variantId, from.quantity);
        return true;
      },
    },
  ].sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
  for (const step of steps) if (!(await step.run())) return false;
  return true;
}

export async function releaseUnits(db: Db, variantId: string, quantity: number) {
  if (quantity <= 0) return;
  await db
    .updateTable('variants')
    .set({ reserved: sql<number>`reserved - ${quantity}` })
    .where('id', '=', variantId)
    .execute();
}

/** The `out_of_stock` problem for a variant, saying how many units are left. */
export async function outOfStock(db: Db, variantId: string): Promise<ServiceError> {
  const v = await db
    .selectFrom('variants')
    .select(['stock', 'reserved'])
    .where('id', '=', variantId)
    .executeTakeFirstOrThrow();
  const available = availableUnits(v) ?? 0;
  return new ServiceError(
    'out_of_stock',
    available === 0 ? 'This option is sold out' : `Only ${available} left`,
    { errors: [{ field: 'quantity', message: `at most ${available}` }], extra: { available } },
  );
}

/**
 * A product's own cap on the units of a variant one checkout may hold (`maxPerCheckout`, set by
 * its seller), or the `validation_failed` problem naming `quantity`.
 */
export function assertWithinCap(product: { max_per_checkout?: number | null }, quantity: number) {
  const cap = product.max_per_checkout ?? null;
  if (cap !== null && quantity > cap)
    throw invalid(
      [{ field: 'quantity', message: `at most ${cap} per checkout` }],
      `At most ${cap} of this product per checkout`,
    );
}

/**
 * The bounds on what one client (a keyed hash of its network, see http/client-ip.ts) may hold
 * at once: `BIP_CLIENT_MAX_HOLDS` open checkouts, and of one variant `BIP_CLIENT_MAX_UNITS`
 * units, or the product's own `maxPerCheckout` when lower. Checked in the transaction that takes
 * the units, so they hold under concurrency and across processes sharing the database.
 */
export class ClientHolds {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Serialises one client's takes, first thing in the transaction: on PostgreSQL a lock per
   * client held to the end of the transaction, so two processes cannot each see room for one
   * more. SQLite needs none — one writer at a time, and the caller's first statement writes.
   */
  async lock(trx: Db, client: string | null | undefined) {
    if (!client || this.ctx.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtextextended(${`bip-client:${client}`}, 0))`.execute(
      trx,
    );
  }

  /**
   * Refuses (`rate_limited`, with the wait until the client's next hold lapses) when the client,
   * holding `quantity` units of `variantId` in checkout `checkoutId` (its units already taken in
   * this transaction), would hold more than the bounds allow. Call it after {@link lock}.
   */
  async check(
    trx: Db,
    take: {
      client: string | null | undefined;
      checkoutId: string;
      variantId: string;
      quantity: number;
      /** The product's `maxPerCheckout`, which bounds the client's units too. */
      cap: number | null | undefined;
      /** A new checkout (it counts as a hold), not a change of one. */
      newHold: boolean;
    },
  ) {
    const { client } = take;
    if (!client) return;
    const { clientMaxHolds, clientMaxUnits } = this.ctx.config;
    const now = this.ctx.clock.now();
    const [others] = (
      await othersHeld(trx, {
        client,
        checkoutId: take.checkoutId,
        variantId: take.variantId,
        now: iso(now),
      })
    ).rows;
    if (!others) throw new Error('an aggregate answers one row');
    const holds = Number(others.holds);
    const units = Number(others.units ?? 0);
    const maxUnits = Math.min(clientMaxUnits, take.cap ?? Number.POSITIVE_INFINITY);
    const wait = others.next
      ? Math.max(1, Math.ceil((Date.parse(String(others.next)) - now.getTime()) / 1000))
      : 60;
    if (take.newHold && holds + 1 > clientMaxHolds)
      throw new ServiceError(
        'rate_limited',
        `This address already has ${holds} checkouts open; finish or cancel one first`,
        { extra: { retryAfter: wait } },
      );
    if (units + take.quantity > maxUnits)
      throw new ServiceError(
        'rate_limited',
        `This address may hold at most ${maxUnits} of this option at once (it holds ${units} in other checkouts); finish or cancel one first`,
        { extra: { retryAfter: wait } },
      );
  }
}

/** What a client holds in its other open (or being paid) checkouts, for {@link ClientHolds}. */
const othersHeld = prepared(
  (db, v: { client: string; checkoutId: string; variantId: string; now: string }) =>
    db
      .selectFrom('checkouts')
      .select((eb) => [
        eb.fn.countAll<number>().as('holds'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('variant_id', '=', v.variantId)
              .then(eb.ref('reserved_quantity'))
              .else(0)
              .end(),
          )
          .as('units'),
        eb.fn.min('expires_at').as('next'),
      ])
      .where('client_key', '=', v.client)
      .where('id', '!=', v.checkoutId)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'processing'),
          eb.and([eb('status', '=', 'open'), eb('expires_at', '>', v.now)]),
        ]),
      ),
);

/** Closing checkouts: canceled by the buyer, or expired when their reservation lapses. */
export class Expiry {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly settlement: Settlement,
  ) {}

  /** Closes an open checkout and releases its units, once, whoever gets there first. */
  async close(id: string, status: 'expired' | 'canceled'): Promise<boolean> {
    const done = await this.ctx.db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom('checkouts')
        .select(['variant_id', 'reserved_quantity'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const res = await trx
        .updateTable('checkouts')
        .set({ status, reserved_quantity: 0, updated_at: iso(this.ctx.clock.now()) })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await releaseUnits(trx, c.variant_id, c.reserved_quantity);
      return true;
    });
    if (done) await this.settlement.closed(await loadCheckout(this.ctx.db, id));
    return done;
  }

  /** The row, expired first when its reservation has lapsed (checked on every read). */
  async expireIfLapsed(row: CheckoutRow): Promise<CheckoutRow> {
    if (row.status !== 'open' || row.expires_at > iso(this.ctx.clock.now())) return row;
    await this.close(row.id, 'expired');
    return loadCheckout(this.ctx.db, row.id);
  }

  /**
   * Expires open checkouts whose reservation has lapsed and gives their units back. Runs
   * before each reservation (for that variant) and periodically for all.
   */
  async releaseExpired(variantId?: string): Promise<number> {
    const now = iso(this.ctx.clock.now());
    let q = this.ctx.db
      .selectFrom('checkouts')
      .select('id')
      .where('status', '=', 'open')
      .where('expires_at', '<=', now);
    if (variantId) q = q.where('variant_id', '=', variantId);
    const due = await q.limit(500).execute();
    let n = 0;
    for (const { id } of due) if (await this.close(id, 'expired')) n++;
    if (!variantId) n += await this.releaseAbandonedHolds(now);
    return n;
  }

  /**
   * Checkouts held for a payment that never finished (the page closed mid-payment, a webhook
   * lost, the process died between the claim and the order): the provider is asked, an attempt
   * stuck in progress is canceled there, and what is not being paid after all expires (see
   * Settlement.releaseStale). A provider that cannot be reached leaves them held until it can.
   */
  private async releaseAbandonedHolds(now: string): Promise<number> {
    const held = await this.ctx.db
      .selectFrom('checkouts')
      .selectAll()
      .where('status', '=', 'processing')
      .where('expires_at', '<=', now)
      .limit(100)
      .execute();
    let n = 0;
    for (const row of held) {
      const after = await this.settlement.releaseStale(row);
      if (after.status === 'open' && (await this.close(row.id, 'expired'))) n++;
    }
    return n;
  }
}
