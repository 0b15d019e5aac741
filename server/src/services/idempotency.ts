import { hkdfSync } from 'node:crypto';
import { prepared } from '../db/prepared.ts';
import type { Db } from '../db/schema.ts';
import { canonicalJson, iso, sha256 } from '../util.ts';
import { open, SealError, seal } from '../wallet/crypto.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** An answer to store: the status and body a replay gets. */
export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Stores the answer in the handler's own transaction, the one that writes what it answers for,
 * so both commit together or neither does: a crash between them can neither leave a checkout
 * whose key would run again (a second checkout) nor an answer for nothing. Null when the call
 * has no key (nothing is stored).
 */
export type AnswerWith = ((trx: Db, answer: Answer) => Promise<void>) | null;

/**
 * {@link AnswerWith} for a service: stores its success (the call's status, this body). Pass it
 * the transaction that writes what the answer is for, as that transaction's last statement, and
 * answer with that very body. Null when the call has no key.
 */
export type SuccessWith<T> = ((trx: Db, body: T) => Promise<void>) | null;

/** After this long, a request that never finished (its process died) no longer holds its key. */
const STALE_LOCK_MS = 60_000;
/** Keys, and the answers stored with them, are remembered this long (docs/security.md). */
const RETENTION_MS = 24 * 3600_000;
/** A sealed answer starts so; a stored answer that does not is plain JSON from before sealing. */
const SEALED = 'v1.';

const KEY = /^[\x21-\x7E]{8,255}$/;

/**
 * Idempotency-Key semantics, as Stripe has them: the first request with a key runs and its
 * answer (success or 4xx) is stored; the same key with the same request gets that answer again;
 * the same key with a different request is refused (422); a repeat while the first is still
 * running is told to retry (409). The handler returns the answer to store, refusals included
 * (`http/idempotent.ts` turns them into problems); when it throws, nothing is stored, so the
 * client may retry (a 5xx). A handler may store its answer in its last transaction itself
 * ({@link AnswerWith}); what it stored so is never overwritten or forgotten.
 */
export class IdempotencyService {
  /**
   * Seals stored answers. A created checkout's answer holds its client token (the key to it),
   * the buyer's email and address, and with Stripe the payment's client secret: stored in clear,
   * anyone reading the database (a backup, a replica, a dump) could take over every checkout of
   * the last day. Sealed with AES-256-GCM under a key derived from the server's secret, bound to
   * the row's scope and key, they open only for a replay of the same request. A token kept this
   * way can still be handed back — a replayed create must answer with a working token — which a
   * hash could not do.
   */
  private readonly sealKey: Buffer;

  constructor(private readonly ctx: ServiceContext) {
    this.sealKey = Buffer.from(
      hkdfSync('sha256', ctx.config.secret, 'buy-in-post', 'idempotency answers v1', 32),
    );
  }

  private seal(scope: string, key: string, body: unknown): string {
    return seal(this.sealKey, JSON.stringify(body), binding(scope, key));
  }

  private open(scope: string, key: string, stored: string | null): unknown {
    if (stored === null || !stored.startsWith(SEALED)) return JSON.parse(stored ?? 'null');
    try {
      return JSON.parse(open(this.sealKey, stored, binding(scope, key)).toString('utf8'));
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      // Sealed under another secret (BIP_SECRET changed within the day): the first answer is
      // gone, and running the request again could make a second checkout.
      throw new ServiceError(
        'idempotency_conflict',
        'The first answer to this Idempotency-Key can no longer be read; use a new key',
      );
    }
  }

