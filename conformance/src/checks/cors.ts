import { idempotencyKey, must, type Recorder, Skip } from '../run.ts';
import { ALLOWED_ORIGIN, type Context, REFUSED_ORIGIN } from '../setup.ts';
import { expectProblem } from './errors.ts';

const listed = (header: string | null) =>
  (header ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

export async function checkCors(ctx: Context, rec: Recorder) {
  const { client, fixtures } = ctx;
  const path = `/products/${fixtures.tee.id}`;
  await rec.verify('CORS-ALLOWED', async () => {
    const res = await client.send({ path, headers: { Origin: ALLOWED_ORIGIN } });
    must(
      res.headers.get('Access-Control-Allow-Origin') === ALLOWED_ORIGIN,
      `Access-Control-Allow-Origin is ${res.headers.get('Access-Control-Allow-Origin')} for the allowed ${ALLOWED_ORIGIN}`,
    );
    must(
      listed(res.headers.get('Vary')).includes('origin'),
      `Vary is "${res.headers.get('Vary')}", without Origin`,
    );
    const exposed = listed(res.headers.get('Access-Control-Expose-Headers'));
    for (const h of ['etag', 'idempotent-replayed', 'retry-after'])
      must(
        exposed.includes(h),
        `Access-Control-Expose-Headers "${res.headers.get('Access-Control-Expose-Headers')}" lacks ${h}`,
      );
    must(!res.headers.get('Access-Control-Allow-Credentials'), 'credentials are allowed');
  });
  await rec.verify('CORS-PREFLIGHT', async () => {
    const res = await client.send({
      method: 'OPTIONS',
      path: '/checkouts',
      headers: {
        Origin: ALLOWED_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,idempotency-key,authorization',
      },
    });
    must(res.status >= 200 && res.status < 300, `the preflight answered ${res.status}`);
    must(
      res.headers.get('Access-Control-Allow-Origin') === ALLOWED_ORIGIN,
      `the preflight's Access-Control-Allow-Origin is ${res.headers.get('Access-Control-Allow-Origin')}`,
    );
    const methods = listed(res.headers.get('Access-Control-Allow-Methods'));
    for (const m of ['get', 'post', 'patch', 'delete'])
      must(
        methods.includes(m),
        `Access-Control-Allow-Methods "${methods.join(',')}" lacks ${m.toUpperCase()}`,
      );
    const headers = listed(res.headers.get('Access-Control-Allow-Headers'));
    for (const h of ['content-type', 'authorization', 'idempotency-key'])
      must(
        headers.includes(h) || headers.includes('*'),
        `Access-Control-Allow-Headers "${headers.join(',')}" lacks ${h}`,
      );
  });
  await rec.verify('CORS-REFUSED', async () => {
    if (ctx.development)
      throw new Skip(
        'development mode: the reference endpoint lets every origin sell there (run it in test or production mode to check refusals)',
      );
    const res = await client.send({ path, headers: { Origin: REFUSED_ORIGIN } });
    must(res.status === 200, `a look-up from another origin answered ${res.status}`);
    must(
      !res.headers.get('Access-Control-Allow-Origin'),
      `Access-Control-Allow-Origin is ${res.headers.get('Access-Control-Allow-Origin')} for ${REFUSED_ORIGIN}, which no seller allows`,
    );
    const pre = await client.send({
      method: 'OPTIONS',
      path: '/checkouts',
      headers: { Origin: REFUSED_ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    must(
      !pre.headers.get('Access-Control-Allow-Origin'),
      `the preflight from ${REFUSED_ORIGIN} is allowed`,
    );
    const made = await ctx.createCheckout(
      { productId: fixtures.tee.id, variantId: fixtures.tee.small, quantity: 1 },
      { headers: { Origin: REFUSED_ORIGIN }, idempotencyKey: idempotencyKey() },
    );
    if (made.status === 201) await ctx.cancel(made.body);
    expectProblem(made, 403, 'origin_not_allowed', `a checkout from ${REFUSED_ORIGIN}`);
    const seller = await client.send({
      path: '/seller/me',
      token: ctx.sellerKey,
      headers: { Origin: ALLOWED_ORIGIN },
    });
    must(!seller.headers.get('Access-Control-Allow-Origin'), 'the seller API answers CORS');
  });
}
