// biome-ignore-all lint/suspicious/noExplicitAny: the answers are JSON from the endpoint under test, of no known type until the checks below have looked at them
import { idempotencyKey, must, type Recorder, Skip } from '../run.ts';
import type { Context } from '../setup.ts';
import { expectProblem } from './errors.ts';

/** Buys the digital product with the test provider; the paid checkout. */
export async function buyDigital(ctx: Context): Promise<any> {
  const { album } = ctx.fixtures;
  const made = await ctx.createCheckout({
    productId: album.id,
    variantId: album.variant,
    quantity: 1,
    email: 'buyer@conformance.test',
  });
  must(made.status === 201, `POST /v1/checkouts (digital) answered ${made.status}`);
  const paid = await ctx.client.send({
    method: 'POST',
    path: `/checkouts/${made.body.id}/confirm`,
    token: made.body.clientToken,
    body: { payment: { provider: 'test', card: '4242424242424242' } },
    idempotencyKey: idempotencyKey(),
  });
  must(
    paid.status === 200 && paid.body.status === 'paid',
    `paying the digital checkout: ${paid.status} ${paid.body?.status ?? paid.body?.code}`,
  );
  return { ...paid.body, clientToken: made.body.clientToken };
}

export async function checkDownloads(ctx: Context, rec: Recorder) {
  if (!rec.wants('DOWNLOAD-SIGNED') && !rec.wants('DOWNLOAD-EXPIRING')) return;
  if (ctx.provider !== 'test') {
    rec.skip(
      ['DOWNLOAD-SIGNED', 'DOWNLOAD-EXPIRING'],
      `the endpoint hands out "${ctx.provider}" payments; the kit pays with the test provider only`,
    );
    return;
  }
  let url: string | undefined;
  let bought: string | null = null;
  try {
    url = (await buyDigital(ctx)).order?.downloadUrl ?? undefined;
  } catch (err) {
    bought = (err as Error).message;
  }
  await rec.verify('DOWNLOAD-SIGNED', async () => {
    must(!bought, `the digital product could not be bought: ${bought}`);
    must(
      typeof url === 'string',
      `a paid digital checkout's order.downloadUrl is ${JSON.stringify(url)}`,
    );
    const path = new URL(url).pathname.replace(/^.*?\/v1(?=\/)/, '');
    const res = await ctx.client.send({ path });
    must(res.status === 200, `GET ${url} answered ${res.status}`);
    must(
      Buffer.from(res.bytes).equals(Buffer.from(ctx.fixtures.album.file)),
      'the download is not the uploaded file',
    );
    must(
      /^attachment/i.test(res.headers.get('Content-Disposition') ?? ''),
      `Content-Disposition is ${res.headers.get('Content-Disposition')}`,
    );
    const control = res.headers.get('Cache-Control') ?? '';
    must(/private/.test(control) && /no-store/.test(control), `Cache-Control is "${control}"`);
    // One character of the signature changed: the link must not open.
    const last = path.at(-2) === 'A' ? 'B' : 'A';
    const altered = await ctx.client.send({ path: `${path.slice(0, -2)}${last}${path.slice(-1)}` });
    expectProblem(altered, 404, 'not_found', 'an altered download link');
  });
  await rec.verify('DOWNLOAD-EXPIRING', async () => {
    must(!bought, `the digital product could not be bought: ${bought}`);
    must(
      typeof url === 'string',
      `a paid digital checkout's order.downloadUrl is ${JSON.stringify(url)}`,
    );
    const token = decodeURIComponent(url.split('/').pop() ?? '');
    const parts = token.split('.');
    if (parts.length !== 3)
      throw new Skip(
        'the link is not a JWT; the kit cannot read its expiry (the reference endpoint’s links are)',
      );
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    must(typeof claims.exp === 'number', 'the signed link carries no expiry (exp)');
    const days = (claims.exp * 1000 - Date.now()) / 86_400_000;
    must(days > 0 && days <= 31, `the link expires in ${days.toFixed(1)} days`);
    return `expires in ${days < 1 ? `${Math.round(days * 24 * 60)} min` : `${days.toFixed(1)} days`}`;
  });
}
