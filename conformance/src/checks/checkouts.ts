// biome-ignore-all lint/suspicious/noExplicitAny: the answers are JSON from the endpoint under test, of no known type until the checks below have looked at them
import { idempotencyKey, must, type Recorder, Skip } from '../run.ts';
import { ADDRESS_FR, ADDRESS_US, type Context, TAXES, UNSERVED, ZONES } from '../setup.ts';
import { expectProblem } from './errors.ts';

/** The totals docs/protocol.md#pricing gives, for the run's zones and tax rates. */
export function expectedTotals(
  unit: number,
  quantity: number,
  country: string | null,
  digital = false,
) {
  const subtotal = unit * quantity;
  if (digital) return { subtotal, shipping: 0, tax: 0, total: subtotal };
  if (!country) return { subtotal, shipping: null, tax: 0, total: subtotal };
  const zone = ZONES.find((z) => z.countries.includes(country));
  if (!zone) throw new Error(`no zone for ${country}`);
  const shipping = zone.freeOver !== null && subtotal >= zone.freeOver ? 0 : zone.rate;
  const bps = TAXES.find((t) => t.country === country)?.rateBps ?? 0;
  // Rounded half up to the minor unit.
  const tax = Math.floor(((subtotal + shipping) * bps) / 10_000 + 0.5);
  return { subtotal, shipping, tax, total: subtotal + shipping + tax };
}

export function expectTotals(
  checkout: any,
  expected: ReturnType<typeof expectedTotals>,
  currency: string,
  what: string,
) {
  const t = checkout.totals;
  const got = {
    subtotal: t?.subtotal?.amount,
    shipping: t?.shipping === null ? null : t?.shipping?.amount,
    tax: t?.tax?.amount,
    total: t?.total?.amount,
  };
  must(
    JSON.stringify(got) === JSON.stringify(expected),
    `${what}: totals ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`,
  );
  for (const part of ['subtotal', 'tax', 'total'] as const)
    must(t[part].currency === currency, `${what}: ${part} in ${t[part].currency}, not ${currency}`);
}

/**
 * CHECKOUT-EXPIRY needs a reservation to lapse: a checkout is made now, and judged at the end of
 * the run if its expiresAt comes within the wait the kit allows.
 */
export async function startExpiry(ctx: Context, rec: Recorder, waitSeconds: number) {
  const { lapse } = ctx.fixtures;
  if (!rec.wants('CHECKOUT-EXPIRY')) return { finish: async () => {} };
  const made = await ctx.createCheckout({
    productId: lapse.id,
    variantId: lapse.variant,
    quantity: 2,
  });
  const started = Date.now();
  return {
    async finish() {
      await rec.verify('CHECKOUT-EXPIRY', async () => {
        must(made.status === 201, `POST /v1/checkouts answered ${made.status}`);
        const expiresAt = Date.parse(made.body.expiresAt);
        must(Number.isFinite(expiresAt), `expiresAt is ${made.body.expiresAt}`);
        const wait = expiresAt - Date.now() + 1500;
        if (expiresAt - started > waitSeconds * 1000)
          throw new Skip(
            `reservations last ${Math.round((expiresAt - started) / 60_000)} min here, longer than the kit waits (--wait ${waitSeconds}); run the endpoint with shorter ones (BIP_RESERVATION_SECONDS on the reference endpoint)`,
          );
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const read = await ctx.client.send({
          path: `/checkouts/${made.body.id}`,
          token: made.body.clientToken,
        });
        must(
          read.status === 200 && read.body.status === 'expired',
          `read after expiresAt: ${read.status} ${read.body?.status}`,
        );
        const change = await ctx.client.send({
          method: 'PATCH',
          path: `/checkouts/${made.body.id}`,
          token: made.body.clientToken,
          body: { quantity: 1 },
          idempotencyKey: idempotencyKey(),
        });
        expectProblem(change, 410, 'checkout_expired', 'a change after expiry');
        must(
          (await ctx.reserved(lapse.id, lapse.variant)) === 0,
          'the expired checkout still holds units',
        );
      });
    },
  };
}

