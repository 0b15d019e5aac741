// The real reference endpoint for the browser tests, and the server commands the tests use to act
// on it through `executeServerCommand` (new products, stock, expiry, stopping and restarting).
//
// Runs in the web-test-runner process (Node); the server's TypeScript loads through tsx.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { hostIssuer, walletCommands } from './host-issuer.mjs';

let seq = 0;

/** A free TCP port on 127.0.0.1 (nothing listens on it once this resolves). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A seller-API call over HTTP; throws with the problem body on any non-2xx answer. */
export async function sellerCall(base, key, method, path, body) {
  const res = await fetch(`${base}/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

export const ZONES = [
  { name: 'Home', countries: ['US'], rate: 500, freeOver: 10000 },
  { name: 'Abroad', countries: ['FR', 'AE', 'SA', 'EG', 'GB'], rate: 1500 },
];

/**
 * Starts the endpoint on a free port over a fresh SQLite file in `dir`, makes a seller and a
 * catalogue, and returns what the test page needs (`info`), the wtr plugin carrying the server
 * commands, and `close()`.
 *
 * @param {{ dir: string, pageOrigin: string }} opts
 */
export async function createEndpoint({ dir, pageOrigin }) {
  const { loadConfig } = await import('../../server/src/config.ts');
  const { startServer } = await import('../../server/src/server.ts');
  const databaseUrl = join(dir, 'wtr.sqlite');
  // the host platform whose buyer tokens the endpoint trusts (test/helpers/host-issuer.mjs)
  const issuer = await hostIssuer();
  const env = (extra = {}) => ({
    ...issuer.env,
    BIP_MODE: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    // CORS for exactly the test page's origin (not `*`): the element must work with a real list
    BIP_DEV_CORS_ORIGINS: pageOrigin,
    BIP_CHECKOUT_RATE_LIMIT: '100000',
    // one browser on 127.0.0.1 plays every reader of the run: no per-client caps
    BIP_CHECKOUT_CHANGE_RATE_LIMIT: '100000',
    BIP_CLIENT_MAX_HOLDS: '100000',
    BIP_CLIENT_MAX_UNITS: '100000',
    ...extra,
  });

  /** @type {Awaited<ReturnType<typeof startServer>> | null} */
  let server = await startServer(loadConfig(env({ PORT: '0' })));
  const port = server.port;
  const base = server.url;
  // Download links name the public URL; with port 0 it is known only now.
  server.app.config.publicUrl = base;
  let reservationSeconds = null;

  async function start(extra = {}) {
    if (server) return;
    server = await startServer(
      loadConfig(env({ PORT: String(port), BIP_PUBLIC_URL: base, ...extra })),
    );
  }
  async function stop() {
    const s = server;
    server = null;
    if (!s) return;
    // A stop that takes this long is a fault to find (a CI run once saw one pass 20 s): say what
    // the process is still waiting on.
    const slow = setTimeout(() => {
      const waiting = {};
      for (const kind of process.getActiveResourcesInfo()) waiting[kind] = (waiting[kind] ?? 0) + 1;
      console.warn(
        `[bip] the test endpoint is still stopping after 5 s; waiting on ${JSON.stringify(waiting)}`,
      );
    }, 5_000);
    try {
      await s.close();
    } finally {
      clearTimeout(slow);
    }
  }
  /** The running server; a test that stopped it and then failed must not break the next one. */
  async function running() {
    if (!server) await start(reservationExtra());
    return server;
  }
  const reservationExtra = () =>
    reservationSeconds ? { BIP_RESERVATION_SECONDS: String(reservationSeconds) } : {};

  // The seller: there is no HTTP route to create one (the CLI and the service do it); every
  // setting and the whole catalogue then go through the seller API over HTTP.
  const { apiKey: key } = await server.app.services.sellers.create({
    name: 'Nour & the Night Trains',
    kind: 'artist',
  });
  await sellerCall(base, key, 'PATCH', '/seller/me', {
    shippingZones: ZONES,
    taxRates: [{ country: 'FR', rateBps: 2000 }],
  });
  const api = (method, path, body) => sellerCall(base, key, method, path, body);

  const image = (name) => ({ url: `${pageOrigin}/__bip/img/${name}.svg`, alt: '' });

  /**
   * Any product; `variants` as the seller API takes them. Returns the created product. `id`
   * names it (the same id on two endpoints, say); otherwise `prefix` and a number do.
   */
  async function newProduct({
    id: given,
    prefix = 'product',
    title = 'Poster',
    kind = 'physical',
    options = [],
    variants = [{ price: 2500, stock: 10 }],
    images,
  } = {}) {
    const id = given ?? `${prefix}-${++seq}`;
    return api('POST', '/seller/products', {
      id,
      title,
      description: 'Made for the tests.',
      url: `https://shop.example/${id}`,
      kind,
      options,
      images: images ?? [{ ...image('poster'), alt: `${title}, front` }],
      variants: variants.map((v, i) => ({ id: `${id}-${i + 1}`, ...v })),
    });
  }

  /**
   * A T-shirt: Size S/M/L × Colour Black/Sand. Sand L is not made (a non-existent
   * combination); Sand S is sold out. M has a compare-at price.
   */
  async function newTee({ stock = 10, price = 2500, title = 'Tour T-shirt' } = {}) {
    const id = `tee-${++seq}`;
    const variants = {};
    const input = [];
    for (const size of ['S', 'M', 'L']) {
      for (const colour of ['Black', 'Sand']) {
        if (size === 'L' && colour === 'Sand') continue;
        const vid = `${id}-${size.toLowerCase()}-${colour.toLowerCase()}`;
        variants[`${size}/${colour}`] = vid;
        input.push({
          id: vid,
          options: { Size: size, Colour: colour },
          price,
          compareAtPrice: size === 'M' ? price + 500 : null,
          stock: size === 'S' && colour === 'Sand' ? 0 : stock,
        });
      }
    }
    await api('POST', '/seller/products', {
      id,
      title,
      description: 'Heavyweight cotton.',
      url: `https://shop.example/${id}`,
      kind: 'physical',
      options: [
        { name: 'Size', values: ['S', 'M', 'L'] },
        { name: 'Colour', values: ['Black', 'Sand'] },
      ],
      images: [{ ...image('tee'), alt: 'A black T-shirt with tour dates' }],
      variants: input,
    });
    return { id, variants };
  }

  /** A digital album with its file uploaded (PUT …/file?name=…). */
  async function newDigital({ price = 900, content = 'ten tracks' } = {}) {
    const id = `album-${++seq}`;
    await api('POST', '/seller/products', {
      id,
      title: 'Night Trains — digital album',
      kind: 'digital',
      images: [{ ...image('album'), alt: 'Album cover: a train at night' }],
      variants: [{ id: `${id}-std`, price, stock: null }],
    });
    const res = await fetch(`${base}/v1/seller/products/${id}/file?name=night-trains.txt`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/plain' },
      body: content,
    });
    if (!res.ok) throw new Error(`file upload: ${res.status} ${await res.text()}`);
    return { id, variant: `${id}-std` };
  }

  const db = async () => (await running()).app.db.kysely;

  /**
   * A second endpoint, in platform mode (Stripe Connect) against the fake Stripe API, started on
   * first use: a seller there cannot take payments until it has onboarded (issue 13).
   */
  let platform = null;
  async function platformEndpoint() {
    if (platform) return platform;
    const { startFakeStripe, connectEnv } = await import('../../server/test/doubles/stripe-api.ts');
    const fake = await startFakeStripe();
    const server = await startServer(
      loadConfig({
        ...env({ PORT: '0', DATABASE_URL: join(dir, 'platform.sqlite') }),
        ...connectEnv(fake),
      }),
    );
    server.app.config.publicUrl = server.url;
    fake.connectWebhookUrl = `${server.url}/v1/webhooks/stripe/connect`;
    platform = {
      fake,
      server,
      close: async () => {
        await server.close();
        await fake.close();
      },
    };
    return platform;
  }

  const commands = {
    'bip-new-tee': (p) => newTee(p ?? {}),
    'bip-new-digital': (p) => newDigital(p ?? {}),
    'bip-new-product': (p) => newProduct(p ?? {}),
    /** `count` one-variant products at once (batching tests); returns their ids. */
    'bip-new-products': async ({ count, price = 1200 }) => {
      const ids = [];
      for (let i = 0; i < count; i++)
        ids.push((await newProduct({ prefix: 'many', variants: [{ price, stock: 5 }] })).id);
      return ids;
    },
    'bip-set-stock': ({ productId, variantId, stock }) =>
      api('PATCH', `/seller/products/${productId}/variants/${variantId}`, { stock }),
    'bip-seller-product': ({ productId }) => api('GET', `/seller/products/${productId}`),
    /** Platform mode: a product of a seller who has not onboarded yet, on the platform endpoint. */
    'bip-platform-product': async () => {
      const { server } = await platformEndpoint();
      const { apiKey } = await server.app.services.sellers.create({
        name: 'Waiting Artist',
        kind: 'artist',
        shippingZones: ZONES,
      });
      const id = `platform-poster-${++seq}`;
      await sellerCall(server.url, apiKey, 'POST', '/seller/products', {
        id,
        title: 'Poster',
        kind: 'physical',
        variants: [{ id: `${id}-a2`, price: 2500, stock: 5 }],
      });
      return { endpoint: server.url, productId: id, apiKey };
    },
    /** Platform mode: the seller finishes Stripe's onboarding (account.updated is delivered). */
    'bip-platform-onboard': async ({ apiKey }) => {
      const { server, fake } = await platformEndpoint();
      const { accountId } = await sellerCall(server.url, apiKey, 'GET', '/seller/payouts');
      fake.updateAccount(accountId);
      await fake.idle();
      return accountId;
    },
    /** The seller refunds `amount` of an order (all that is left without it), as its API does. */
    'bip-refund': async ({ orderId, amount }) => {
      const res = await fetch(`${base}/v1/seller/orders/${orderId}/refunds`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${key}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': `refund-${orderId}-${amount ?? 'rest'}`,
        },
        body: JSON.stringify(amount ? { amount } : {}),
      });
      if (res.status !== 201) throw new Error(`refund: ${res.status} ${await res.text()}`);
      return res.json();
    },
    'bip-orders': async ({ productId }) =>
      (await api('GET', `/seller/orders?productId=${encodeURIComponent(productId)}`)).orders,
    'bip-checkouts': async ({ productId }) =>
      (await db())
        .selectFrom('checkouts')
        .select(['id', 'status', 'quantity', 'variant_id', 'expires_at'])
        .where('product_id', '=', productId)
        .orderBy('created_at')
        .execute(),
    /** Makes the open checkouts of a product lapse now (as if the reservation ran out). */
    'bip-expire': async ({ productId }) => {
      await (await db())
        .updateTable('checkouts')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('product_id', '=', productId)
        .where('status', '=', 'open')
        .execute();
      return true;
    },
    /** Whether every open checkout of a product has passed its expiry time. */
    'bip-lapsed': async ({ productId }) => {
      const rows = await (await db())
        .selectFrom('checkouts')
        .select(['expires_at'])
        .where('product_id', '=', productId)
        .where('status', '=', 'open')
        .execute();
      return rows.length > 0 && rows.every((r) => Date.parse(r.expires_at) <= Date.now());
    },
    'bip-stop': async () => {
      await stop();
      return true;
    },
    'bip-start': async () => {
      await start(reservationExtra());
      return true;
    },
    /** Restarts on the same port and database; `reservationSeconds` null restores the default. */
    'bip-restart': async ({ reservationSeconds: seconds = null } = {}) => {
      reservationSeconds = seconds;
      await stop();
      await start(reservationExtra());
      return true;
    },
    /** An address where nothing listens (an unreachable endpoint). */
    'bip-dead-endpoint': async () => `http://127.0.0.1:${await freePort()}`,
    ...walletCommands('bip', running),
  };

  const catalogue = {
    tee: await newTee(),
    from: (
      await newProduct({
        prefix: 'print',
        title: 'Art print',
        options: [{ name: 'Format', values: ['A4', 'A3'] }],
        variants: [
          { options: { Format: 'A4' }, price: 1500, stock: 10 },
          { options: { Format: 'A3' }, price: 2500, stock: 10 },
        ],
      })
    ).id,
    soldOut: (
      await newProduct({ prefix: 'zine', title: 'Tour zine', variants: [{ price: 800, stock: 0 }] })
    ).id,
    digital: await newDigital(),
    errors: await newTee({ title: 'Error-case T-shirt' }),
  };

  return {
    /** What the test page gets as `window.__BIP__`. */
    info: { endpoint: base, catalogue },
    plugin: {
      name: 'bip-endpoint',
      serve(context) {
        // Product images, served by the test page's own server (no outside requests).
        const m = /^\/__bip\/img\/([\w-]+)\.svg$/.exec(context.path);
        if (!m) return undefined;
        return {
          body: `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><rect width="160" height="160" fill="#333"/><text x="80" y="88" fill="#fff" text-anchor="middle" font-size="20">${m[1]}</text></svg>`,
          type: 'image/svg+xml',
        };
      },
      async executeCommand({ command, payload }) {
        const fn = commands[command];
        if (!fn) return undefined; // not ours: let the other command plugins answer
        if (command !== 'bip-stop' && command !== 'bip-start' && command !== 'bip-restart')
          await running();
        return fn(payload);
      },
    },
    close: async () => {
      await stop();
      await platform?.close();
    },
  };
}
