// The real reference endpoint for the browser tests, and the server commands tests use to act
// on it (new products, stock, expiry, stopping and restarting it).
import { join } from 'node:path';

const seq = { n: 0 };

async function call(base, key, method, path, body) {
  const res = await fetch(`${base}/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

const ZONES = [
  { name: 'Home', countries: ['US'], rate: 500, freeOver: 10000 },
  { name: 'Abroad', countries: ['FR', 'AE', 'SA', 'EG', 'GB'], rate: 1500 },
];

export async function createEndpoint(dir) {
  const { loadConfig } = await import('../../server/src/config.ts');
  const { startServer } = await import('../../server/src/server.ts');
  const databaseUrl = join(dir, 'wtr.sqlite');
  const env = (extra = {}) => ({
    BIP_MODE: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    BIP_CHECKOUT_RATE_LIMIT: '100000',
    ...extra,
  });
  let server = await startServer(loadConfig(env({ PORT: '0' })));
  const port = server.port;
  const base = server.url;
  const seller = await server.app.services.sellers.create({
    name: 'Nour & the Night Trains',
    kind: 'artist',
    shippingZones: ZONES,
    taxRates: [{ country: 'FR', rateBps: 2000 }],
  });
  const key = seller.apiKey;

  /** A fresh T-shirt (Size S/M/L × Colour Black/Sand; Sand L does not exist; Sand S sold out). */
  async function newTee({ stock = 10, price = 2500, title = 'Tour T-shirt' } = {}) {
    const id = `tee-${++seq.n}`;
    const variants = [];
    for (const size of ['S', 'M', 'L']) {
      for (const colour of ['Black', 'Sand']) {
        if (size === 'L' && colour === 'Sand') continue;
        variants.push({
          id: `${id}-${size.toLowerCase()}-${colour.toLowerCase()}`,
          options: { Size: size, Colour: colour },
          price,
          compareAtPrice: size === 'M' ? price + 500 : null,
          stock: size === 'S' && colour === 'Sand' ? 0 : stock,
        });
      }
    }
    await call(base, key, 'POST', '/seller/products', {
      id,
      title,
      description: 'Heavyweight cotton.',
      url: `https://shop.example/${id}`,
      kind: 'physical',
      options: [
        { name: 'Size', values: ['S', 'M', 'L'] },
        { name: 'Colour', values: ['Black', 'Sand'] },
      ],
      images: [{ url: `${base}/img/${id}.png`, alt: 'A black T-shirt with tour dates' }],
      variants,
    });
    return { id, variant: (size, colour) => `${id}-${size.toLowerCase()}-${colour.toLowerCase()}` };
  }

  async function newDigital({ price = 900 } = {}) {
    const id = `album-${++seq.n}`;
    await call(base, key, 'POST', '/seller/products', {
      id,
      title: 'Night Trains — digital album',
      kind: 'digital',
      variants: [{ id: `${id}-std`, price, stock: null }],
    });
    const res = await fetch(`${base}/v1/seller/products/${id}/file?name=album.txt`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/plain' },
      body: 'ten tracks',
    });
    if (!res.ok) throw new Error(`file upload: ${res.status}`);
    return { id, variant: `${id}-std` };
  }

  const commands = {
    'bip-new-tee': (p) => newTee(p ?? {}),
    'bip-new-digital': (p) => newDigital(p ?? {}),
    'bip-set-stock': ({ productId, variantId, stock }) =>
      call(base, key, 'PATCH', `/seller/products/${productId}/variants/${variantId}`, { stock }),
    'bip-orders': async ({ productId }) =>
      (await call(base, key, 'GET', `/seller/orders?productId=${productId}`)).orders,
    'bip-checkouts': async ({ productId }) =>
      server.app.db.kysely
        .selectFrom('checkouts')
        .select(['id', 'status', 'quantity', 'variant_id'])
        .where('product_id', '=', productId)
        .execute(),
    'bip-expire': async ({ productId }) => {
      await server.app.db.kysely
        .updateTable('checkouts')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('product_id', '=', productId)
        .where('status', '=', 'open')
        .execute();
      return true;
    },
    'bip-stop': async () => {
      await server.close();
      return true;
    },
    'bip-start': async () => {
      server = await startServer(loadConfig(env({ PORT: String(port) })));
      return true;
    },
  };

  return {
    info: { endpoint: base },
    plugin: {
      name: 'bip-endpoint',
      async executeCommand({ command, payload }) {
        const fn = commands[command];
        return fn ? fn(payload) : undefined;
      },
    },
    close: () => server.close(),
  };
}
