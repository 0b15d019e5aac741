// Over 300 lines on purpose: the buyer's session with one endpoint — sign-in (code, host token),
// storage, the masked wallet and its deletions — one object every element of the page shares.
import { ProtocolClient, ProtocolError } from '../../internal/client.ts';
import type { BuyerCodeRequested, BuyerSession, Wallet } from './model.ts';

/*
 * The buyer's session with one endpoint, shared by every <buy-in-post> of the page that talks to
 * that endpoint (the checkout chunk loads once per page, so this module's map is the page's).
 *
 * The session is an opaque bearer token (docs/wallet.md). Only it and its expiry are kept, under
 * `buy-in-post:buyer:<endpoint>/v1`: in sessionStorage (this tab), or in localStorage when the
 * reader ticked "Remember me on this site". The masked wallet is kept in memory only. Any script
 * of the host page can read that storage; the endpoint lets a session do little (read masked
 * details, start a checkout with them, delete).
 */

interface Stored {
  token: string;
  expiresAt: string;
}

export type SignInMethod = 'code' | 'host-token';

/** What the host page gives for its signed-in reader (the element's properties). */
export interface HostIdentity {
  readonly buyerToken: string;
  readonly getBuyerToken: (() => Promise<string | null> | string | null) | null;
}

/** The buyer routes of the protocol (`/v1/buyer/*`). */
class BuyerApi extends ProtocolClient {
  requestCode(email: string) {
    return this.call<BuyerCodeRequested>('POST', '/buyer/codes', { body: { email } });
  }
  createSession(body: { email?: string; code?: string; hostToken?: string }) {
    return this.call<BuyerSession>('POST', '/buyer/sessions', { body });
  }
  wallet(token: string) {
    return this.call<Wallet>('GET', '/buyer', { token, fresh: true });
  }
  remove(token: string, path: string) {
    return this.call<null>('DELETE', path, { token });
  }
}

const storageKey = (base: string) => `buy-in-post:buyer:${base}`;
const pausedKey = (base: string) => `buy-in-post:buyer-forgotten:${base}`;

/** Either may be unavailable (privacy modes, sandboxed frames): the session then lives in memory. */
function storages(): { local: Storage | null; tab: Storage | null } {
  const get = (which: () => Storage) => {
    try {
      return which();
    } catch {
      return null;
    }
  };
  return { local: get(() => localStorage), tab: get(() => sessionStorage) };
}

/** A stored session, if it has the shape we write and has not expired. */
function parseStored(raw: string | null): Stored | null {
  try {
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (!v || typeof v !== 'object') return null;
    const { token, expiresAt } = v as Record<string, unknown>;
    if (typeof token !== 'string' || !token || token.length > 512) return null;
    if (typeof expiresAt !== 'string' || !(Date.parse(expiresAt) > Date.now())) return null;
    return { token, expiresAt };
  } catch {
    return null;
  }
}

const accounts = new Map<string, BuyerAccount>();

/**
 * One endpoint's buyer: the session (and where it is kept), the masked wallet, sign-in and
 * deletion. Elements subscribe to hear of changes (a sign-in in one element shows in all).
 */
export class BuyerAccount {
  /** The account for an endpoint (its protocol base, `…/v1`), made once per page. */
  static for(base: string): BuyerAccount {
    let account = accounts.get(base);
    if (!account) {
      account = new BuyerAccount(base);
      accounts.set(base, account);
    }
    return account;
  }

