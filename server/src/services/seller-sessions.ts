/**
 * The seller dashboard's sign-in and sessions (docs/security.md, "Seller dashboard"): an emailed
 * one-time code (the wallet's mechanism, services/one-time-codes.ts, on `seller_codes`) or the
 * seller's API key opens a session; its token lives only in an httpOnly cookie and, hashed, in
 * `seller_sessions`. A CSRF token is derived from the session token, so it is bound to the
 * session without being stored. Development mode adds one-time sign-in links for `npm start`.
 * Knows nothing of HTTP or cookies.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SellerRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { iso, newId, safeEqualHex, sha256 } from '../util.ts';
import { CODE_TTL_SECONDS } from '../wallet/codes.ts';
import { codeMail, type Mailer } from '../wallet/mailer.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';
import { type CodeLimits, DEFAULT_CODE_LIMITS, OneTimeCodes } from './one-time-codes.ts';
import { type SellerService, sellerEmailIndex } from './sellers.ts';

const SESSION_PREFIX = 'bip_ss_';
const DEV_LINK_PREFIX = 'bip_dl_';
/** A development sign-in link works once, within a day of `npm start` printing it. */
const DEV_LINK_TTL_SECONDS = 24 * 3600;

export interface OpenedSession {
  /** The cookie's value; never shown to the page. */
  token: string;
  csrfToken: string;
  expiresAt: string;
  seller: SellerRow;
}

export interface SignIn {
  email?: string;
  code?: string;
  apiKey?: string;
}

const unauthorized = (detail = 'Sign in again') => new ServiceError('unauthorized', detail);

