import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Config } from '../config.ts';
import type { Database, OutboxEventRow } from '../db/schema.ts';
import { AddressGuard, postGuarded, type Resolver } from '../net/ssrf.ts';
import type { WebhookDelivery } from '../protocol/seller.ts';
import { iso, newId } from '../util.ts';
import type { ServiceContext } from './context.ts';

export const SIGNATURE_HEADER = 'BuyInPost-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp stops replays. With
 * several secrets (a rotation's grace period: the new one first), one `v1=` for each.
 */
export function signWebhook(
  body: string,
  secret: string | readonly string[],
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const macs = (typeof secret === 'string' ? [secret] : secret).map(
    (s) => `v1=${createHmac('sha256', s).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  return `t=${timestamp},${macs.join(',')}`;
}

/**
 * What a seller's receiver runs: true when `header` signs `body` with `secret` and is no older
 * than `toleranceSeconds`. Compare the raw body, before any JSON parsing.
 */
export function verifyWebhook(
  body: string,
  header: string | null | undefined,
  secret: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  if (!header) return false;
  // Pairs, not an object: the header's names are input, never keys to look up on an object.
  // Every `v1=` is a candidate: during a secret rotation the header carries one per secret.
  const parts = header.split(',').map((kv) => kv.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const v1s = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v);
  if (!Number.isInteger(t) || v1s.length === 0 || Math.abs(now / 1000 - t) > toleranceSeconds)
    return false;
  const expected = Buffer.from(
    createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'),
    'hex',
  );
  return v1s.some((v1) => {
    const given = Buffer.from(v1, 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * What sellers' webhooks may reach: in production public addresses only (plus the operator's
 * BIP_WEBHOOK_ALLOW_HOSTS); elsewhere loopback and private networks too, so a receiver on the
 * developer's machine works. Link-local (cloud metadata) and the like are refused everywhere.
 */
export function webhookGuard(config: Pick<Config, 'mode' | 'webhook'>, resolve?: Resolver) {
  return new AddressGuard({
    allowPrivateNetworks: config.mode !== 'production',
    allowList: config.webhook.allowHosts,
    ...(resolve ? { resolve } : {}),
  });
}

/** Writes an event in the caller's transaction, so it exists if and only if the change does. */
export async function enqueueEvent(
  trx: Transaction<Database>,
  sellerId: string,
  type: string,
  data: unknown,
  now: Date,
) {
  const id = newId('evt');
  const payload = JSON.stringify({ id, type, createdAt: iso(now), data });
  await trx
    .insertInto('outbox_events')
    .values({
      id,
      seller_id: sellerId,
      type,
      payload,
      status: 'pending',
      attempts: 0,
      next_attempt_at: iso(now),
      created_at: iso(now),
    })
    .execute();
  return id;
}

/**
 * Delivers outbox events to sellers' webhook URLs, signed, with exponential backoff. Safe with
 * many processes on one database: an event is claimed with a conditional update and a lease;
 * a process that dies mid-delivery lets the lease lapse and another one retries (at least once).
 * Events wait while their seller has no webhook URL, and flow once one is set.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly ctx: ServiceContext,
    /** Checks each delivery's address as it connects (the URL was checked when set, too). */
    private readonly guard: AddressGuard = webhookGuard(ctx.config),
  ) {}

  start() {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the current pass; deliveries in flight are abandoned, not lost. */
  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const a of this.inflight) a.abort();
    await this.running;
  }

  /** Wakes the dispatcher now (after a new event), instead of at the next poll. */
  poke() {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => {})
        .catch((err) =>
          this.ctx.log.child({ scope: 'webhooks' }).error({ err }, 'dispatch pass failed'),
        )
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.ctx.config.webhook.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** One pass: claims due events and delivers them. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    const due = await db
      .selectFrom('outbox_events')
      .innerJoin('sellers', 'sellers.id', 'outbox_events.seller_id')
      .select(['outbox_events.id'])
      .where('outbox_events.status', '=', 'pending')
      .where('outbox_events.next_attempt_at', '<=', iso(now))
      .where((eb) =>
        eb.or([
          eb('outbox_events.locked_until', 'is', null),
          eb('outbox_events.locked_until', '<', iso(now)),
        ]),
      )
      .where('sellers.webhook_url', 'is not', null)
      .orderBy('outbox_events.next_attempt_at')
      .limit(20)
      .execute();
    let attempted = 0;
    for (const { id } of due) {
      if (this.stopped) break;
      const lease = iso(new Date(now.getTime() + this.ctx.config.webhook.timeoutMs * 2 + 1_000));
      const claimed = await db
        .updateTable('outbox_events')
        .set({ locked_until: lease })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', iso(now))]))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue; // another process has it
      const event = await db
        .selectFrom('outbox_events')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await this.deliver(event);
      attempted++;
    }
    return attempted;
  }

  private async deliver(event: OutboxEventRow) {
    const { db, config } = this.ctx;
    const seller = await db
      .selectFrom('sellers')
      .select([
        'webhook_url',
        'webhook_secret',
        'previous_webhook_secret',
        'previous_webhook_secret_expires_at',
      ])
      .where('id', '=', event.seller_id)
      .executeTakeFirstOrThrow();
    // During a rotation's grace period the replaced secret signs too (sellers.ts).
    const secrets = [seller.webhook_secret];
    const previousUntil = seller.previous_webhook_secret_expires_at;
    if (
      seller.previous_webhook_secret &&
      previousUntil &&
      previousUntil > iso(this.ctx.clock.now())
    )
      secrets.push(seller.previous_webhook_secret);
    const url = seller.webhook_url!;
    const attempt = event.attempts + 1;
    const started = Date.now();
    const abort = new AbortController();
    this.inflight.add(abort);
    const timeout = setTimeout(() => abort.abort(), config.webhook.timeoutMs);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Not fetch(): its connection cannot be pinned to the address the guard checked. A URL
      // that has come to resolve to an internal address (DNS rebinding) fails here, and is
      // logged and retried like any failed attempt.
      statusCode = await postGuarded(
        url,
        {
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'buy-in-post-webhooks/1',
            [SIGNATURE_HEADER]: signWebhook(event.payload, secrets),
            'BuyInPost-Event-Id': event.id,
            'BuyInPost-Event-Type': event.type,
          },
          body: event.payload,
          signal: abort.signal,
        },
        this.guard,
      );
      if (statusCode < 200 || statusCode > 299) error = `receiver answered HTTP ${statusCode}`;
    } catch (err) {
      error = abort.signal.aborted
        ? this.stopped
          ? 'delivery interrupted by shutdown'
          : `no answer within ${config.webhook.timeoutMs} ms`
        : (err as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(abort);
    }
    if (this.stopped && error) return; // leave the lease to lapse; the next process retries
    const now = this.ctx.clock.now();
    const ok = error === null;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id: newId('whd'),
          event_id: event.id,
          seller_id: event.seller_id,
          attempt,
          url,
          ok: ok ? 1 : 0,
          status_code: statusCode,
          error,
          duration_ms: Date.now() - started,
          created_at: iso(now),
        })
        .execute();
      const giveUp = !ok && attempt >= config.webhook.maxAttempts;
      const backoff = config.webhook.retryBaseMs * 2 ** (attempt - 1);
      await trx
        .updateTable('outbox_events')
        .set({
          attempts: attempt,
          status: ok ? 'delivered' : giveUp ? 'failed' : 'pending',
          delivered_at: ok ? iso(now) : null,
          next_attempt_at: iso(new Date(now.getTime() + (ok ? 0 : backoff))),
          locked_until: null,
        })
        .where('id', '=', event.id)
        .execute();
    });
  }

  async deliveries(sellerId: string, limit = 50): Promise<WebhookDelivery[]> {
    const rows = await this.ctx.db
      .selectFrom('webhook_deliveries')
      .innerJoin('outbox_events', 'outbox_events.id', 'webhook_deliveries.event_id')
      .selectAll('webhook_deliveries')
      .select('outbox_events.type')
      .where('webhook_deliveries.seller_id', '=', sellerId)
      .orderBy('webhook_deliveries.created_at', 'desc')
      .orderBy('webhook_deliveries.attempt', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      eventType: r.type,
      attempt: r.attempt,
      url: r.url,
      ok: r.ok === 1,
      statusCode: r.status_code,
      error: r.error,
      durationMs: r.duration_ms,
      createdAt: r.created_at,
    }));
  }
}
