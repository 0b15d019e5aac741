// biome-ignore-all lint/suspicious/noExplicitAny: the answers are JSON from the endpoint under test, of no known type until the checks below have looked at them
// The kit's HTTP client: every call goes through here, so every answer the endpoint gives is
// checked against the OpenAPI document and kept for the requirements about all answers
// (SCHEMA-ANSWERS, ERR-PROBLEM).
import type { ProtocolSchemas, Verdict } from './schemas.ts';

export interface Call {
  method?: string;
  /** A path under the version prefix: `/products?ids=a`. */
  path: string;
  body?: unknown;
  /** A raw body sent as is (with `contentType`). */
  raw?: string | Uint8Array;
  contentType?: string;
  token?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Answer a 429 by waiting for its Retry-After and asking again (the default). */
  waitOutRateLimits?: boolean;
  /** A probe outside the protocol (the reference endpoint's development routes): not judged. */
  unjudged?: boolean;
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (null without one), or the text when it is not JSON. */
  body: T;
  bytes: Uint8Array;
  mediaType: string;
  verdict: Verdict;
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
  mediaType: string;
  verdict: Verdict;
  code?: string;
}

export class Client {
  /** Every exchange, in order. */
  readonly log: Exchange[] = [];
  /** Seconds spent waiting out the endpoint's rate limits. */
  waitedSeconds = 0;

  constructor(
    /** The endpoint's address with the version prefix: `http://localhost:8787/v1`. */
    readonly base: string,
    private readonly schemas: ProtocolSchemas,
    /** The longest Retry-After the client waits out. */
    private readonly maxRetryAfter = 65,
  ) {}

  async send<T = any>(call: Call): Promise<Answer<T>> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.once<T>(call);
      const retryAfter = Number(answer.headers.get('Retry-After') ?? 'NaN');
      const limited =
        answer.status === 429 &&
        (answer.body as { code?: string } | null)?.code === 'rate_limited' &&
        retryAfter <= this.maxRetryAfter;
      if (!limited || call.waitOutRateLimits === false || attempt >= 3) return answer;
      this.waitedSeconds += retryAfter;
      await new Promise((r) => setTimeout(r, retryAfter * 1000 + 250));
    }
  }

  private async once<T>(call: Call): Promise<Answer<T>> {
    const method = (call.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { Accept: 'application/json', ...call.headers };
    let body: string | Uint8Array | undefined;
    if (call.raw !== undefined) {
      body = call.raw;
      if (call.contentType) headers['Content-Type'] = call.contentType;
    } else if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['Content-Type'] = call.contentType ?? 'application/json';
    }
    if (call.token) headers.Authorization = `Bearer ${call.token}`;
    if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey;
    const res = await fetch(this.base + call.path, { method, headers, body, redirect: 'manual' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const mediaType = (res.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    let parsed: unknown = null;
    if (bytes.length) {
      const text = new TextDecoder().decode(bytes);
      parsed = text;
      if (mediaType.includes('json'))
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
    }
    const path = call.path.split('?')[0]!;
    const verdict = this.schemas.check(method, path, res.status, mediaType, parsed);
    const code = (parsed as { code?: unknown } | null)?.code;
    if (!call.unjudged)
      this.log.push({
        method,
        path,
        status: res.status,
        mediaType,
        verdict,
        ...(res.status >= 400 && typeof code === 'string' ? { code } : {}),
      });
    return {
      status: res.status,
      headers: res.headers,
      body: parsed as T,
      bytes,
      mediaType,
      verdict,
    };
  }
}
