/**
 * Emailed one-time sign-in codes: one implementation for the buyer's wallet (`buyer_codes`) and
 * the seller's dashboard (`seller_codes`). A code is six digits, lives CODE_TTL_SECONDS, allows
 * CODE_MAX_ATTEMPTS guesses, is used once, and is stored only as a keyed hash bound to its row
 * (see wallet/codes.ts for why a keyed HMAC and not a slow hash). Sends and guesses are rate
 * limited per address and per client network, with counters in the database so the limits hold
 * across every process. Knows nothing of HTTP, mail or who the codes sign in.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { type Clock, iso, newId, safeEqualHex } from '../util.ts';
import {
  CODE_DIGITS,
  CODE_MAX_ATTEMPTS,
  CODE_TTL_SECONDS,
  codeMaterial,
  newCode,
} from '../wallet/codes.ts';
import { type Limit, RateLimiter } from '../wallet/rate-limits.ts';
import { ServiceError } from './errors.ts';

export interface CodeLimits {
  /** Codes mailed to one address. */
  codeSendsPerEmail: Limit;
  /** Codes asked for from one client address (mail bombing, enumeration). */
  codeSendsPerIp: Limit;
  /** Code guesses from one client address, across every email (guesses sprayed over many). */
  codeChecksPerIp: Limit;
}

export const DEFAULT_CODE_LIMITS: CodeLimits = {
  codeSendsPerEmail: { max: 5, windowSeconds: 3600 },
  codeSendsPerIp: { max: 20, windowSeconds: 3600 },
  codeChecksPerIp: { max: 30, windowSeconds: 3600 },
};

export interface CodeStore {
  /** The table: the same columns for every user of codes. */
  table: 'buyer_codes' | 'seller_codes';
  /** Prefix of its rate-limit buckets (`''` for the wallet's, which predate sellers). */
  bucketPrefix: string;
  /** The id prefix of its rows. */
  idPrefix: string;
  /** The keyed hash of a code's material (never a plain hash: a code has 10^6 values). */
  hash(material: string): string;
  limits: CodeLimits;
}

export interface IssuedCode {
  code: string;
  expiresAt: Date;
}

export const rateLimited = (retryAfter: number, detail: string) =>
  new ServiceError('rate_limited', detail, { extra: { retryAfter } });

const invalidCode = () =>
  new ServiceError('code_invalid', 'This code is not valid (or was used); ask for a new one');

/** The emailed codes of one table. `emailIndex` and `clientIndex` are keyed hashes already. */
export class OneTimeCodes {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly store: CodeStore,
    private readonly clock: Clock,
  ) {
    this.limiter = new RateLimiter(clock);
  }

  readonly codeLength = CODE_DIGITS;

  /**
   * Makes a code for `emailIndex`, replacing any live one, after taking one unit of each send
   * limit. Run inside the caller's transaction: a refusal writes nothing.
   */
  async issue(trx: Kysely<Database>, emailIndex: string, clientIndex: string): Promise<IssuedCode> {
    const { store } = this;
    const ipWait = await this.limiter.take(
      trx,
      `${store.bucketPrefix}code-send:ip:${clientIndex}`,
      store.limits.codeSendsPerIp,
    );
    if (ipWait) throw rateLimited(ipWait, 'Too many codes asked for from this network; wait');
    const emailWait = await this.limiter.take(
      trx,
      `${store.bucketPrefix}code-send:email:${emailIndex}`,
      store.limits.codeSendsPerEmail,
    );
    if (emailWait) throw rateLimited(emailWait, 'Too many codes sent to this address; wait');
    const code = newCode();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + CODE_TTL_SECONDS * 1000);
    // One live code per address: asking again replaces the previous one.
    await trx.deleteFrom(store.table).where('email_index', '=', emailIndex).execute();
    const id = newId(store.idPrefix);
    await trx
      .insertInto(store.table)
      .values({
        id,
        email_index: emailIndex,
        code_hash: store.hash(codeMaterial(id, code)),
        attempts: 0,
        expires_at: iso(expiresAt),
        created_at: iso(now),
      })
      .execute();
    return { code, expiresAt };
  }

  /**
   * Checks `code` against the live code of `emailIndex`. Refusals that must write nothing are
   * thrown; a wrong code is returned, after counting the attempt (commit it, then throw it).
   * A right code is used up.
   */
  async check(
    trx: Kysely<Database>,
    emailIndex: string,
    code: string,
    clientIndex: string,
  ): Promise<ServiceError | null> {
    const { store } = this;
    const now = iso(this.clock.now());
    const challenge = await trx
      .selectFrom(store.table)
      .selectAll()
      .where('email_index', '=', emailIndex)
      .executeTakeFirst();
    if (!challenge) throw invalidCode();
    if (challenge.expires_at <= now)
      throw new ServiceError('code_expired', 'This code has expired; ask for a new one');
    if (challenge.attempts >= CODE_MAX_ATTEMPTS)
      throw new ServiceError(
        'too_many_attempts',
        'Too many wrong codes were tried for this address; ask for a new code',
      );
    const wait = await this.limiter.take(
      trx,
      `${store.bucketPrefix}code-check:ip:${clientIndex}`,
      store.limits.codeChecksPerIp,
    );
    if (wait) throw rateLimited(wait, 'Too many codes tried from this network; wait');
    // Counted before comparing, atomically: parallel guesses cannot exceed the attempts.
    const counted = await trx
      .updateTable(store.table)
      .set({ attempts: sql`attempts + 1` })
      .where('id', '=', challenge.id)
      .where('attempts', '<', CODE_MAX_ATTEMPTS)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (counted.numUpdatedRows === 0n) throw invalidCode();
    if (!safeEqualHex(store.hash(codeMaterial(challenge.id, code)), challenge.code_hash)) {
      const attemptsLeft = CODE_MAX_ATTEMPTS - challenge.attempts - 1;
      return new ServiceError('code_invalid', 'This code is not the one we sent', {
        extra: { attemptsLeft },
      });
    }
    // Single use: a second request with the same code finds nothing.
    const used = await trx
      .deleteFrom(store.table)
      .where('id', '=', challenge.id)
      .executeTakeFirst();
    if (used.numDeletedRows === 0n) throw invalidCode();
    return null;
  }

  /** Forgets lapsed codes (the sweeper). */
  async purgeExpired(db: Kysely<Database>): Promise<void> {
    await db
      .deleteFrom(this.store.table)
      .where('expires_at', '<=', iso(this.clock.now()))
      .execute();
  }
}
