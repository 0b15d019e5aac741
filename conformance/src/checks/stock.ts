import { must, type Recorder } from '../run.ts';
import { type Context, SCARCE_STOCK } from '../setup.ts';

export const BUYERS = 50;

export async function checkStock(ctx: Context, rec: Recorder) {
  const { scarce } = ctx.fixtures;
  await rec.verify('STOCK-NO-OVERSELL', async () => {
    must(
      (await ctx.reserved(scarce.id, scarce.variant)) === 0,
      'units of the scarce variant are held before the run',
    );
    const answers = await Promise.all(
      Array.from({ length: BUYERS }, () =>
        ctx.createCheckout(
          { productId: scarce.id, variantId: scarce.variant, quantity: 1 },
          { waitOutRateLimits: false },
        ),
      ),
    );
    const made = answers.filter((a) => a.status === 201);
    const sold = answers.filter((a) => a.status === 409 && a.body?.code === 'out_of_stock');
    const limited = answers.filter((a) => a.status === 429);
    const other = answers.filter(
      (a) => !made.includes(a) && !sold.includes(a) && !limited.includes(a),
    );
    try {
      must(
        made.length <= SCARCE_STOCK,
        `${made.length} checkouts hold ${SCARCE_STOCK} units: oversold`,
      );
      must(
        !other.length,
        `unexpected answers: ${other.map((a) => `${a.status} ${a.body?.code}`).join(', ')}`,
      );
      // Rate limits may refuse buyers before stock does; without them, every unit sells.
      must(
        made.length === SCARCE_STOCK || limited.length > 0,
        `only ${made.length} of ${SCARCE_STOCK} units could be bought by ${BUYERS} buyers`,
      );
      for (const a of sold)
        must(
          a.body.available === 0,
          `an out_of_stock answer says available ${a.body.available}, not 0`,
        );
      const reserved = await ctx.reserved(scarce.id, scarce.variant);
      must(
        reserved === made.length,
        `the seller API shows ${reserved} reserved for ${made.length} checkouts`,
      );
    } finally {
      await Promise.all(made.map((a) => ctx.cancel(a.body)));
    }
    must(
      (await ctx.reserved(scarce.id, scarce.variant)) === 0,
      'cancelling every checkout left units reserved',
    );
    return `${made.length} checkouts, ${sold.length} out_of_stock${limited.length ? `, ${limited.length} rate-limited` : ''}`;
  });
}
