import type { FieldError, Problem, ProductBatch } from '../../server/src/protocol/index.ts';
import type { ProtocolErrorCode } from './types.ts';

/**
 * A failure of a protocol call, with the endpoint's stable code — or `network` (no answer) or
 * `aborted` (we stopped waiting).
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

export interface CallOptions {
  body?: unknown;
  /** `Authorization: Bearer …` (a checkout's client token, a buyer session). */
  token?: string;
  key?: string;
  signal?: AbortSignal;
  fresh?: boolean;
  headers?: Record<string, string>;
}

/**
 * The Commerce Endpoint Protocol v1, from the browser: what the core needs (the product
 * look-up); the checkout's calls are the checkout chunk's (checkout/wallet/client.ts). Every call
 * takes an AbortSignal; failures become {@link ProtocolError}s carrying the endpoint's `code`.
 */
export class ProtocolClient {
  readonly base: string;

  constructor(endpoint: string) {
    this.base = `${endpoint.replace(/\/+$/, '')}/v1`;
  }

  /** One call; protected so the checkout chunk can add the buyer's session (wallet/client.ts). */
  protected async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
        credentials: 'omit',
        // a fresh read revalidates with the endpoint (ETag) instead of trusting the HTTP cache
        cache: opts.fresh ? 'no-cache' : 'default',
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw new ProtocolError('aborted', 0, 'aborted');
      throw new ProtocolError('network', 0, (err as Error).message);
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // a proxy's HTML error page, say
    }
    if (!res.ok) {
      const problem = (data && typeof data === 'object' ? data : undefined) as Problem | undefined;
      throw new ProtocolError(
        problem?.code ?? (res.status >= 500 ? 'internal_error' : 'validation_failed'),
        res.status,
        problem?.detail ?? problem?.title ?? res.statusText,
        problem,
      );
    }
    return data as T;
  }

  products(
    ids: readonly string[],
    opts: { signal?: AbortSignal; fresh?: boolean } = {},
  ): Promise<ProductBatch> {
    const query = ids.map(encodeURIComponent).join(',');
    return this.call('GET', `/products?ids=${query}`, opts);
  }
}
