import { sql } from 'kysely';
import { iso } from '../util.ts';
import type { ServiceContext } from './context.ts';

const DAY_MS = 24 * 3600_000;

/**
 * What a checkout knows of the buyer, beyond what its totals need: what the buyer typed (email,
 * address, the partial address a wallet shared), where they came from and return to (the post,
 * the page), who they were (the keyed hash of their network), the provider's secret for the
 * page, and the last decline shown to them.
 */
const PERSONAL_COLUMNS = [
  'email',
  'shipping_address',
  'shipping_preview',
  'post_ref',
  'return_url',
  'client_key',
  'payment_secret',
  'last_payment_error',
  'buyer_address_id',
] as const;

/**
 * Forgetting what is kept only for a while (docs/security.md, "What is kept, and how long"):
 * run by the sweeper. A closed checkout — paid, expired, canceled or failed — keeps its
 * product, quantities, totals and status, but its personal data only for
 * `BIP_CHECKOUT_RETENTION_DAYS` after it closed: for a paid one the order is the seller's
 * record, and for the others nobody needs them once the reservation is gone. The seller's
 * webhook events, which carry the order (address, email with consent), keep their payload as
 * long, delivered or not. (Idempotency answers: 24 hours, IdempotencyService.purgeOld.)
 */
export class Retention {
  constructor(private readonly ctx: ServiceContext) {}

  private cutoff(): string {
    return iso(
      new Date(this.ctx.clock.now().getTime() - this.ctx.config.checkoutRetentionDays * DAY_MS),
    );
  }

  /** Empties the personal columns of checkouts closed before the cutoff. Returns how many. */
  async forgetClosedCheckouts(): Promise<number> {
    const res = await this.ctx.db
      .updateTable('checkouts')
      .set(Object.fromEntries(PERSONAL_COLUMNS.map((c) => [c, null])))
      .where('status', 'in', ['paid', 'expired', 'canceled', 'failed'])
      // A closed checkout is written once more when it closes, never after.
      .where('updated_at', '<', this.cutoff())
      .where((eb) => eb.or(PERSONAL_COLUMNS.map((c) => eb(c, 'is not', null))))
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * Empties the payload of webhook events made before the cutoff, leaving their id and type: a
   * delivered one has been received, and one still pending that long (its seller set no webhook
   * URL) is given up rather than delivered weeks late.
   */
  async forgetOldEvents(): Promise<number> {
    const stub = sql<string>`'{"id":"' || id || '","type":"' || type || '","purged":true}'`;
    const res = await this.ctx.db
      .updateTable('outbox_events')
      .set({
        payload: stub,
        status: sql`case when status = 'pending' then 'failed' else status end`,
      })
      .where('created_at', '<', this.cutoff())
      .where('payload', 'not like', '%"purged":true}')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
