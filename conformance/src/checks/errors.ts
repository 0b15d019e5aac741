// biome-ignore-all lint/suspicious/noExplicitAny: the answers are JSON from the endpoint under test, of no known type until the checks below have looked at them
import type { Client } from '../http.ts';
import { idempotencyKey, must, type Recorder } from '../run.ts';
import type { Context } from '../setup.ts';

/** A problem answer: status, media type and code as the protocol's table says. */
export function expectProblem(
  res: { status: number; mediaType: string; body: any },
  status: number,
  code: string,
  what: string,
) {
  must(
    res.status === status && res.body?.code === code,
    `${what}: expected ${status} ${code}, got ${res.status} ${res.body?.code ?? JSON.stringify(res.body)?.slice(0, 120)}`,
  );
  must(res.mediaType === 'application/problem+json', `${what}: answered as ${res.mediaType}`);
}

export async function checkErrors(ctx: Context, rec: Recorder) {
  const { client, fixtures } = ctx;
  const good = { productId: fixtures.tee.id, variantId: fixtures.tee.small, quantity: 1 };
  await rec.verify('ERROR-CODES', async () => {
    expectProblem(
      await client.send({ path: `/products/conf-${ctx.runId}-nothing` }),
      404,
      'not_found',
      'an unknown product',
    );
    expectProblem(
      await client.send({ path: `/no-such-route-${ctx.runId}` }),
      404,
      'not_found',
      'an unknown route',
    );
    expectProblem(
      await client.send({
        method: 'POST',
        path: '/checkouts',
        raw: 'quantity=1',
        contentType: 'text/plain',
        idempotencyKey: idempotencyKey(),
      }),
      415,
      'unsupported_media_type',
      'a text/plain body',
    );
    expectProblem(
      await client.send({
        method: 'POST',
        path: '/checkouts',
        raw: '{"productId":',
        contentType: 'application/json',
        idempotencyKey: idempotencyKey(),
      }),
      400,
      'validation_failed',
      'a body that is not JSON',
    );
    const zero = await ctx.createCheckout({ ...good, quantity: 0 });
    expectProblem(zero, 422, 'validation_failed', 'quantity 0');
    must(
      zero.body.errors?.some((e: { field: string }) => e.field === 'quantity'),
      `quantity 0: errors[] names no field "quantity": ${JSON.stringify(zero.body.errors)}`,
    );
    const unknown = await ctx.createCheckout({ ...good, productId: `conf-${ctx.runId}-nothing` });
    expectProblem(unknown, 404, 'not_found', 'a checkout of an unknown product');
  });
  await rec.verify('ERROR-STRICT', async () => {
    const res = await ctx.createCheckout({ ...good, price: { amount: 1, currency: ctx.currency } });
    expectProblem(res, 422, 'validation_failed', 'a checkout body with a price');
  });
}

/** ERROR-PROBLEM, judged on every error answer of the run. */
export async function checkObservedErrors(client: Client, rec: Recorder) {
  await rec.verify('ERROR-PROBLEM', async () => {
    const errors = client.log.filter((e) => e.status >= 400);
    const wrong = errors.filter(
      (e) => e.mediaType !== 'application/problem+json' || !e.code || !e.verdict.ok,
    );
    must(
      wrong.length === 0,
      `${wrong.length} of ${errors.length} errors are not problem+json with a documented code: ${wrong
        .slice(0, 3)
        .map((e) => `${e.method} ${e.path} → ${e.status} ${e.mediaType} ${e.code ?? ''}`)
        .join(' | ')}`,
    );
    if (!errors.length) return 'no error was seen';
    return `${errors.length} error answers checked`;
  });
}