export async function checkCheckouts(ctx: Context, rec: Recorder) {
  const { client, fixtures, currency } = ctx;
  const { tee, scarce } = fixtures;
  const read = (c: any) => client.send({ path: `/checkouts/${c.id}`, token: c.clientToken });
  const patch = (c: any, body: unknown) =>
    client.send({
      method: 'PATCH',
      path: `/checkouts/${c.id}`,
      token: c.clientToken,
      body,
      idempotencyKey: idempotencyKey(),
    });

  const created = await ctx.createCheckout({
    productId: tee.id,
    variantId: tee.small,
    quantity: 2,
    postRef: 'https://social.example/conformance/1',
  });
  const c = created.body;
  const ok = created.status === 201;
  await rec.verify('CHECKOUT-CREATE', async () => {
    must(ok, `POST /v1/checkouts answered ${created.status} ${JSON.stringify(c).slice(0, 200)}`);
    must(c.status === 'open', `status ${c.status}`);
    must(typeof c.clientToken === 'string' && c.clientToken.length >= 16, 'no clientToken');
    must(Date.parse(c.expiresAt) > Date.now(), `expiresAt ${c.expiresAt} is not in the future`);
    must(
      (await ctx.reserved(tee.id, tee.small)) === 2,
      'the seller API does not show 2 units reserved',
    );
    const again = await read(c);
    must(
      again.status === 200 && again.body.clientToken === undefined,
      'a read repeats the clientToken',
    );
  });
  if (!ok) {
    rec.skip(
      [
        'CHECKOUT-TOTALS',
        'CHECKOUT-AUTH',
        'CHECKOUT-QUANTITY',
        'CHECKOUT-OPTIONS',
        'CHECKOUT-ADDRESS',
        'CHECKOUT-NO-STORE',
        'CHECKOUT-CANCEL',
        'CHECKOUT-CONFIRM',
        'CHECKOUT-DECLINE',
      ],
      'no checkout could be made',
    );
    return;
  }
  await rec.verify('CHECKOUT-NO-STORE', async () => {
    must(
      /no-store/.test(created.headers.get('Cache-Control') ?? ''),
      `POST answered Cache-Control "${created.headers.get('Cache-Control')}"`,
    );
    const again = await read(c);
    must(
      /no-store/.test(again.headers.get('Cache-Control') ?? ''),
      `GET answered Cache-Control "${again.headers.get('Cache-Control')}"`,
    );
  });
  await rec.verify('CHECKOUT-TOTALS', async () => {
    expectTotals(c, expectedTotals(tee.prices.small, 2, null), currency, 'no address yet');
    must(
      c.unitPrice?.amount === tee.prices.small,
      `unitPrice ${c.unitPrice?.amount}, not ${tee.prices.small}`,
    );
  });
  await rec.verify('CHECKOUT-AUTH', async () => {
    const none = await client.send({ path: `/checkouts/${c.id}` });
    expectProblem(none, 401, 'unauthorized', 'a read without the token');
    const wrong = await client.send({
      path: `/checkouts/${c.id}`,
      token: 'ct_conformanceWrongToken0000000',
    });
    expectProblem(wrong, 404, 'not_found', 'a read with a wrong token');
    const change = await client.send({
      method: 'PATCH',
      path: `/checkouts/${c.id}`,
      body: { quantity: 1 },
    });
    expectProblem(change, 401, 'unauthorized', 'a change without the token');
  });
  await rec.verify('CHECKOUT-QUANTITY', async () => {
    const res = await patch(c, { quantity: 3 });
    must(
      res.status === 200 && res.body.quantity === 3,
      `PATCH quantity 3: ${res.status} quantity ${res.body?.quantity}`,
    );
    expectTotals(res.body, expectedTotals(tee.prices.small, 3, null), currency, 'quantity 3');
    must(
      (await ctx.reserved(tee.id, tee.small)) === 3,
      'the reservation did not follow the quantity (3)',
    );
  });
  await rec.verify('CHECKOUT-OPTIONS', async () => {
    const res = await patch(c, { variantId: tee.medium });
    must(
      res.status === 200 && res.body.variantId === tee.medium,
      `PATCH variantId: ${res.status} ${res.body?.variantId}`,
    );
    expectTotals(res.body, expectedTotals(tee.prices.medium, 3, null), currency, 'size M');
    must((await ctx.reserved(tee.id, tee.small)) === 0, 'size S still holds units');
    must((await ctx.reserved(tee.id, tee.medium)) === 3, 'size M does not hold the 3 units');
    const other = await patch(c, { variantId: scarce.variant });
    expectProblem(other, 422, 'variant_unavailable', 'another product’s variant');
    const back = await patch(c, { variantId: tee.small });
    must(back.status === 200, `PATCH back to size S: ${back.status}`);
  });
  await rec.verify('CHECKOUT-ADDRESS', async () => {
    const fr = await patch(c, { shippingAddress: ADDRESS_FR, email: 'buyer@conformance.test' });
    must(
      fr.status === 200,
      `PATCH a French address: ${fr.status} ${JSON.stringify(fr.body).slice(0, 200)}`,
    );
    expectTotals(fr.body, expectedTotals(tee.prices.small, 3, 'FR'), currency, '3 to FR');
    must(fr.body.readyToPay === true, 'not readyToPay with an address');
    const us = await patch(c, { shippingAddress: ADDRESS_US });
    must(us.status === 200, `PATCH a US address: ${us.status}`);
    // 3 × 25.00 reaches the US zone's free-shipping threshold (75.00).
    expectTotals(
      us.body,
      expectedTotals(tee.prices.small, 3, 'US'),
      currency,
      '3 to US (free shipping)',
    );
    const refused = await patch(c, { shippingAddress: { ...ADDRESS_FR, country: UNSERVED } });
    expectProblem(refused, 422, 'does_not_ship', `an address in ${UNSERVED}`);
    const after = await read(c);
    must(after.body.shippingAddress?.country === 'US', 'the refused change altered the checkout');
    expectTotals(
      after.body,
      expectedTotals(tee.prices.small, 3, 'US'),
      currency,
      'after the refused change',
    );
  });

  const testProvider = ctx.provider === 'test';
  if (!testProvider)
    rec.skip(
      ['CHECKOUT-CONFIRM', 'CHECKOUT-DECLINE'],
      `the endpoint hands out "${ctx.provider}" payments; the kit pays with the test provider only`,
    );
  const pay = (card: string) =>
    client.send({
      method: 'POST',
      path: `/checkouts/${c.id}/confirm`,
      token: c.clientToken,
      body: { payment: { provider: 'test', card } },
      idempotencyKey: idempotencyKey(),
    });
  if (testProvider) {
    await rec.verify('CHECKOUT-DECLINE', async () => {
      for (const [card, declineCode] of [
        ['4000 0000 0000 0002', 'card_declined'],
        ['4000 0000 0000 9995', 'insufficient_funds'],
        ['4000 0000 0000 0069', 'expired_card'],
      ] as const) {
        const res = await pay(card);
        expectProblem(res, 402, 'payment_declined', `card ${card}`);
        must(
          res.body.declineCode === declineCode,
          `card ${card}: declineCode ${res.body.declineCode}, not ${declineCode}`,
        );
      }
      const after = await read(c);
      must(after.body.status === 'open', `after declines the checkout is ${after.body.status}`);
      must(after.body.lastPaymentError, 'after declines lastPaymentError is empty');
    });
    await rec.verify('CHECKOUT-CONFIRM', async () => {
      const res = await pay('4242 4242 4242 4242');
      must(
        res.status === 200 && res.body.status === 'paid',
        `confirm with 4242…: ${res.status} ${res.body?.status ?? res.body?.code}`,
      );
      must(res.body.order?.number, 'a paid checkout without an order number');
      must((await ctx.reserved(tee.id, tee.small)) === 0, 'the sold units are still reserved');
      const order = await ctx.asSeller({ path: `/orders/${res.body.order.id}` });
      must(
        order.status === 200 && order.body.total.amount === res.body.totals.total.amount,
        `the seller's order: ${order.status}`,
      );
      const late = await patch(c, { quantity: 1 });
      expectProblem(late, 409, 'checkout_not_open', 'a change to a paid checkout');
      const cancel = await ctx.cancel(c);
      expectProblem(cancel, 409, 'checkout_not_open', 'cancelling a paid checkout');
    });
  } else await ctx.cancel(c);

  await rec.verify('CHECKOUT-CANCEL', async () => {
    const made = await ctx.createCheckout({
      productId: scarce.id,
      variantId: scarce.variant,
      quantity: 2,
    });
    must(made.status === 201, `POST /v1/checkouts answered ${made.status}`);
    must((await ctx.reserved(scarce.id, scarce.variant)) === 2, 'the checkout holds no units');
    const first = await ctx.cancel(made.body);
    must(
      first.status === 200 && first.body.status === 'canceled',
      `DELETE: ${first.status} ${first.body?.status}`,
    );
    must(
      (await ctx.reserved(scarce.id, scarce.variant)) === 0,
      'the canceled checkout still holds units',
    );
    const again = await ctx.cancel(made.body);
    must(
      again.status === 200 && again.body.status === 'canceled',
      `DELETE again: ${again.status} ${again.body?.status}`,
    );
  });
}
