import type {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  UpdateCheckoutBody,
} from '../../../server/src/protocol/index.ts';
import { type CallOptions, ProtocolClient, ProtocolError } from '../../internal/client.ts';
import type { BuyerAccount } from './account.ts';

/** An Idempotency-Key: a retried call with the same one is the same call at the endpoint. */
export const newIdempotencyKey = (): string =>
  globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * The protocol client the checkout uses: the core's, with the checkout's own calls, and the
 * buyer's session on those calls (`Buyer-Session`; `Authorization` already carries the
 * checkout's client token). The endpoint then binds a new checkout to the buyer and answers with
 * the wallet's masked details in `checkout.buyer` (docs/wallet.md).
 *
 * A 401 on such a call may be the session's (it lapsed, was erased or signed out elsewhere) or the
 * checkout's own token's: the account asks the endpoint which. A dead session is dropped and the
 * call made again without it — the reader carries on as a guest.
 */
export class CheckoutClient extends ProtocolClient {
  constructor(
    base: string,
    private readonly account: BuyerAccount,
  ) {
    super(base.replace(/\/v1$/, ''));
  }

  /** `key` makes a retried create return the same checkout (a double press makes one). */
  createCheckout(
    body: CreateCheckoutBody,
    key = newIdempotencyKey(),
    signal?: AbortSignal,
  ): Promise<Checkout> {
    return this.call('POST', '/checkouts', { body, key, ...(signal ? { signal } : {}) });
  }

  getCheckout(id: string, token: string, signal?: AbortSignal): Promise<Checkout> {
    return this.call('GET', `/checkouts/${encodeURIComponent(id)}`, {
      token,
      ...(signal ? { signal } : {}),
    });
  }

  updateCheckout(
    id: string,
    token: string,
    body: UpdateCheckoutBody,
    signal?: AbortSignal,
  ): Promise<Checkout> {
    return this.call('PATCH', `/checkouts/${encodeURIComponent(id)}`, {
      body,
      token,
      key: newIdempotencyKey(),
      ...(signal ? { signal } : {}),
    });
  }

  confirmCheckout(
    id: string,
    token: string,
    body: ConfirmCheckoutBody,
    key = newIdempotencyKey(),
  ): Promise<Checkout> {
    return this.call('POST', `/checkouts/${encodeURIComponent(id)}/confirm`, { body, token, key });
  }

  /** Cancels a checkout (its reservation is released). */
  cancelCheckout(id: string, token: string): Promise<null> {
    return this.call('DELETE', `/checkouts/${encodeURIComponent(id)}`, { token });
  }

  protected override async call<T>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<T> {
    const session = path.startsWith('/checkouts') ? this.account.token : null;
    if (!session) return super.call<T>(method, path, opts);
    try {
      const headers = { ...opts.headers, 'Buyer-Session': session };
      return await super.call<T>(method, path, { ...opts, headers });
    } catch (err) {
      if (!(err instanceof ProtocolError) || err.status !== 401) throw err;
      if (await this.account.stillValid(session)) throw err;
      return super.call<T>(method, path, opts);
    }
  }
}
