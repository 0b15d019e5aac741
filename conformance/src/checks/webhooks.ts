// biome-ignore-all lint/suspicious/noExplicitAny: the answers are JSON from the endpoint under test, of no known type until the checks below have looked at them
// The seller's webhooks: the kit listens for them itself, points the seller's webhookUrl at its
// receiver, pays an order, refuses the first delivery and waits for the retry.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { must, type Options, type Recorder, Skip } from '../run.ts';
import type { Context } from '../setup.ts';
import { buyDigital } from './downloads.ts';

interface Delivery {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  event: any;
}

const IDS = ['WEBHOOK-DELIVERY', 'WEBHOOK-SIGNATURE', 'WEBHOOK-RETRY'];

/** docs/seller.md#verifying-the-signature, as a receiver would do it; null when it holds. */
export function signatureProblem(
  body: string,
  header: string | undefined,
  secret: string,
): string | null {
  if (!header) return 'no BuyInPost-Signature header';
  const parts = new Map<string, string[]>();
  for (const p of header.split(',')) {
    const i = p.indexOf('=');
    const k = p.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), p.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) return `no t=<seconds> in "${header}"`;
  if (Math.abs(Date.now() / 1000 - t) > 300) return `t=${t} is more than 5 minutes from now`;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const ok = (parts.get('v1') ?? []).some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? null : 'no v1 signature matches HMAC-SHA256(secret, t + "." + body)';
}

export async function startWebhooks(
  ctx: Context,
  rec: Recorder,
  options: Options,
  waitSeconds: number,
) {
  const idle = { finish: async () => {} };
  if (!IDS.some((id) => rec.wants(id))) return idle;
  if (ctx.provider !== 'test') {
    rec.skip(
      IDS,
      `the endpoint hands out "${ctx.provider}" payments; the kit pays with the test provider only`,
    );
    return idle;
  }
  const endpointHost = new URL(ctx.client.base).hostname;
  const local = ['localhost', '127.0.0.1', '[::1]', '::1'].includes(endpointHost);
  if (!local && !options.receiverUrl) {
    rec.skip(
      IDS,
      'the endpoint is on another machine: give the kit a --receiver-url the endpoint can reach',
    );
    return idle;
  }
  const secret = await webhookSecret(ctx, options);
  const deliveries: Delivery[] = [];
  const refusedOnce = new Set<string>();
  let notify = () => {};
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    let event: any = null;
    try {
      event = JSON.parse(body);
    } catch {}
    deliveries.push({ at: Date.now(), headers: req.headers, body, event });
    // Every event's first delivery is refused, so each one must come again.
    const id = String(event?.id);
    if (!refusedOnce.has(id)) {
      refusedOnce.add(id);
      res.writeHead(500).end('refused once by the conformance kit');
    } else res.writeHead(200).end('ok');
    notify();
  });
  const wanted = options.receiverUrl ? new URL(options.receiverUrl) : null;
  await new Promise<void>((resolve) =>
    server.listen(wanted ? Number(wanted.port) : 0, wanted ? '0.0.0.0' : '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  const url = options.receiverUrl ?? `http://127.0.0.1:${port}/conformance-hook`;
  const close = () => new Promise<void>((r) => server.close(() => r()));

  const set = await ctx.asSeller({ method: 'PATCH', path: '/me', body: { webhookUrl: url } });
  if (set.status !== 200) {
    await close();
    rec.skip(
      IDS,
      `the seller API refused the kit's receiver ${url} as webhookUrl (${set.status} ${set.body?.code})`,
    );
    return idle;
  }
  let order: { id: string } | null = null;
  let failure: string | null = null;
  try {
    order = (await buyDigital(ctx)).order;
  } catch (err) {
    failure = String((err as Error).message);
  }
  const started = Date.now();
  const ofOrder = () =>
    deliveries.filter(
      (d) => d.event?.type === 'order.paid' && d.event?.data?.order?.id === order?.id,
    );
  const until = async (done: () => boolean) => {
    while (!done() && Date.now() - started < waitSeconds * 1000)
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, 500);
      });
  };

  return {
    async finish() {
      try {
        await until(() => ofOrder().length >= 2);
        const got = ofOrder();
        await rec.verify('WEBHOOK-DELIVERY', async () => {
          must(!failure, `the order could not be paid: ${failure}`);
          must(
            got.length >= 1,
            `no order.paid for order ${order?.id} reached ${url} within ${waitSeconds} s (${deliveries.length} other deliveries)`,
          );
          const first = got[0]!;
          must(
            String(first.headers['content-type']).startsWith('application/json'),
            `Content-Type ${first.headers['content-type']}`,
          );
          must(
            first.headers['buyinpost-event-id'] === first.event.id,
            `BuyInPost-Event-Id ${first.headers['buyinpost-event-id']} is not the event's id ${first.event.id}`,
          );
          must(
            first.headers['buyinpost-event-type'] === 'order.paid',
            `BuyInPost-Event-Type ${first.headers['buyinpost-event-type']}`,
          );
          must(
            typeof first.event.createdAt === 'string' && first.event.data.order.number,
            'the event has no createdAt or order number',
          );
        });
        await rec.verify('WEBHOOK-SIGNATURE', async () => {
          if (!secret)
            throw new Skip(
              'no webhook secret: the endpoint serves no GET /v1/seller/webhook-secret; pass --webhook-secret',
            );
          must(got.length >= 1, 'no delivery to check');
          for (const d of got) {
            const problem = signatureProblem(
              d.body,
              d.headers['buyinpost-signature'] as string | undefined,
              secret,
            );
            must(!problem, `delivery of ${d.event.id}: ${problem}`);
          }
        });
        await rec.verify('WEBHOOK-RETRY', async () => {
          must(got.length >= 1, 'no delivery to refuse');
          must(
            got.length >= 2,
            `the refused delivery of ${got[0]!.event.id} did not come again within ${waitSeconds} s (--wait)`,
          );
          must(got[1]!.event.id === got[0]!.event.id, 'the retry carries another event id');
          must(got[1]!.body === got[0]!.body, 'the retry carries another body');
          return `retried after ${((got[1]!.at - got[0]!.at) / 1000).toFixed(1)} s`;
        });
      } finally {
        await close();
      }
    },
  };
}

async function webhookSecret(ctx: Context, options: Options): Promise<string | null> {
  if (options.webhookSecret) return options.webhookSecret;
  const res = await ctx.asSeller({ path: '/webhook-secret' });
  return res.status === 200 && typeof res.body?.webhookSecret === 'string'
    ? res.body.webhookSecret
    : null;
}