  async run(
    scope: string,
    key: string | undefined,
    request: unknown,
    opts: { required: boolean },
    handler: (answerWith: AnswerWith) => Promise<Answer>,
  ): Promise<StoredResponse> {
    if (key === undefined) {
      if (opts.required)
        throw new ServiceError(
          'idempotency_key_required',
          'Send a unique Idempotency-Key header (a UUID, say) with this request',
        );
      return { ...(await handler(null)), replayed: false };
    }
    if (!KEY.test(key)) {
      throw new ServiceError('validation_failed', undefined, {
        status: 400,
        errors: [
          { field: 'Idempotency-Key', message: 'must be 8 to 255 visible ASCII characters' },
        ],
      });
    }
    const { db } = this.ctx;
    const hash = sha256(canonicalJson(request));
    const now = this.ctx.clock.now();
    const inserted = await claim(db, { scope, key, hash, now: iso(now) });
    if (Number(inserted.numAffectedRows ?? 0) !== 1) {
      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      if (existing.request_hash !== hash) {
        throw new ServiceError(
          'idempotency_conflict',
          'This Idempotency-Key was already used with a different request; use a new key',
        );
      }
      if (existing.response_status !== null) {
        return {
          status: existing.response_status,
          body: this.open(scope, key, existing.response_body),
          replayed: true,
        };
      }
      const stale = iso(new Date(now.getTime() - STALE_LOCK_MS));
      const takeover = await db
        .updateTable('idempotency_keys')
        .set({ locked_at: iso(now) })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('response_status', 'is', null)
        .where('locked_at', '<', stale)
        .executeTakeFirst();
      if (Number(takeover.numUpdatedRows) !== 1) {
        throw new ServiceError(
          'idempotency_in_progress',
          'The first request with this key is still running; retry shortly',
          { extra: { retryAfter: 1 } },
        );
      }
    }
    let result: Answer;
    /** What the handler's own transaction stored, if it did. */
    let storedBody: unknown;
    const answerWith: AnswerWith = async (trx, answer) => {
      await this.store(trx, scope, key, answer);
      storedBody = answer.body;
    };
    try {
      result = await handler(answerWith);
    } catch (err) {
      // Nothing to store (the handler answers refusals itself): let the client try again —
      // unless the handler's transaction committed its answer before the error, which stays.
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('response_status', 'is', null)
        .execute();
      throw err;
    }
    // The handler answering with what its transaction stored means that transaction committed
    // (a rollback throws); anything else is stored now.
    if (storedBody === undefined || result.body !== storedBody)
      await this.store(db, scope, key, result);
    return { ...result, replayed: false };
  }

  /** Stores the answer for a claimed key, unless one is stored. */
  private async store(db: Db, scope: string, key: string, answer: Answer): Promise<void> {
    await storeAnswer(db, {
      scope,
      key,
      status: answer.status,
      body: this.seal(scope, key, answer.body),
    });
  }

  /**
   * The answer stored for a key, opened (null while none is): what a replay would be given. For
   * operators and tests — the table itself shows only sealed values.
   */
  async storedAnswer(scope: string, key: string): Promise<unknown> {
    const row = await this.ctx.db
      .selectFrom('idempotency_keys')
      .select('response_body')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.response_body ? this.open(scope, key, row.response_body) : null;
  }

  /** Forgets keys, and their answers, older than {@link RETENTION_MS} (the sweeper). */
  async purgeOld(): Promise<void> {
    const before = iso(new Date(this.ctx.clock.now().getTime() - RETENTION_MS));
    await this.ctx.db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();
  }
}

// The statements every keyed call runs, compiled once (db/prepared.ts).

/**
 * Claims a key for a request: no row if the key is already held or answered. Not waited for on
 * the disk: a claim lost in a power cut is one whose request was never answered, and a claim
 * that survives one lapses after STALE_LOCK_MS anyway; what the request goes on to write (its
 * checkout, its answer) is waited for, and covers the claim.
 */
const claim = prepared(
  (db, v: { scope: string; key: string; hash: string; now: string }) =>
    db
      .insertInto('idempotency_keys')
      .values({
        scope: v.scope,
        key: v.key,
        request_hash: v.hash,
        response_status: null,
        response_body: null,
        locked_at: v.now,
        created_at: v.now,
      })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing()),
  { waitForDisk: false },
);

/** Stores the answer for a claimed key, unless one is stored. */
const storeAnswer = prepared(
  (db, v: { scope: string; key: string; status: number; body: string }) =>
    db
      .updateTable('idempotency_keys')
      .set({ response_status: v.status, response_body: v.body })
      .where('scope', '=', v.scope)
      .where('key', '=', v.key)
      .where('response_status', 'is', null),
);

/** What a sealed answer is bound to: copied to another key or scope, it does not open. */
function binding(scope: string, key: string): string {
  return `buy-in-post idempotency v1|${scope}|${key}`;
}