export class SellerSessions {
  private readonly codes: OneTimeCodes;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly sellers: SellerService,
    private readonly mailer: Mailer | null,
    limits: Partial<CodeLimits> = {},
  ) {
    this.log = ctx.log.child({ scope: 'dashboard' });
    this.codes = new OneTimeCodes(
      {
        table: 'seller_codes',
        bucketPrefix: 'seller-',
        idPrefix: 'scd',
        hash: (material) => this.keyed('seller-code', material),
        limits: { ...DEFAULT_CODE_LIMITS, ...limits },
      },
      ctx.clock,
    );
  }

  /** The settings a session's answer carries. */
  settingsOf(seller: SellerRow) {
    return this.sellers.settings(seller);
  }

  /** A keyed hash under BIP_SECRET: what the database alone cannot reverse or check. */
  private keyed(purpose: string, value: string): string {
    return createHmac('sha256', this.ctx.config.secret).update(`${purpose}:${value}`).digest('hex');
  }

  /**
   * Mails a code to `email` when a seller signs in with it. The answer is the same either way,
   * and comes before the mail is sent (the time SMTP takes would tell), so it reveals nothing
   * of who sells here; a mail that cannot be sent is logged.
   */
  async requestCode(
    email: string,
    clientIp: string,
  ): Promise<{ expiresAt: string; codeLength: number }> {
    const mailer = this.mailer;
    if (!mailer)
      throw new ServiceError(
        'mail_unavailable',
        'This endpoint cannot mail sign-in codes (BIP_SMTP_URL is not configured); sign in with an API key',
      );
    const index = sellerEmailIndex(this.ctx.config.secret, email);
    // The limits are taken whether or not a seller has the address: they must not tell either.
    const issued = await this.ctx.db
      .transaction()
      .execute((trx) => this.codes.issue(trx, index, this.keyed('ip', clientIp)));
    const seller = await this.sellers.byEmail(email);
    if (seller) {
      mailer.send(codeMail(email, issued.code, CODE_TTL_SECONDS / 60)).catch((err: unknown) => {
        this.log.error({ err }, 'a dashboard sign-in code could not be mailed');
      });
    } else {
      // No seller: nothing is mailed and the code can never be checked (no seller to open).
      await this.ctx.db.deleteFrom('seller_codes').where('email_index', '=', index).execute();
    }
    return { expiresAt: iso(issued.expiresAt), codeLength: this.codes.codeLength };
  }

  /** Opens a session with `{email, code}` or `{apiKey}`. */
  async signIn(body: SignIn, clientIp: string): Promise<OpenedSession> {
    if (body.apiKey !== undefined) {
      const seller = await this.sellers.authenticate(body.apiKey);
      return this.open(seller, 'api_key');
    }
    const email = body.email!;
    const index = sellerEmailIndex(this.ctx.config.secret, email);
    const outcome = await this.ctx.db.transaction().execute(async (trx) => {
      const wrong = await this.codes.check(trx, index, body.code!, this.keyed('ip', clientIp));
      // Committed on purpose: the attempt counts. Thrown once the transaction is over.
      return wrong;
    });
    if (outcome) throw outcome;
    const seller = await this.sellers.byEmail(email);
    // A code exists only for a seller's address; one removed since cannot sign in.
    if (!seller)
      throw new ServiceError('code_invalid', 'This code is not valid; ask for a new one');
    return this.open(seller, 'code');
  }

  private async open(seller: SellerRow, method: string): Promise<OpenedSession> {
    const token = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.ctx.clock.now();
    const expiresAt = iso(
      new Date(now.getTime() + this.ctx.config.dashboard.sessionHours * 3600 * 1000),
    );
    await this.ctx.db
      .insertInto('seller_sessions')
      .values({
        id: newId('sss'),
        token_hash: sha256(token),
        seller_id: seller.id,
        method,
        expires_at: expiresAt,
        created_at: iso(now),
      })
      .execute();
    return { token, csrfToken: this.csrfToken(token), expiresAt, seller };
  }

  /**
   * The CSRF token of a session: a keyed hash of its token. Another site can neither read the
   * cookie nor compute this, and it changes with every session.
   */
  csrfToken(sessionToken: string): string {
    return this.keyed('csrf', sessionToken);
  }

  checkCsrf(sessionToken: string, given: string | undefined): boolean {
    if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
    return safeEqualHex(this.csrfToken(sessionToken), given);
  }

  /** The live session of a cookie's token and its seller, or `unauthorized`. */
  async authenticate(token: string | undefined): Promise<{ seller: SellerRow; expiresAt: string }> {
    if (!token || token.length > 100 || !token.startsWith(SESSION_PREFIX)) throw unauthorized();
    const row = await this.ctx.db
      .selectFrom('seller_sessions')
      .innerJoin('sellers', 'sellers.id', 'seller_sessions.seller_id')
      .selectAll('sellers')
      .select('seller_sessions.expires_at as session_expires_at')
      .where('seller_sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.session_expires_at <= iso(this.ctx.clock.now()))
      throw unauthorized('The session has ended; sign in again');
    const { session_expires_at, ...seller } = row;
    return { seller: seller as SellerRow, expiresAt: session_expires_at };
  }

  /** Signs out: the session's row goes, so the cookie opens nothing even if kept. */
  async end(token: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('seller_sessions')
      .where('token_hash', '=', sha256(token))
      .execute();
  }

  // ── Development sign-in links ──────────────────────────────────────────────────────────

  private needDevelopment() {
    if (this.ctx.config.mode !== 'development')
      throw new ServiceError('not_found', 'Sign-in links exist only in development mode');
  }

  /** A one-time link token for `npm start` to print (development mode only). */
  async createDevLink(sellerId: string): Promise<string> {
    this.needDevelopment();
    const token = `${DEV_LINK_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.ctx.clock.now();
    await this.ctx.db
      .insertInto('seller_login_tokens')
      .values({
        token_hash: sha256(token),
        seller_id: sellerId,
        expires_at: iso(new Date(now.getTime() + DEV_LINK_TTL_SECONDS * 1000)),
        created_at: iso(now),
      })
      .execute();
    return token;
  }

  /**
   * One fresh sign-in link per seller, for `npm start` to print: each opens the dashboard
   * already signed in, once. Development mode only (refused otherwise, not found).
   */
  async devSignInLinks(): Promise<{ sellerId: string; name: string; url: string }[]> {
    this.needDevelopment();
    const sellers = await this.ctx.db
      .selectFrom('sellers')
      .select(['id', 'name'])
      .orderBy('created_at')
      .execute();
    const links = [];
    for (const s of sellers) {
      const token = await this.createDevLink(s.id);
      links.push({
        sellerId: s.id,
        name: s.name,
        url: `${this.ctx.config.publicUrl}/v1/dashboard/dev-login/${token}`,
      });
    }
    return links;
  }

  /** Uses a development sign-in link once; refused (not found) outside development mode. */
  async signInWithDevLink(token: string): Promise<OpenedSession> {
    this.needDevelopment();
    const hash = sha256(token);
    const row = await this.ctx.db
      .deleteFrom('seller_login_tokens')
      .where('token_hash', '=', hash)
      .where('expires_at', '>', iso(this.ctx.clock.now()))
      .returning('seller_id')
      .executeTakeFirst();
    if (!row) throw new ServiceError('not_found', 'This sign-in link was used or has expired');
    const seller = await this.sellers.get(row.seller_id);
    if (!seller) throw new ServiceError('not_found', 'This sign-in link was used or has expired');
    return this.open(seller, 'dev_link');
  }

  /** Forgets lapsed codes, sessions and links (the sweeper). */
  async purgeExpired(): Promise<void> {
    const now = iso(this.ctx.clock.now());
    await this.codes.purgeExpired(this.ctx.db);
    await this.ctx.db.deleteFrom('seller_sessions').where('expires_at', '<=', now).execute();
    await this.ctx.db.deleteFrom('seller_login_tokens').where('expires_at', '<=', now).execute();
  }
}
