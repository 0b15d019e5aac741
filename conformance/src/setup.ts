// What the checks need on the endpoint, made through the seller API, and undone afterwards: the
// seller's shipping zones, tax rates and allowed origins are set to known values for the run
// (so the kit can work out every total itself) and put back as they were; the products it
// creates are archived.
import { randomBytes } from 'node:crypto';
import type { Answer, Call, Client } from './http.ts';
import { idempotencyKey, must, type Options } from './run.ts';

export const ALLOWED_ORIGIN = 'https://allowed.conformance.test';
export const REFUSED_ORIGIN = 'https://refused.conformance.test';
/** Shipping zones for the run: France 18.00 free from 200.00, the United States 5.00 free from 75.00. */
export const ZONES = [
  { name: 'Conformance FR', countries: ['FR'], rate: 1800, freeOver: 20000 },
  { name: 'Conformance US', countries: ['US'], rate: 500, freeOver: 7500 },
];
export const TAXES = [{ country: 'FR', rateBps: 1975 }];
/** A country no zone of the run lists. */
export const UNSERVED = 'PE';
export const ADDRESS_FR = {
  name: 'Camille Martin',
  line1: '8 rue des Lilas',
  city: 'Lyon',
  postalCode: '69003',
  country: 'FR',
};
export const ADDRESS_US = {
  name: 'Ada Lovelace',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
export const SCARCE_STOCK = 5;

export interface Fixtures {
  /** Two sizes at two prices, 40 of each. */
  tee: { id: string; small: string; medium: string; prices: { small: number; medium: number } };
  /** One variant with SCARCE_STOCK units. */
  scarce: { id: string; variant: string };
  /** A product whose checkout is left to lapse. */
  lapse: { id: string; variant: string };
  /** A digital product with a file. */
  album: { id: string; variant: string; price: number; file: Uint8Array };
}

export interface Context {
  client: Client;
  sellerKey: string;
  seller: SellerSettings;
  currency: string;
  fixtures: Fixtures;
  /** Development mode (the reference endpoint): every origin may sell. */
  development: boolean;
  /** The payment hand-off the endpoint gives (`test` lets the kit pay). */
  provider: string;
  /** Sends a call as the seller. */
  asSeller(call: Call): Promise<Answer>;
  /** Creates a checkout (kept for cancelling at the end if still open). */
  createCheckout(body: Record<string, unknown>, extra?: Partial<Call>): Promise<Answer>;
  /** Cancels a checkout the run made (ignoring what cannot be canceled). */
  cancel(checkout: { id: string; clientToken: string }): Promise<Answer>;
  /** The reserved units of a variant, from the seller API. */
  reserved(productId: string, variantId: string): Promise<number>;
  tearDown(): Promise<void>;
  runId: string;
}

interface SellerSettings {
  id: string;
  currency: string;
  webhookUrl: string | null;
  allowedOrigins: string[];
  shippingZones: unknown[];
  taxRates: unknown[];
}

export async function setUp(client: Client, options: Options, notes: string[]): Promise<Context> {
  const sellerKey = options.sellerKey;
  const seller_ = (call: Call) =>
    client.send({ ...call, path: `/seller${call.path}`, token: sellerKey });
  const me = await seller_({ path: '/me' });
  if (me.status !== 200)
    throw new Error(`the seller key was refused: GET /v1/seller/me answered ${me.status}`);
  const seller = me.body as SellerSettings;
  const runId = randomBytes(4).toString('hex');
  const open = new Map<string, string>();
  const products: string[] = [];

  const patched = await seller_({
    method: 'PATCH',
    path: '/me',
    body: {
      shippingZones: ZONES,
      taxRates: TAXES,
      allowedOrigins: [...new Set([...seller.allowedOrigins, ALLOWED_ORIGIN])],
    },
  });
  must(patched.status === 200, `PATCH /v1/seller/me answered ${patched.status}`);
  /** Archives what the run made and puts the seller's settings back as they were. */
  const undo = async () => {
    for (const product of products)
      await seller_({
        method: 'PATCH',
        path: `/products/${product}`,
        body: { status: 'archived' },
      });
    await seller_({
      method: 'PATCH',
      path: '/me',
      body: {
        webhookUrl: seller.webhookUrl,
        allowedOrigins: seller.allowedOrigins,
        shippingZones: seller.shippingZones,
        taxRates: seller.taxRates,
      },
    });
  };
  try {
    return await fixturesAndContext();
  } catch (err) {
    // Half set up: nothing of the run stays on the seller.
    await undo();
    throw err;
  }

  async function fixturesAndContext(): Promise<Context> {
    const create = async (body: Record<string, unknown>) => {
      const res = await seller_({ method: 'POST', path: '/products', body });
      if (res.status !== 201)
        throw new Error(`creating a product answered ${res.status}: ${JSON.stringify(res.body)}`);
      products.push(String(body.id));
      return res;
    };
    const id = (name: string) => `conf-${runId}-${name}`;
    const prices = { small: 2500, medium: 2750 };
    await create({
      id: id('tee'),
      title: 'Conformance tee',
      kind: 'physical',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { id: id('tee-s'), options: { Size: 'S' }, price: prices.small, stock: 40 },
        { id: id('tee-m'), options: { Size: 'M' }, price: prices.medium, stock: 40 },
      ],
    });
    await create({
      id: id('scarce'),
      title: 'Conformance scarce print',
      kind: 'physical',
      variants: [{ id: id('scarce-1'), price: 1000, stock: SCARCE_STOCK }],
    });
    await create({
      id: id('lapse'),
      title: 'Conformance poster',
      kind: 'physical',
      variants: [{ id: id('lapse-1'), price: 1500, stock: 10 }],
    });
    await create({
      id: id('album'),
      title: 'Conformance album',
      kind: 'digital',
      variants: [{ id: id('album-1'), price: 900, stock: null }],
    });
    const file = new TextEncoder().encode(`conformance ${runId}\n`);
    const upload = await seller_({
      method: 'PUT',
      path: `/products/${id('album')}/file?name=conformance.txt`,
      raw: file,
      contentType: 'text/plain',
    });
    if (upload.status !== 200)
      notes.push(`uploading the digital product's file answered ${upload.status}`);

    const development =
      (await client.send({ path: '/dev/mailbox', unjudged: true })).status === 200;
    if (development)
      notes.push('development mode (GET /v1/dev/mailbox answers): every origin may sell there');

    const ctx: Context = {
      client,
      sellerKey,
      seller,
      currency: seller.currency,
      runId,
      development,
      provider: 'unknown',
      fixtures: {
        tee: { id: id('tee'), small: id('tee-s'), medium: id('tee-m'), prices },
        scarce: { id: id('scarce'), variant: id('scarce-1') },
        lapse: { id: id('lapse'), variant: id('lapse-1') },
        album: { id: id('album'), variant: id('album-1'), price: 900, file },
      },
      asSeller: seller_,
      async createCheckout(body, extra = {}) {
        const res = await client.send({
          method: 'POST',
          path: '/checkouts',
          body,
          idempotencyKey: idempotencyKey(),
          ...extra,
        });
        if (res.status === 201 && res.body?.clientToken)
          open.set(res.body.id, res.body.clientToken);
        return res;
      },
      async cancel(checkout) {
        open.delete(checkout.id);
        return client.send({
          method: 'DELETE',
          path: `/checkouts/${checkout.id}`,
          token: checkout.clientToken,
        });
      },
      async reserved(productId, variantId) {
        const res = await seller_({ path: `/products/${productId}` });
        must(res.status === 200, `GET /v1/seller/products/${productId} answered ${res.status}`);
        const variant = res.body.variants.find((v: { id: string }) => v.id === variantId);
        must(variant, `the seller API does not list variant ${variantId}`);
        return variant.reserved as number;
      },
      async tearDown() {
        // Holds count against what one client may keep open: give back all the run still has.
        await Promise.all([...open].map(([id, clientToken]) => ctx.cancel({ id, clientToken })));
        await undo();
      },
    };
    // Which hand-off does this endpoint give? The kit pays only through the test provider.
    const probe = await ctx.createCheckout({
      productId: ctx.fixtures.album.id,
      variantId: ctx.fixtures.album.variant,
      quantity: 1,
    });
    if (probe.status === 201) {
      ctx.provider = probe.body.payment?.provider ?? 'unknown';
      await ctx.cancel(probe.body);
    }
    return ctx;
  }
}
