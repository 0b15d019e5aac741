import { must, type Recorder } from '../run.ts';
import type { Context } from '../setup.ts';
import { expectProblem } from './errors.ts';

export async function checkLookups(ctx: Context, rec: Recorder) {
  const { client, fixtures } = ctx;
  const { tee, scarce, album } = fixtures;
  const unknown = `conf-${ctx.runId}-unknown`;
  // Fresh reads: the products were just made, and a cache could hold a "missing" from before.
  const fresh = { 'Cache-Control': 'no-cache' };
  const asked = [album.id, unknown, tee.id, album.id, scarce.id];
  const batch = await client.send({ path: `/products?ids=${asked.join(',')}`, headers: fresh });

  await rec.verify('LOOKUP-ORDER', async () => {
    must(batch.status === 200, `GET /v1/products answered ${batch.status}`);
    const ids = (batch.body.products ?? []).map((p: { id: string }) => p.id);
    const expected = [album.id, tee.id, scarce.id];
    must(
      JSON.stringify(ids) === JSON.stringify(expected),
      `asked ${asked.join(',')}, got products ${ids.join(',')} (expected ${expected.join(',')})`,
    );
  });
  await rec.verify('LOOKUP-MISSING', async () => {
    must(batch.status === 200, `GET /v1/products answered ${batch.status}`);
    must(
      JSON.stringify(batch.body.missing) === JSON.stringify([unknown]),
      `missing is ${JSON.stringify(batch.body.missing)}, expected ["${unknown}"]`,
    );
  });
  await rec.verify('LOOKUP-LIMIT', async () => {
    const fifty = [tee.id, ...Array.from({ length: 49 }, (_, i) => `conf-${ctx.runId}-n${i}`)];
    const ok = await client.send({ path: `/products?ids=${fifty.join(',')}`, headers: fresh });
    must(ok.status === 200, `50 ids answered ${ok.status}`);
    must(ok.body.missing?.length === 49, `50 ids: ${ok.body.missing?.length} missing, expected 49`);
    const tooMany = await client.send({
      path: `/products?ids=${fifty.join(',')},conf-${ctx.runId}-n50`,
    });
    expectProblem(tooMany, 422, 'validation_failed', '51 ids');
    must(
      tooMany.body.errors?.some((e: { field: string }) => e.field === 'query.ids'),
      `51 ids: errors[] names no field "query.ids": ${JSON.stringify(tooMany.body.errors)}`,
    );
  });
  await rec.verify('LOOKUP-ONE', async () => {
    const one = await client.send({ path: `/products/${tee.id}`, headers: fresh });
    must(one.status === 200, `GET /v1/products/${tee.id} answered ${one.status}`);
    must(one.body.id === tee.id, `answered product ${one.body.id}`);
    const variants = one.body.variants.map((v: { id: string }) => v.id).sort();
    must(
      JSON.stringify(variants) === JSON.stringify([tee.small, tee.medium].sort()),
      `variants ${variants.join(',')}`,
    );
    expectProblem(
      await client.send({ path: `/products/${unknown}` }),
      404,
      'not_found',
      'an unknown product',
    );
  });
  await rec.verify('LOOKUP-ETAG', async () => {
    for (const path of [`/products?ids=${tee.id},${album.id}`, `/products/${tee.id}`]) {
      const first = await client.send({ path });
      const etag = first.headers.get('ETag');
      must(first.status === 200 && etag, `GET /v1${path}: ${first.status}, no ETag`);
      const again = await client.send({ path, headers: { 'If-None-Match': etag } });
      must(
        again.status === 304,
        `GET /v1${path} with If-None-Match: ${etag} answered ${again.status}, not 304`,
      );
      must(again.bytes.length === 0, `the 304 of GET /v1${path} has a body`);
      const other = await client.send({
        path,
        headers: { 'If-None-Match': 'W/"conformance-no-such-tag"' },
      });
      must(
        other.status === 200,
        `GET /v1${path} with another ETag answered ${other.status}, not 200`,
      );
    }
  });
  await rec.verify('LOOKUP-CACHE', async () => {
    for (const path of [`/products?ids=${tee.id}`, `/products/${tee.id}`]) {
      const res = await client.send({ path });
      const control = res.headers.get('Cache-Control') ?? '';
      must(
        /\bpublic\b/.test(control) && /\bmax-age=\d+/.test(control),
        `GET /v1${path}: Cache-Control is "${control}"`,
      );
    }
  });
  await rec.verify('LOOKUP-FRESH', async () => {
    const path = `/products/${scarce.id}`;
    const before = await client.send({ path });
    must(before.status === 200, `GET /v1${path} answered ${before.status}`);
    const change = await ctx.asSeller({
      method: 'PATCH',
      path: `/products/${scarce.id}/variants/${scarce.variant}`,
      body: { price: 1100 },
    });
    must(
      change.status === 200,
      `changing the price through the seller API answered ${change.status}`,
    );
    try {
      const after = await client.send({ path, headers: { 'Cache-Control': 'no-cache' } });
      const price = after.body?.variants?.[0]?.price?.amount;
      must(price === 1100, `after the seller's change a no-cache look-up shows ${price}, not 1100`);
    } finally {
      await ctx.asSeller({
        method: 'PATCH',
        path: `/products/${scarce.id}/variants/${scarce.variant}`,
        body: { price: 1000 },
      });
    }
  });
}
