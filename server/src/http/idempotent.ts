import type { Context } from 'hono';
import { ServiceError } from '../services/errors.ts';
import type { Claim, IdempotencyService, SuccessWith } from '../services/idempotency.ts';
import { statusOf, toProblem } from './problem.ts';

export interface IdempotentCall<S extends 200 | 201, T = unknown> {
  /**
   * What the key is for (`POST /checkouts`): the same key may be used once per scope. Scopes of
   * calls on a checkout include its token, so a replay never answers someone without it.
   */
  scope: string;
  /** Refuse the call without an Idempotency-Key (creating); otherwise it just runs each time. */
  required: boolean;
  /**
   * When the key is claimed (services/idempotency.ts `Claim`): `first` by default;
   * `in-transaction` for a handler that writes the key with what it makes (`successWith`).
   */
  claim?: Claim;
  /** The request the key stands for: the same key with another request is refused. */
  request: unknown;
  /** The status of a success. */
  status: S;
  /**
   * Adds to a success, fresh or replayed, what is never stored (it is per caller, or a secret
   * that must not be kept): applied after storing, to each answer.
   */
  present?: (body: T) => Promise<T>;
}

/**
 * Answers a mutating call once per Idempotency-Key: runs `run` the first time and stores its
 * answer — the result, or the problem a refusal (4xx) becomes — and replays that answer to a
 * repeat (`Idempotent-Replayed: true`). A 5xx is not stored, so the client may retry.
 */
export async function idempotent<S extends 200 | 201, T>(
  c: Context,
  idem: IdempotencyService,
  call: IdempotentCall<S, T>,
  run: (successWith: SuccessWith<T>) => Promise<T>,
) {
  const r = await idem.run(
    call.scope,
    c.req.header('Idempotency-Key'),
    call.request,
    { required: call.required, claim: call.claim },
    async (keyWith) => {
      const successWith: SuccessWith<T> =
        keyWith &&
        ((trx, body) => keyWith(trx, body === null ? null : { status: call.status, body }));
      try {
        return { status: call.status as number, body: await run(successWith) };
      } catch (err) {
        // A rate limit is about the moment, not the request: stored, it would refuse the same
        // key's retry for as long as keys are kept. It is answered, not stored.
        if (err instanceof ServiceError && statusOf(err) < 500 && err.code !== 'rate_limited')
          return { status: statusOf(err) as number, body: toProblem(err) };
        throw err;
      }
    },
  );
  if (r.replayed) c.header('Idempotent-Replayed', 'true');
  c.header('Cache-Control', 'no-store');
  const type = r.status >= 400 ? 'application/problem+json' : 'application/json';
  const body = r.status < 400 && call.present ? await call.present(r.body as T) : r.body;
  // The route is typed by its success; a replayed answer may be a stored problem instead, whose
  // status is known only now (the route declares those statuses as problem+json).
  return c.json(body as T, r.status as S, { 'Content-Type': type });
}
