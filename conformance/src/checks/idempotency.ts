import { idempotencyKey, must, type Recorder } from '../run.ts';
import type { Context } from '../setup.ts';
import { expectProblem } from './errors.ts';

/** Answers compared without what may differ between two sendings of the same answer. */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function checkIdempotency(ctx: Context, rec: Recorder) {
  const { client, fixtures } = ctx;
  const { tee } = fixtures;
  const body = { productId: tee.id, variantId: tee.medium, quantity: 1 };

  await rec.verify('IDEMPOTENCY-REQUIRED', async () => {
    const res = await client.send({ method: 'POST', path: '/checkouts', body });
    expectProblem(res, 400, 'idempotency_key_required', 'POST /v1/checkouts without a key');
  });

  await rec.verify('IDEMPOTENCY-REPLAY', async () => {
    const key = idempotencyKey();
    const first = await ctx.createCheckout(body, { idempotencyKey: key });
    must(first.status === 201, `first POST: ${first.status}`);
    must(
      first.headers.get('Idempotent-Replayed') === null,
      'the first answer says Idempotent-Replayed',
    );
    try {
      // The same body, its keys in another order: the same request.
      const again = await client.send({
        method: 'POST',
        path: '/checkouts',
        body: { quantity: 1, variantId: tee.medium, productId: tee.id },
        idempotencyKey: key,
      });
      must(again.status === 201, `the replay answered ${again.status}, not 201`);
      must(
        again.headers.get('Idempotent-Replayed') === 'true',
        `the replay's Idempotent-Replayed is ${again.headers.get('Idempotent-Replayed')}`,
      );
      must(same(again.body, first.body), 'the replay’s body differs from the first answer');
      must((await ctx.reserved(tee.id, tee.medium)) === 1, 'the replay reserved units again');
      // A kept 4xx is replayed too.
      const refusedKey = idempotencyKey();
      const refused = await client.send({
        method: 'PATCH',
        path: `/checkouts/${first.body.id}`,
        token: first.body.clientToken,
        body: { variantId: fixtures.scarce.variant },
        idempotencyKey: refusedKey,
      });
      const refusedAgain = await client.send({
        method: 'PATCH',
        path: `/checkouts/${first.body.id}`,
        token: first.body.clientToken,
        body: { variantId: fixtures.scarce.variant },
        idempotencyKey: refusedKey,
      });
      must(
        refused.status === refusedAgain.status &&
          refusedAgain.headers.get('Idempotent-Replayed') === 'true',
        `a refused PATCH replayed: ${refused.status} then ${refusedAgain.status} (Idempotent-Replayed ${refusedAgain.headers.get('Idempotent-Replayed')})`,
      );
    } finally {
      await ctx.cancel(first.body);
    }
  });

  await rec.verify('IDEMPOTENCY-CONFLICT', async () => {
    const key = idempotencyKey();
    const first = await ctx.createCheckout(body, { idempotencyKey: key });
    must(first.status === 201, `first POST: ${first.status}`);
    try {
      const other = await client.send({
        method: 'POST',
        path: '/checkouts',
        body: { ...body, quantity: 2 },
        idempotencyKey: key,
      });
      expectProblem(other, 422, 'idempotency_conflict', 'the same key with quantity 2');
      must(
        (await ctx.reserved(tee.id, tee.medium)) === 1,
        'the conflicting request reserved units',
      );
    } finally {
      await ctx.cancel(first.body);
    }
  });

  await rec.verify('IDEMPOTENCY-IN-FLIGHT', async () => {
    // The same request sent many times at once. None may run a second time: each repeat gets
    // the first one's answer replayed or, if it arrives while the first still runs, 409
    // idempotency_in_progress with Retry-After. (An endpoint that finishes each request before
    // reading the next never needs the 409; one on a networked database usually shows it.)
    let running = 0;
    let replayed = 0;
    for (let round = 0; round < 3; round++) {
      const key = idempotencyKey();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          client.send({
            method: 'POST',
            path: '/checkouts',
            body,
            idempotencyKey: key,
            waitOutRateLimits: false,
          }),
        ),
      );
      const made = answers.filter((a) => a.status === 201);
      const ids = new Set(made.map((a) => a.body.id));
      for (const a of made) if (a.body.clientToken) await ctx.cancel(a.body);
      must(ids.size <= 1, `one key sent 10 times at once made ${ids.size} checkouts`);
      const fresh = made.filter((a) => a.headers.get('Idempotent-Replayed') !== 'true');
      must(
        fresh.length <= 1,
        `${fresh.length} answers to one key are not marked Idempotent-Replayed`,
      );
      replayed += made.length - fresh.length;
      for (const a of answers.filter((x) => x.status === 409)) {
        expectProblem(a, 409, 'idempotency_in_progress', 'a repeat while the first runs');
        must(
          Number(a.headers.get('Retry-After')) >= 1,
          `a 409 idempotency_in_progress without Retry-After (${a.headers.get('Retry-After')})`,
        );
        running++;
      }
      const others = answers.filter(
        (a) => a.status !== 201 && a.status !== 409 && a.status !== 429,
      );
      must(
        !others.length,
        `unexpected answers: ${others.map((a) => `${a.status} ${a.body?.code}`).join(', ')}`,
      );
      must((await ctx.reserved(tee.id, tee.medium)) === 0, 'units are still held after cancelling');
    }
    return `30 repeats: ${replayed} replayed, ${running} found the first running (409)`;
  });
}