  private readonly api: BuyerApi;
  private stored: Stored | null = null;
  /** Kept in localStorage ("Remember me on this site") rather than sessionStorage. */
  remembered = false;
  /** The masked wallet, once read (null: not signed in, or not read yet). */
  wallet: Wallet | null = null;
  private loading: Promise<Wallet | null> | null = null;
  private hostSignIn: Promise<boolean> | null = null;
  /** Host tokens already sent: each is single-use, so none is sent twice. */
  private readonly spent = new Set<string>();
  /** Where the session was written (null: memory only, storage being unavailable or full). */
  private persistedIn: Storage | null = null;
  /** "Forget me" without storage: no host sign-in again until the page reloads. */
  private pausedInMemory = false;
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly base: string) {
    this.api = new BuyerApi(base.replace(/\/v1$/, ''));
    const { local, tab } = storages();
    for (const storage of [local, tab]) {
      let found: Stored | null = null;
      try {
        found = parseStored(storage?.getItem(storageKey(base)) ?? null);
        if (!found) storage?.removeItem(storageKey(base));
      } catch {}
      if (found) {
        this.stored = found;
        this.persistedIn = storage;
        this.remembered = storage === local;
        break;
      }
    }
  }

  /**
   * The session token, while it has not expired and is still where it was kept: a host page
   * that removes the key (its reader signed out) signs the reader out of the checkout too.
   */
  get token(): string | null {
    const s = this.stored;
    if (s && !(Date.parse(s.expiresAt) > Date.now())) this.clear();
    else if (s && this.persistedIn && !this.stillStored(this.persistedIn, s.token)) {
      this.stored = null;
      this.wallet = null;
      this.remembered = false;
      this.persistedIn = null;
    }
    return this.stored?.token ?? null;
  }

  private stillStored(storage: Storage, token: string): boolean {
    try {
      return parseStored(storage.getItem(storageKey(this.base)))?.token === token;
    } catch {
      return true; // cannot tell: keep it
    }
  }

  /**
   * "Forget me on this site" was pressed in this tab: the host page's sign-in is not used again
   * until the tab closes (kept in sessionStorage, so a reload does not undo it).
   */
  private get hostPaused(): boolean {
    try {
      const tab = storages().tab;
      if (tab) return tab.getItem(pausedKey(this.base)) === '1';
    } catch {}
    return this.pausedInMemory;
  }

  private pauseHost() {
    this.pausedInMemory = true;
    try {
      storages().tab?.setItem(pausedKey(this.base), '1');
    } catch {}
  }

  private resumeHost() {
    this.pausedInMemory = false;
    try {
      storages().tab?.removeItem(pausedKey(this.base));
    } catch {}
  }

  get signedIn(): boolean {
    return this.token !== null;
  }

  /** Calls `fn` on every change (sign-in, sign-out, a new read of the wallet). */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed() {
    for (const fn of [...this.listeners]) fn();
  }

  // ---- signing in ----------------------------------------------------------------------------

  requestCode(email: string): Promise<BuyerCodeRequested> {
    return this.api.requestCode(email);
  }

  /** Signs in with an emailed code; `remember` keeps the session in localStorage. */
  async signInWithCode(email: string, code: string, remember: boolean): Promise<Wallet> {
    const session = await this.api.createSession({ email, code });
    this.keep(session, remember);
    this.resumeHost(); // signed in again by hand: the reader is back
    return session.buyer;
  }

  /**
   * Signs in with the host page's buyer token, if it gives one (the `getBuyerToken` callback
   * first, for a fresh token; else the `buyer-token` attribute). Resolves whether a new session
   * was opened. A refused token is not the reader's problem: they carry on as a guest (the
   * console tells the host's developer why).
   */
  signInWithHost(host: HostIdentity): Promise<boolean> {
    if (this.signedIn || this.hostPaused) return Promise.resolve(false);
    this.hostSignIn ??= this.exchange(host).finally(() => {
      this.hostSignIn = null;
    });
    return this.hostSignIn;
  }

  private async exchange(host: HostIdentity): Promise<boolean> {
    let hostToken: string | null = null;
    try {
      hostToken = host.getBuyerToken ? await host.getBuyerToken() : host.buyerToken || null;
    } catch (err) {
      console.warn('[buy-in-post] getBuyerToken() failed:', err);
    }
    if (!hostToken || this.spent.has(hostToken) || this.signedIn) return false;
    this.spent.add(hostToken);
    try {
      this.keep(await this.api.createSession({ hostToken }), false);
      return true;
    } catch (err) {
      const e = err instanceof ProtocolError ? err : null;
      console.warn(`[buy-in-post] the buyer token was not accepted: ${e?.message ?? err}`);
      return false;
    }
  }

  private keep(session: BuyerSession, remember: boolean) {
    this.clear();
    this.stored = { token: session.sessionToken, expiresAt: session.expiresAt };
    this.remembered = remember;
    this.wallet = session.buyer;
    const { local, tab } = storages();
    const where = remember ? local : tab;
    try {
      // Named fields only: nothing else can slip into the host page's storage.
      const { token, expiresAt } = this.stored;
      where?.setItem(storageKey(this.base), JSON.stringify({ token, expiresAt }));
      this.persistedIn = where;
    } catch {
      // storage full or denied: the session lasts as long as the page
    }
    this.changed();
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Reads the wallet again (a removal elsewhere, a purchase that saved an address). */
  load(): Promise<Wallet | null> {
    const token = this.token;
    if (!token) return Promise.resolve(null);
    this.loading ??= this.api
      .wallet(token)
      .then(
        (wallet) => {
          if (this.token === token) this.wallet = wallet;
          return this.wallet;
        },
        (err) => {
          if (err instanceof ProtocolError && err.status === 401) {
            this.dropIf(token);
            return null;
          }
          throw err;
        },
      )
      .finally(() => {
        this.loading = null;
        this.changed();
      });
    return this.loading;
  }

  /**
   * Whether `token` still opens the wallet (a checkout call answered 401 with it: was it the
   * session, or the checkout's own token?). A session the endpoint refuses is dropped.
   */
  async stillValid(token: string): Promise<boolean> {
    if (this.token !== token) return false;
    try {
      await this.load();
    } catch {
      return true; // cannot tell: keep it
    }
    return this.token === token;
  }

  // ---- deleting -----------------------------------------------------------------------------

  removeAddress(id: string) {
    return this.removeThen(`/buyer/addresses/${encodeURIComponent(id)}`);
  }

  removePaymentMethod(id: string) {
    return this.removeThen(`/buyer/payment-methods/${encodeURIComponent(id)}`);
  }

  /** Stops sharing the email with one seller (the consent is withdrawn at the endpoint). */
  withdrawConsent(sellerId: string) {
    return this.removeThen(`/buyer/consents/${encodeURIComponent(sellerId)}`);
  }

  private async removeThen(path: string) {
    const token = this.requireToken();
    await this.api.remove(token, path);
    await this.load();
  }

  /** "Delete everything": the endpoint erases the wallet and ends every session. */
  async erase() {
    const token = this.requireToken();
    await this.api.remove(token, '/buyer');
    // the host page's sign-in would open a new, empty wallet at once: not in this tab
    this.pauseHost();
    this.dropIf(token);
  }

  /**
   * "Forget me on this site": this page stops holding the session (and the endpoint ends it;
   * if that fails, it lapses by itself). The host page's sign-in is not used again until reload.
   */
  forget() {
    const token = this.token;
    this.pauseHost();
    if (token) void this.api.remove(token, '/buyer/sessions/current').catch(() => {});
    this.dropIf(token);
  }

  private requireToken(): string {
    const token = this.token;
    if (!token) throw new ProtocolError('unauthorized', 401, 'not signed in');
    return token;
  }

  /** The session is gone (refused, erased, forgotten): carry on as a guest. */
  private dropIf(token: string | null) {
    if (token !== null && this.stored?.token !== token) return;
    this.clear();
    this.changed();
  }

  private clear() {
    this.stored = null;
    this.wallet = null;
    this.remembered = false;
    this.persistedIn = null;
    for (const storage of Object.values(storages())) {
      try {
        storage?.removeItem(storageKey(this.base));
      } catch {}
    }
  }
}
