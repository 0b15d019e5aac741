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
 * {@link KeyWith} for a service: writes the call's key with its success (the call's status, this
 * body), or — `null`, the answer not known yet — holds the key until it is. Null when the call
 * has no key.
 */
export type SuccessWith<T> = ((trx: Db, body: T | null) => Promise<void>) | null;

/**
 * How a call claims its key (`run`'s `claim`):
 *
 * - `first` — before the handler runs, in a write of its own. A repeat while the first request
 *   runs is told to retry (409) before it does anything: for calls whose handler acts outside
 *   any transaction of ours (confirming a payment at the provider), where running twice would
 *   do it twice.
 * - `in-transaction` — by the handler's transaction that writes what the call makes
 *   ({@link KeyWith}, its last statement): the key, and the answer when it is known, commit
 *   with the checkout or not at all. No write of its own, so a new request costs one commit, not
 *   two. A repeat runs the handler's reads again, and its transaction finds the key taken, rolls
 *   back and answers as the key's first request did (a replay, 422 for another request, 409
 *   while it runs). For a handler that writes nothing irrevocable before that transaction.
 */
export type Claim = 'first' | 'in-transaction';

/**
 * Writes the call's key in the handler's transaction ({@link Claim} `in-transaction`): with its
 * answer, or, `null`, held until the answer is stored after the transaction. Call it as that
 * transaction's last statement. Throws (the transaction rolls back) when the key is taken.
 * Written with what the transaction makes, both commit together or neither does: a crash
 * between them can neither leave a checkout whose key would run again (a second checkout) nor
 * an answer for nothing.
 */
export type KeyWith = ((trx: Db, answer: Answer | null) => Promise<void>) | null;

