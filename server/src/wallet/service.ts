import type { Kysely } from 'kysely';
import type { BuyerRow, Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type {
  BuyerCodeRequested,
  BuyerSession,
  BuyerWallet,
  CreateBuyerSessionBody,
} from '../protocol/buyer.ts';
import type { ShippingAddress } from '../protocol/checkouts.ts';
import type { ServiceContext } from '../services/context.ts';
import { notFound, ServiceError } from '../services/errors.ts';
import { type CodeLimits, DEFAULT_CODE_LIMITS, OneTimeCodes } from '../services/one-time-codes.ts';
import { iso, newId, sha256 } from '../util.ts';
import { BuyerRepository } from './buyers.ts';
import { CODE_TTL_SECONDS, maskEmail, normalizeEmail } from './codes.ts';
import { activeConsents, moveConsents, noticeErasure, withdrawConsent } from './consents.ts';
import { SealError } from './crypto.ts';
import {
  CLOCK_TOLERANCE_SECONDS,
  HostTokenVerifier,
  type VerifiedHostToken,
} from './host-tokens.ts';
import { KeyRing, WalletKeyError, type WalletKeys } from './keys.ts';
import { codeMail, type Mailer } from './mailer.ts';
import {
  type PaymentMethodStore,
  type SavedTestCard,
  TestPaymentMethodStore,
  type WalletOwner,
} from './payment-methods.ts';
import { RateLimiter } from './rate-limits.ts';
import { looksLikeSessionToken, newSessionToken, SESSION_TTL_SECONDS } from './sessions.ts';

/** The wallet's code limits: the shared ones (services/one-time-codes.ts). */
export type WalletLimits = CodeLimits;
export const DEFAULT_LIMITS: WalletLimits = DEFAULT_CODE_LIMITS;

export interface WalletOptions {
  /** Null: the wallet is off (production without BIP_WALLET_KEYS). */
  keys: WalletKeys | null;
  /** Null: no way to mail codes (production without BIP_SMTP_URL). */
  mailer: Mailer | null;
  /** Trusted host platforms: `iss` → JWKS URL. */
  issuers: ReadonlyMap<string, URL>;
  paymentMethods: PaymentMethodStore;
  /** The `aud` host tokens must carry: this endpoint's public URL, read at each check. */
  audience: () => string;
  log: Logger | null;
  limits?: Partial<WalletLimits>;
  /** Called after the wallet queued seller webhooks (erasure), to wake the dispatcher. */
  onEvent?: () => void;
}

/** An authenticated buyer session. */
export interface BuyerSessionRef {
  sessionId: string;
  buyerId: string;
}

export interface RotationReport {
  /** The key every data key is now wrapped with. */
  current: string;
  rewrapped: number;
  /** Wallets whose key-encryption key is not configured: they stay as they were. */
  failed: { buyerId: string; keyId: string; message: string }[];
  /** Wallets on the current key afterwards. */
  onCurrent: number;
}

/** `12 Harbour St` → `•• Harbour St`: the street to recognise, not the door to knock on. */
export function maskStreet(line: string): string {
  return line.replace(/\p{Nd}/gu, '•');
}

const unauthorized = (detail: string) => new ServiceError('unauthorized', detail);

/**
 * The buyer's wallet: sign-in by emailed code or host token, sessions, masked saved details,
 * deletion, key rotation. Holds the rules; knows nothing of HTTP. Every personal value is sealed
 * by {@link BuyerRepository}; cards stay with the {@link PaymentMethodStore}.
 */
export class WalletService {
  private readonly repo: BuyerRepository | null;
  private readonly keyRing: KeyRing | null;
  private readonly verifier: HostTokenVerifier;
  private readonly limiter: RateLimiter;
  /** The emailed codes, on `buyer_codes` (one implementation with the seller dashboard's). */
  private readonly codes: OneTimeCodes | null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: WalletOptions,
  ) {
    this.keyRing = options.keys ? new KeyRing(options.keys) : null;
    this.repo = this.keyRing ? new BuyerRepository(this.keyRing, ctx.clock) : null;
    this.verifier = new HostTokenVerifier(options.issuers, ctx.clock, options.log);
    this.limiter = new RateLimiter(ctx.clock);
    const keyRing = this.keyRing;
    this.codes = keyRing
      ? new OneTimeCodes(
          {
            table: 'buyer_codes',
            bucketPrefix: '',
            idPrefix: 'bcd',
            hash: (material) => keyRing.index('code', material),
            limits: { ...DEFAULT_LIMITS, ...options.limits },
          },
          ctx.clock,
        )
      : null;
  }

  get enabled(): boolean {
    return this.repo !== null;
  }

  get paymentMethods(): PaymentMethodStore {
    return this.options.paymentMethods;
  }

  private get db(): Kysely<Database> {
    return this.ctx.db;
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  private need(): { repo: BuyerRepository; keys: KeyRing } {
    if (!this.repo || !this.keyRing)
      throw new ServiceError(
        'wallet_unavailable',
        'Saved details are not available on this endpoint (BIP_WALLET_KEYS is not configured)',
      );
    return { repo: this.repo, keys: this.keyRing };
  }

  /**
   * Runs `work`, turning a missing key-encryption key, or a sealed value that does not
   * authenticate (altered, or moved to another row), into a clear, closed failure.
   */
  private async opened<T>(buyerId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof WalletKeyError || err instanceof SealError)) throw err;
      this.options.log?.error({ buyer: buyerId, err }, 'wallet cannot be opened');
      throw new ServiceError(
        'wallet_unavailable',
        'These saved details cannot be read: their key is not configured on the endpoint, or they were altered',
      );
    }
  }

  private owner(row: BuyerRow): WalletOwner {
    return { id: row.id, stripeCustomerId: row.stripe_customer_id };
  }

  // ── Sign-in ────────────────────────────────────────────────────────────────────────────

  /**
   * Mails a six-digit code to `email`. The same answer whether or not a wallet exists for it:
   * the wallet is made (or found) only when the code comes back.
   */
  async requestCode(email: string, clientIp: string): Promise<BuyerCodeRequested> {
    const { repo, keys } = this.need();
    const mailer = this.options.mailer;
    if (!mailer)
      throw new ServiceError(
        'mail_unavailable',
        'This endpoint cannot mail sign-in codes (BIP_SMTP_URL is not configured)',
      );
    const codes = this.codes!;
    const index = repo.emailIndex(normalizeEmail(email));
    const { code, expiresAt } = await this.db
      .transaction()
      .execute((trx) => codes.issue(trx, index, keys.index('ip', clientIp)));
    try {
      await mailer.send(codeMail(email, code, CODE_TTL_SECONDS / 60));
    } catch (err) {
      this.options.log?.error({ err }, 'sign-in code could not be mailed');
      throw new ServiceError('mail_unavailable', 'The code could not be mailed; try again later');
    }
    return { expiresAt: iso(expiresAt), codeLength: codes.codeLength };
  }

  /**
   * Opens a session: `{email, code}`, `{hostToken}`, or `{hostToken, email, code}` (links the
   * host's user to the email's wallet). A refusal writes nothing, except that a wrong code
   * counts against that code's attempts.
   */
  async signIn(body: CreateBuyerSessionBody, clientIp: string): Promise<BuyerSession> {
    const { repo } = this.need();
    // Verified before the transaction: fetching the issuer's keys is network work.
    const host = body.hostToken
      ? await this.verifier.verify(body.hostToken, this.options.audience())
      : null;
    const email = body.email !== undefined ? normalizeEmail(body.email) : null;
    const outcome = await this.retryOnRace(() =>
      this.db.transaction().execute(async (trx) => {
        if (email !== null) {
          const wrong = await this.checkCode(trx, email, body.code!, clientIp);
          // Committed on purpose: the attempt counts. Thrown once the transaction is over.
          if (wrong) return { wrong };
        }
        if (host) await this.useOnce(trx, host);
        const buyer = await this.opened('(sign-in)', async () => {
          const found = await this.resolveBuyer(trx, repo, email, host);
          repo.dataKey(found); // a wallet that cannot be opened gets no session either
          return found;
        });
        const session = await this.openSession(trx, buyer.id, host ? 'host' : 'email');
        return { buyer, session };
      }),
    );
    if ('wrong' in outcome) throw outcome.wrong;
    return {
      sessionToken: outcome.session.token,
      expiresAt: outcome.session.expiresAt,
      buyer: await this.wallet(outcome.buyer.id),
    };
  }

  /**
   * Runs a sign-in once more if it lost a race to make the same wallet (two first sign-ins of
   * one host user at once, on PostgreSQL): the second run finds the wallet the first made.
   */
  private async retryOnRace<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== '23505' && code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      return work();
    }
  }

  /**
   * Checks `code` against the live code of `email`. Refusals that must write nothing are
   * thrown; a wrong code is returned, after counting the attempt.
   */
  private async checkCode(
    trx: Kysely<Database>,
    email: string,
    code: string,
    clientIp: string,
  ): Promise<ServiceError | null> {
    const { repo, keys } = this.need();
    return this.codes!.check(trx, repo.emailIndex(email), code, keys.index('ip', clientIp));
  }

  /** Records a host token's `jti` until the token expires; a second use is refused. */
  private async useOnce(trx: Kysely<Database>, token: VerifiedHostToken): Promise<void> {
    const res = await trx
      .insertInto('buyer_token_uses')
      .values({
        issuer: token.issuer,
        jti_hash: sha256(token.jti),
        expires_at: iso(new Date(token.expiresAt.getTime() + CLOCK_TOLERANCE_SECONDS * 1000)),
      })
      .onConflict((oc) => oc.columns(['issuer', 'jti_hash']).doNothing())
      .executeTakeFirst();
    if (!res.numInsertedOrUpdatedRows)
      throw new ServiceError('token_invalid', 'The buyer token was refused: it was already used');
  }

  /** The wallet a sign-in opens, made or linked as needed (docs/wallet.md, "Linking"). */
  private async resolveBuyer(
    trx: Kysely<Database>,
    repo: BuyerRepository,
    email: string | null,
    host: VerifiedHostToken | null,
  ): Promise<BuyerRow> {
    if (!host) return (await repo.byEmail(trx, email!)) ?? (await repo.create(trx, email));
    const byHost = await repo.byIdentity(trx, host.issuer, host.subject);
    if (email === null) {
      if (byHost) return byHost;
      const made = await repo.create(trx, null);
      await repo.addIdentity(trx, made.id, host.issuer, host.subject);
      return made;
    }
    const byEmail = await repo.byEmail(trx, email);
    if (byHost && byEmail && byHost.id === byEmail.id) return byHost;
    if (byHost?.email_index)
      // Linked to another email already (else byEmail would be this wallet).
      throw new ServiceError(
        'already_linked',
        'This sign-in is linked to another email address; sign in with that one',
      );
    if (byHost && byEmail) {
      await this.merge(trx, repo, byHost, byEmail);
      return byEmail;
    }
    if (byHost) {
      await repo.setEmail(trx, byHost, email);
      return byHost;
    }
    const target = byEmail ?? (await repo.create(trx, email));
    await repo.addIdentity(trx, target.id, host.issuer, host.subject);
    return target;
  }

  /** `from` (a host-opened wallet with no email) joins `to`; `from` is then deleted. */
  private async merge(trx: Kysely<Database>, repo: BuyerRepository, from: BuyerRow, to: BuyerRow) {
    await repo.moveAddresses(trx, from, to);
    await this.options.paymentMethods.transfer(this.owner(from), this.owner(to), trx);
    await moveConsents(trx, from.id, to.id);
    for (const table of ['buyer_identities', 'buyer_sessions', 'orders', 'checkouts'] as const) {
      await trx
        .updateTable(table)
        .set({ buyer_id: to.id })
        .where('buyer_id', '=', from.id)
        .execute();
    }
    await trx.deleteFrom('buyers').where('id', '=', from.id).execute();
  }

  private async openSession(trx: Kysely<Database>, buyerId: string, method: 'email' | 'host') {
    const token = newSessionToken();
    const now = this.now();
    const expiresAt = iso(new Date(now.getTime() + SESSION_TTL_SECONDS * 1000));
    await trx
      .insertInto('buyer_sessions')
      .values({
        id: newId('bss'),
        buyer_id: buyerId,
        token_hash: sha256(token),
        method,
        created_at: iso(now),
        expires_at: expiresAt,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The session a bearer token names, or `401 unauthorized`. */
  async authenticate(token: string | undefined): Promise<BuyerSessionRef> {
    this.need();
    if (!token) throw unauthorized('Sign in first: send "Authorization: Bearer <sessionToken>"');
    // Other credentials (a seller key, a checkout token) never match: same answer, no lookup.
    if (!looksLikeSessionToken(token)) throw unauthorized('Unknown or expired buyer session');
    const row = await this.db
      .selectFrom('buyer_sessions')
      .select(['id', 'buyer_id'])
      .where('token_hash', '=', sha256(token))
      .where('expires_at', '>', iso(this.now()))
      .executeTakeFirst();
    if (!row) throw unauthorized('Unknown or expired buyer session');
    return { sessionId: row.id, buyerId: row.buyer_id };
  }

  /** Signs this session out (the others stay). */
  async endSession(session: BuyerSessionRef): Promise<void> {
    await this.db.deleteFrom('buyer_sessions').where('id', '=', session.sessionId).execute();
  }

  // ── Saved details ──────────────────────────────────────────────────────────────────────

  private async row(buyerId: string): Promise<BuyerRow> {
    const row = await this.need().repo.byId(this.db, buyerId);
    // A session outliving its wallet cannot happen (erasure deletes both); say so if it does.
    if (!row) throw unauthorized('Unknown or expired buyer session');
    return row;
  }

  /** The wallet, masked: what a session may read. */
  async wallet(buyerId: string): Promise<BuyerWallet> {
    const { repo } = this.need();
    const row = await this.row(buyerId);
    return this.opened(buyerId, async () => {
      const dataKey = repo.dataKey(row);
      const email = repo.email(row, dataKey);
      const hosts = await this.db
        .selectFrom('buyer_identities')
        .select('issuer')
        .distinct()
        .where('buyer_id', '=', buyerId)
        .orderBy('issuer')
        .execute();
      const addresses = await repo.addresses(this.db, row, dataKey);
      return {
        email: email === null ? null : maskEmail(email),
        hosts: hosts.map((h) => h.issuer),
        addresses: addresses.map(({ id, address }) => ({
          id,
          name: address.name,
          line1: maskStreet(address.line1),
          city: address.city,
          country: address.country,
        })),
        paymentMethods: await this.options.paymentMethods.list(this.owner(row)),
        consents: await activeConsents(this.db, buyerId),
      };
    });
  }

  /** The most recently used saved address, in full (a returning buyer's checkout ships there). */
  async latestAddress(buyerId: string): Promise<{ id: string; address: ShippingAddress } | null> {
    const { repo } = this.need();
    const row = await this.row(buyerId);
    const [latest] = await this.opened(buyerId, () => repo.addresses(this.db, row));
    return latest ? { id: latest.id, address: latest.address } : null;
  }

  /**
   * After a signed-in buyer's order is paid: the address it shipped to is kept (or, when it
   * came from the wallet, marked as just used — unless the buyer removed it meanwhile).
   */
  async rememberAddress(
    buyerId: string,
    used: { savedAddressId: string | null; address: ShippingAddress },
  ): Promise<void> {
    if (used.savedAddressId !== null) {
      await this.db
        .updateTable('buyer_addresses')
        .set({ last_used_at: iso(this.now()) })
        .where('id', '=', used.savedAddressId)
        .where('buyer_id', '=', buyerId)
        .execute();
      return;
    }
    await this.saveAddress(buyerId, used.address);
  }

  /**
   * The buyer's customer at the payment provider (Stripe), made on first need; null when the
   * provider keeps none (the test provider). The wallet's email goes with it, for receipts and
   * Link.
   */
  async paymentCustomer(buyerId: string): Promise<string | null> {
    const store = this.options.paymentMethods;
    if (!store.customerFor) return null;
    const { repo } = this.need();
    const row = await this.row(buyerId);
    if (row.stripe_customer_id) return row.stripe_customer_id;
    const email = await this.opened(buyerId, async () => repo.email(row));
    return store.customerFor(this.owner(row), email);
  }

  /** One of the buyer's saved test cards (test provider); null if none has that id. */
  async savedTestCard(buyerId: string, id: string): Promise<SavedTestCard | null> {
    const store = this.options.paymentMethods;
    if (!(store instanceof TestPaymentMethodStore)) return null;
    return store.find(this.owner(await this.row(buyerId)), id);
  }

  /** Saves a test card that just paid, when the buyer ticked "save" (test provider). */
  async saveTestCard(buyerId: string, number: string): Promise<void> {
    const store = this.options.paymentMethods;
    if (!(store instanceof TestPaymentMethodStore)) return;
    await store.save(this.owner(await this.row(buyerId)), { number });
  }

  /** The buyer no longer lets this seller see their email (future orders carry it only if ticked again). */
  async withdrawConsent(buyerId: string, sellerId: string): Promise<void> {
    this.need();
    if (!(await withdrawConsent(this.db, buyerId, sellerId, this.now()))) throw notFound('Consent');
  }

  /** True when the buyer currently lets this seller see their email. */
  async sharesEmailWith(buyerId: string, sellerId: string): Promise<boolean> {
    return (await activeConsents(this.db, buyerId)).some((c) => c.sellerId === sellerId);
  }

  /**
   * Keeps a shipping address in the wallet (sealed). Called when a signed-in buyer's checkout
   * is paid; the same address again only becomes the most recent.
   */
  async saveAddress(buyerId: string, address: ShippingAddress): Promise<string> {
    const { repo } = this.need();
    const row = await this.row(buyerId);
    return this.opened(buyerId, () =>
      this.db.transaction().execute((trx) => repo.saveAddress(trx, row, address)),
    );
  }

  /** The full address, for the endpoint's own use (filling a checkout); never sent to a session. */
  async shippingAddress(buyerId: string, addressId: string): Promise<ShippingAddress> {
    const { repo } = this.need();
    const row = await this.row(buyerId);
    const found = await this.opened(buyerId, async () =>
      (await repo.addresses(this.db, row)).find((a) => a.id === addressId),
    );
    if (!found) throw notFound('Address');
    return found.address;
  }

  /** The buyer's email in full, for the endpoint's own use (receipts); null if none is linked. */
  async email(buyerId: string): Promise<string | null> {
    const { repo } = this.need();
    const row = await this.row(buyerId);
    return this.opened(buyerId, async () => repo.email(row));
  }

  async removeAddress(buyerId: string, addressId: string): Promise<void> {
    this.need();
    const res = await this.db
      .deleteFrom('buyer_addresses')
      .where('id', '=', addressId)
      .where('buyer_id', '=', buyerId)
      .executeTakeFirst();
    // Another buyer's id answers like an unknown one: ids reveal nothing.
    if (res.numDeletedRows === 0n) throw notFound('Address');
  }

  async removePaymentMethod(buyerId: string, methodId: string): Promise<void> {
    const row = await this.row(buyerId);
    if (!(await this.options.paymentMethods.remove(this.owner(row), methodId)))
      throw notFound('Payment method');
  }

  /**
   * Erases the wallet: saved payment methods (at the provider too), addresses, identities,
   * every session, the email and its index, and the data key that sealed them — so even a
   * backup taken before is unreadable once the backup's wallet key is retired. Orders stay
   * (the seller's records: tax, accounting, disputes) but no longer point at the buyer; every
   * seller the buyer let see their email gets a signed `buyer.erased` webhook naming the orders
   * concerned. Checkouts that ended unpaid lose the email and address they held. Needs no key: a
   * wallet whose key was lost can still be erased.
   */
  async erase(buyerId: string): Promise<void> {
    const { repo } = this.need();
    const row = await repo.byId(this.db, buyerId);
    if (!row) return;
    // The provider first: if it fails, nothing here is gone yet and the buyer can try again.
    await this.options.paymentMethods.removeAll(this.owner(row), this.db);
    const noticed = await this.db.transaction().execute(async (trx) => {
      const sellers = await noticeErasure(trx, buyerId, this.now());
      await trx
        .updateTable('checkouts')
        .set({ email: null, shipping_address: null, shipping_preview: null })
        .where('buyer_id', '=', buyerId)
        .where('status', 'in', ['expired', 'canceled', 'failed'])
        .execute();
      for (const table of ['orders', 'checkouts'] as const) {
        await trx
          .updateTable(table)
          .set({ buyer_id: null })
          .where('buyer_id', '=', buyerId)
          .execute();
      }
      for (const table of [
        'buyer_sessions',
        'buyer_identities',
        'buyer_addresses',
        'buyer_payment_methods',
        'buyer_consents',
      ] as const) {
        await trx.deleteFrom(table).where('buyer_id', '=', buyerId).execute();
      }
      if (row.email_index) {
        await trx.deleteFrom('buyer_codes').where('email_index', '=', row.email_index).execute();
        await trx
          .deleteFrom('rate_limit_counters')
          .where('bucket', '=', `code-send:email:${row.email_index}`)
          .execute();
      }
      await trx.deleteFrom('buyers').where('id', '=', buyerId).execute();
      return sellers;
    });
    this.options.log?.info({ buyer: buyerId, sellersTold: noticed }, 'a wallet was erased');
    if (noticed > 0) this.options.onEvent?.();
  }

  // ── Upkeep ─────────────────────────────────────────────────────────────────────────────

  /**
   * Re-wraps every data key not on the current key-encryption key (`wallet rotate-keys`).
   * Wallets whose key is no longer configured are reported, not touched.
   */
  async rotateKeys(): Promise<RotationReport> {
    const { repo, keys } = this.need();
    const report: RotationReport = {
      current: keys.currentId,
      rewrapped: 0,
      failed: [],
      onCurrent: 0,
    };
    let after = '';
    for (;;) {
      const batch = await this.db
        .selectFrom('buyers')
        .selectAll()
        .where('key_id', '!=', keys.currentId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(100)
        .execute();
      if (!batch.length) break;
      for (const row of batch) {
        after = row.id;
        try {
          if (await repo.rewrap(this.db, row)) report.rewrapped++;
        } catch (err) {
          if (!(err instanceof WalletKeyError)) throw err;
          report.failed.push({ buyerId: row.id, keyId: row.key_id, message: err.message });
        }
      }
    }
    const on = await this.db
      .selectFrom('buyers')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('key_id', '=', keys.currentId)
      .executeTakeFirstOrThrow();
    report.onCurrent = Number(on.n);
    return report;
  }

  /** Forgets lapsed codes, sessions, used-token records and rate-limit windows (the sweeper). */
  async purgeExpired(): Promise<void> {
    if (!this.enabled) return;
    const now = iso(this.now());
    await this.db.deleteFrom('buyer_codes').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('buyer_sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('buyer_token_uses').where('expires_at', '<=', now).execute();
    await this.limiter.purge(this.db);
  }
}
