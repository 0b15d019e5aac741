// The dashboard's one door to the endpoint. Every call is same-origin (the dashboard is served by
// the endpoint at /seller/), rides on the session cookie, and sends the session's CSRF token on
// every write; failures become an ApiError carrying the problem+json `code` and field errors.
import type { FieldError, Problem } from '../../server/src/protocol/common.ts';

export type { FieldError };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** Field errors by dotted path (`variants.0.price.amount`), as the server names them. */
  get fields(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** A failure to reach the endpoint at all (offline, aborted). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent raw (a file upload); `body` is then ignored. */
  raw?: Blob;
  /** Sent as multipart/form-data (an image upload); `body` is then ignored. */
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Answer<T> {
  data: T;
  headers: Headers;
  status: number;
}

const WRITE = /^(POST|PUT|PATCH|DELETE)$/;

export class Api {
  /** The session's CSRF token (from the sign-in or session answer); sent on every write. */
  csrfToken = '';
  /** Called on a 401 from anything but the session calls: the session ended elsewhere. */
  onUnauthorized: (() => void) | null = null;

  constructor(readonly base = '/v1') {}

  async request<T>(path: string, opts: RequestOptions = {}): Promise<Answer<T>> {
    const method = opts.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.form) {
      body = opts.form;
    } else if (opts.raw) {
      body = opts.raw;
      headers['Content-Type'] ??= opts.raw.type || 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    if (WRITE.test(method) && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new NetworkError(String((err as Error).message ?? err));
    }
    const type = res.headers.get('Content-Type') ?? '';
    const parsed = type.includes('json') ? await res.json().catch(() => null) : null;
    if (!res.ok) {
      const problem = (parsed ?? { title: res.statusText, status: res.status }) as Partial<Problem>;
      const err = new ApiError(res.status, problem.code ?? `http_${res.status}`, problem);
      if (res.status === 401 && !path.startsWith('/seller/session')) this.onUnauthorized?.();
      throw err;
    }
    return {
      data: (parsed ?? (await res.text().catch(() => ''))) as T,
      headers: res.headers,
      status: res.status,
    };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>(path, { signal })).data;
  }

  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    return (await this.request<T>(path, { method, body, headers })).data;
  }
}

/** The one client the pages share. */
export const api = new Api();