/** Thrown in a handler's transaction when its key is already taken: the transaction rolls back. */
class KeyTaken extends Error {
  constructor() {
    super('this Idempotency-Key is taken');
  }
}

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
 * ({@link KeyWith}); what it stored so is never overwritten or forgotten. When the key is
 * claimed — before the handler or by its transaction — is the call's choice ({@link Claim}).
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
    opts: { required: boolean; claim?: Claim },
    handler: (keyWith: KeyWith) => Promise<Answer>,
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
    const call: Call = {
      scope,
      key,
      hash: sha256(canonicalJson(request)),
      now: this.ctx.clock.now(),
    };
    return opts.claim === 'in-transaction'
      ? this.runClaimedInTransaction(call, handler)
      : this.runClaimedFirst(call, handler);
  }

  private async runClaimedFirst(
    call: Call,
    handler: (keyWith: KeyWith) => Promise<Answer>,
  ): Promise<StoredResponse> {
    const { db } = this.ctx;
    const { scope, key, hash, now } = call;
    const inserted = await claim(db, { scope, key, hash, now: iso(now) });
    if (Number(inserted.numAffectedRows ?? 0) !== 1) {
      const earlier = await this.earlier(call);
      if (earlier) return earlier;
      const takeover = await db
        .updateTable('idempotency_keys')
        .set({ locked_at: iso(now) })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('response_status', 'is', null)
        .where('locked_at', '<', staleBefore(now))
        .executeTakeFirst();
      if (Number(takeover.numUpdatedRows) !== 1) throw inProgress();
    }
    let result: Answer;
    /** What the handler's own transaction stored, if it did. */
    let storedBody: unknown;
    const keyWith: KeyWith = async (trx, answer) => {
      // The key is held already: only an answer is written.
      if (!answer) return;
      await this.store(trx, scope, key, answer);
      storedBody = answer.body;
    };
    try {
      result = await handler(keyWith);
    } catch (err) {
      // Nothing to store (the handler answers refusals itself): let the client try again —
      // unless the handler's transaction committed its answer before the error, which stays.
      await this.release(call);
      throw err;
    }
    // The handler answering with what its transaction stored means that transaction committed
    // (a rollback throws); anything else is stored now.
    if (storedBody === undefined || result.body !== storedBody)
      await this.store(db, scope, key, result);
    return { ...result, replayed: false };
  }

  private async runClaimedInTransaction(
    call: Call,
    handler: (keyWith: KeyWith) => Promise<Answer>,
  ): Promise<StoredResponse> {
    const { db } = this.ctx;
    const { scope, key } = call;
    /** Whether the handler's transaction wrote the key (it commits, or the handler throws). */
    let held = false;
    /** The answer it wrote with the key, if it knew it. */
    let storedBody: unknown;
    const keyWith: KeyWith = async (trx, answer) => {
      const [row] = (await holdKey(trx, this.keyRow(call, answer))).rows;
      if (!row) throw new KeyTaken();
      held = true;
      if (answer) storedBody = answer.body;
    };
    let result: Answer;
    try {
      result = await handler(keyWith);
    } catch (err) {
      if (held) {
        await this.release(call);
        throw err;
      }
      // The key may be another request's — the first of a repeat that now fails here (holding
      // all it may hold, say) — whose answer is this one's too. A key no one holds: the error.
      const earlier = await this.earlier(call);
      if (earlier) return earlier;
      if (err instanceof KeyTaken) throw inProgress();
      throw err;
    }
    if (held) {
      if (storedBody === undefined || result.body !== storedBody)
        await this.store(db, scope, key, result);
      return { ...result, replayed: false };
    }
    // Answered without writing the key (a refusal before any transaction): kept with its answer,
    // unless the key is taken by then, whose first answer is the answer.
    const [row] = (await holdKey(db, this.keyRow(call, result))).rows;
    if (row) return { ...result, replayed: false };
    const earlier = await this.earlier(call);
    if (earlier) return earlier;
    throw inProgress();
  }

  /** What {@link holdKey} writes for the call: its key, with the answer (sealed) if there is one. */
  private keyRow(call: Call, answer: Answer | null) {
    return {
      scope: call.scope,
      key: call.key,
      hash: call.hash,
      now: iso(call.now),
      status: answer?.status ?? null,
      body: answer ? this.seal(call.scope, call.key, answer.body) : null,
      stale: staleBefore(call.now),
    };
  }

  /**
   * What a key already held answers for this request: the first answer (a replay), the refusal
   * of another request under it (422) or of a repeat while the first is running (409). Null when
   * no one holds the key, or a request that died long ago does (it may be taken over).
   */
  private async earlier(call: Call): Promise<StoredResponse | null> {
    const { scope, key, hash, now } = call;
    const existing = await this.ctx.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!existing) return null;
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
    if (existing.locked_at >= staleBefore(now)) throw inProgress();
    return null;
  }

  /** Lets the key run again: its request ended without an answer (a failure, a 5xx). */
  private async release({ scope, key }: Call): Promise<void> {
    await this.ctx.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .execute();
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

/** One keyed call: its key, the hash of its request, when it began. */
interface Call {
  scope: string;
  key: string;
  hash: string;
  now: Date;
}

/** Claims made before this moment belong to requests that died (they may be taken over). */
const staleBefore = (now: Date) => iso(new Date(now.getTime() - STALE_LOCK_MS));

const inProgress = () =>
  new ServiceError(
    'idempotency_in_progress',
    'The first request with this key is still running; retry shortly',
    { extra: { retryAfter: 1 } },
  );

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

/**
 * Writes a key ({@link Claim} `in-transaction`): with its answer, or held (a null status) until
 * the answer is stored. A key left by a request that died long ago (`stale`) with this very
 * request is taken over; any other held key returns no row.
 */
const holdKey = prepared(
  (
    db,
    v: {
      scope: string;
      key: string;
      hash: string;
      now: string;
      status: number | null;
      body: string | null;
      stale: string;
    },
  ) =>
    db
      .insertInto('idempotency_keys')
      .values({
        scope: v.scope,
        key: v.key,
        request_hash: v.hash,
        response_status: v.status,
        response_body: v.body,
        locked_at: v.now,
        created_at: v.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'key'])
          .doUpdateSet({
            response_status: v.status,
            response_body: v.body,
            locked_at: v.now,
          })
          .where('idempotency_keys.response_status', 'is', null)
          .where('idempotency_keys.request_hash', '=', v.hash)
          .where('idempotency_keys.locked_at', '<', v.stale),
      )
      .returning('key'),
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
