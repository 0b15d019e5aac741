// One broken requirement per entry: the kit's tests run the kit on the reference endpoint
// behind the proxy with each, and expect exactly that requirement to fail.
import { createHash, randomUUID } from 'node:crypto';
import { type Breakage, json, jsonRequest, type Res, withJson } from './proxy.ts';

const isPath = (path: string, pattern: RegExp) => pattern.test(path.split('?')[0]!);
const PRODUCT = /^\/v1\/products\/[^/]+$/;
const CHECKOUT = /^\/v1\/checkouts\/[^/]+$/;
const CHECKOUTS = /^\/v1\/checkouts(\/|$)/;

/** Headers without `name` (any case). */
const without = (res: Res, name: string): Res => {
  const headers = { ...res.headers };
  delete headers[name.toLowerCase()];
  return { ...res, headers };
};

const tokens = new Map<string, string>();
const files = new Map<string, Buffer>();
const productCache = new Map<string, Res>();
let lastCreated: unknown = null;
const seenDeliveries = new Set<string>();

export const BREAKAGES: Breakage[] = [
  {
    id: 'PLATFORM-HEALTH',
    handle: async (req, f) =>
      req.path === '/v1/health'
        ? withJson(await f(req), (b) => {
            b.status = 'degraded';
          })
        : f(req),
  },
  {
    id: 'PLATFORM-VERSIONS',
    handle: async (req, f) =>
      req.path === '/v1/health'
        ? withJson(await f(req), (b) => {
            b.protocols = ['2'];
          })
        : f(req),
  },
  {
    id: 'PLATFORM-OPENAPI',
    handle: async (req, f) =>
      req.path === '/v1/openapi.json'
        ? withJson(await f(req), (b) => {
            b.openapi = '3.0.3';
          })
        : f(req),
  },
  {
    id: 'SCHEMA-ANSWERS',
    with: ['lookups'],
    // A field renamed: every other check still passes, the answer no longer matches the schema.
    handle: async (req, f) =>
      isPath(req.path, PRODUCT)
        ? withJson(await f(req), (b) => {
            if (b.priceFrom) {
              b.fromPrice = b.priceFrom;
              delete b.priceFrom;
            }
          })
        : f(req),
  },
  {
    id: 'LOOKUP-ORDER',
    handle: async (req, f) =>
      isPath(req.path, /^\/v1\/products$/)
        ? withJson(await f(req), (b) => void b.products?.reverse())
        : f(req),
  },
  {
    id: 'LOOKUP-MISSING',
    handle: async (req, f) =>
      isPath(req.path, /^\/v1\/products$/)
        ? withJson(await f(req), (b) => {
            b.missing = [];
          })
        : f(req),
  },
  {
    id: 'LOOKUP-LIMIT',
    // Anything past the 50th id is quietly dropped instead of refused.
    handle: async (req, f) => {
      const url = new URL(req.path, 'http://x');
      const ids = url.searchParams.get('ids');
      if (url.pathname !== '/v1/products' || !ids) return f(req);
      url.searchParams.set('ids', ids.split(',').slice(0, 50).join(','));
      return f({ ...req, path: `${url.pathname}${url.search}` });
    },
  },
  {
    id: 'LOOKUP-ONE',
    handle: async (req, f) => {
      const res = await f(req);
      return isPath(req.path, PRODUCT) && res.status === 404 ? { ...res, status: 400 } : res;
    },
  },
  {
    id: 'LOOKUP-ETAG',
    handle: async (req, f) => {
      const headers = { ...req.headers };
      delete headers['if-none-match'];
      return f({ ...req, headers });
    },
  },
  {
    id: 'LOOKUP-CACHE',
    handle: async (req, f) => {
      const res = await f(req);
      return req.path.startsWith('/v1/products') && res.status === 200
        ? { ...res, headers: { ...res.headers, 'cache-control': 'no-cache' } }
        : res;
    },
  },
  {
    id: 'LOOKUP-FRESH',
    // A cache in front that ignores no-cache.
    handle: async (req, f) => {
      if (req.method !== 'GET' || !isPath(req.path, PRODUCT)) return f(req);
      const kept = productCache.get(req.path);
      if (kept) return kept;
      const res = await f(req);
      if (res.status === 200) productCache.set(req.path, res);
      return res;
    },
  },
  {
    id: 'CHECKOUT-CREATE',
    handle: async (req, f) =>
      req.method === 'POST' && req.path === '/v1/checkouts'
        ? withJson(await f(req), (b) => {
            if (b.expiresAt) b.expiresAt = new Date(Date.now() - 60_000).toISOString();
          })
        : f(req),
  },
  {
    id: 'CHECKOUT-TOTALS',
    handle: async (req, f) =>
      req.method === 'POST' && req.path === '/v1/checkouts'
        ? withJson(await f(req), (b) => {
            if (b.totals) b.totals.total.amount += 1;
          })
        : f(req),
  },
  {
    id: 'CHECKOUT-AUTH',
    // The proxy remembers every checkout's token and adds it when a call has none.
    handle: async (req, f) => {
      const id = req.path.split('?')[0]!.split('/')[3];
      if (id && CHECKOUTS.test(req.path) && !req.headers.authorization && tokens.has(id))
        req = { ...req, headers: { ...req.headers, authorization: `Bearer ${tokens.get(id)}` } };
      const res = await f(req);
      if (req.method === 'POST' && req.path === '/v1/checkouts' && res.status === 201) {
        const b = json(res);
        tokens.set(b.id, b.clientToken);
      }
      return res;
    },
  },
  {
    id: 'CHECKOUT-QUANTITY',
    handle: async (req, f) =>
      f(
        req.method === 'PATCH' && isPath(req.path, CHECKOUT)
          ? jsonRequest(req, (b) => void delete b.quantity)
          : req,
      ),
  },
  {
    id: 'CHECKOUT-OPTIONS',
    handle: async (req, f) =>
      f(
        req.method === 'PATCH' && isPath(req.path, CHECKOUT)
          ? jsonRequest(req, (b) => void delete b.variantId)
          : req,
      ),
  },
  {
    id: 'CHECKOUT-ADDRESS',
    // Unserved countries are quietly shipped to the United States.
    handle: async (req, f) =>
      f(
        req.method === 'PATCH' && isPath(req.path, CHECKOUT)
          ? jsonRequest(req, (b) => {
              if (b.shippingAddress?.country === 'PE') b.shippingAddress.country = 'US';
            })
          : req,
      ),
  },
  {
    id: 'CHECKOUT-NO-STORE',
    handle: async (req, f) => {
      const res = await f(req);
      return CHECKOUTS.test(req.path) ? without(res, 'cache-control') : res;
    },
  },
  {
    id: 'CHECKOUT-EXPIRY',
    // Reservations last 6 s on the broken endpoint's server.
    wait: 8,
    handle: async (req, f) =>
      req.method === 'GET' && isPath(req.path, CHECKOUT)
        ? withJson(await f(req), (b) => {
            if (b.status === 'expired') b.status = 'open';
          })
        : f(req),
  },
  {
    id: 'CHECKOUT-CANCEL',
    // DELETE answers "canceled" without cancelling anything.
    handle: async (req, f) =>
      req.method === 'DELETE' && isPath(req.path, CHECKOUT)
        ? withJson(await f({ ...req, method: 'GET', body: Buffer.alloc(0) }), (b) => {
            if (b.status === 'open') b.status = 'canceled';
          })
        : f(req),
  },
  {
    id: 'CHECKOUT-CONFIRM',
    handle: async (req, f) =>
      f(
        req.path.endsWith('/confirm')
          ? jsonRequest(req, (b) => {
              if (b.payment?.card?.replace(/\D/g, '') === '4242424242424242')
                b.payment.card = '4000000000000002';
            })
          : req,
      ),
  },
  {
    id: 'CHECKOUT-DECLINE',
    handle: async (req, f) =>
      f(
        req.path.endsWith('/confirm')
          ? jsonRequest(req, (b) => {
              b.payment.card = '4242424242424242';
            })
          : req,
      ),
  },
  {
    id: 'IDEMPOTENCY-REQUIRED',
    handle: async (req, f) =>
      f(
        req.method === 'POST' && !req.headers['idempotency-key']
          ? { ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() } }
          : req,
      ),
  },
  {
    id: 'IDEMPOTENCY-REPLAY',
    handle: async (req, f) => without(await f(req), 'idempotent-replayed'),
  },
  {
    id: 'IDEMPOTENCY-CONFLICT',
    // The key is made per body: another body is another key.
    handle: async (req, f) => {
      const key = req.headers['idempotency-key'];
      if (!key || req.method !== 'POST' || req.path !== '/v1/checkouts') return f(req);
      const canonical = JSON.stringify(
        Object.entries(JSON.parse(req.body.toString('utf8'))).sort(),
      );
      const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
      return f({ ...req, headers: { ...req.headers, 'idempotency-key': `${key}-${digest}` } });
    },
  },
  {
    id: 'IDEMPOTENCY-IN-FLIGHT',
    // Repeats are not recognised while the first runs: each concurrent one gets a key of its own.
    handle: (() => {
      const inFlight = new Set<string>();
      return async (req, f) => {
        const key = req.headers['idempotency-key'];
        if (!key || req.method !== 'POST' || req.path !== '/v1/checkouts') return f(req);
        if (inFlight.has(key))
          return f({ ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() } });
        inFlight.add(key);
        try {
          // Held a moment, as a slow database would: the repeats arrive meanwhile.
          await new Promise((r) => setTimeout(r, 50));
          return await f(req);
        } finally {
          inFlight.delete(key);
        }
      };
    })(),
  },
  {
    id: 'STOCK-NO-OVERSELL',
    // Sold-out answers turned into made-up checkouts.
    handle: async (req, f) => {
      const res = await f(req);
      if (req.method !== 'POST' || req.path !== '/v1/checkouts') return res;
      if (res.status === 201) lastCreated = json(res);
      if (res.status !== 409 || !lastCreated) return res;
      const body = { ...(lastCreated as object), id: `chk_made${randomUUID().slice(0, 8)}` };
      return {
        status: 201,
        headers: { ...res.headers, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
      };
    },
  },
  {
    id: 'ERROR-PROBLEM',
    with: ['errors'],
    handle: async (req, f) => {
      const res = await f(req);
      return res.status === 404
        ? { ...res, headers: { ...res.headers, 'content-type': 'application/json' } }
        : res;
    },
  },
  {
    id: 'ERROR-CODES',
    // Bodies of any type are read as JSON.
    handle: async (req, f) =>
      f(
        req.headers['content-type']?.startsWith('text/')
          ? { ...req, headers: { ...req.headers, 'content-type': 'application/json' } }
          : req,
      ),
  },
  {
    id: 'ERROR-STRICT',
    handle: async (req, f) =>
      f(
        req.method === 'POST' && req.path === '/v1/checkouts'
          ? jsonRequest(req, (b) => void delete b.price)
          : req,
      ),
  },
  {
    id: 'CORS-ALLOWED',
    handle: async (req, f) => without(await f(req), 'vary'),
  },
  {
    id: 'CORS-PREFLIGHT',
    handle: async (req, f) => {
      const res = await f(req);
      return req.method === 'OPTIONS'
        ? { ...res, headers: { ...res.headers, 'access-control-allow-methods': 'GET' } }
        : res;
    },
  },
  {
    id: 'CORS-REFUSED',
    // Every origin is echoed, as if every site were allowed.
    handle: async (req, f) => {
      const res = await f(req);
      const origin = req.headers.origin;
      return origin && !req.path.startsWith('/v1/seller')
        ? { ...res, headers: { ...res.headers, 'access-control-allow-origin': origin } }
        : res;
    },
  },
  {
    id: 'WEBHOOK-DELIVERY',
    relay: (d, pass) => {
      const headers = { ...d.headers };
      delete headers['buyinpost-event-type'];
      return pass({ ...d, headers });
    },
  },
  {
    id: 'WEBHOOK-SIGNATURE',
    relay: (d, pass) =>
      pass({
        ...d,
        headers: {
          ...d.headers,
          'buyinpost-signature': String(d.headers['buyinpost-signature']).replace(
            /v1=[0-9a-f]{4}/,
            'v1=0000',
          ),
        },
      }),
  },
  {
    id: 'WEBHOOK-RETRY',
    // Each event reaches the receiver once; the endpoint is told it arrived.
    relay: async (d, pass) => {
      const id = JSON.parse(d.body).id;
      if (!seenDeliveries.has(id)) {
        seenDeliveries.add(id);
        await pass(d);
      }
      return 200;
    },
  },
  {
    id: 'DOWNLOAD-SIGNED',
    // A link that does not verify still serves the last file served.
    handle: async (req, f) => {
      if (!req.path.startsWith('/v1/downloads/')) return f(req);
      const res = await f(req);
      if (res.status === 200) files.set('last', res.body);
      else if (files.has('last'))
        return {
          status: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-disposition': 'attachment; filename="x"',
            'cache-control': 'private, no-store',
          },
          body: files.get('last')!,
        };
      return res;
    },
  },
  {
    id: 'DOWNLOAD-EXPIRING',
    // Links handed out without an expiry (rewritten: they no longer verify, which is beside the point).
    handle: async (req, f) =>
      req.path.endsWith('/confirm') || isPath(req.path, CHECKOUT)
        ? withJson(await f(req), (b) => {
            const url: string | undefined = b.order?.downloadUrl;
            if (!url) return;
            const [h, p, s] = url.split('/').pop()!.split('.');
            const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
            delete claims.exp;
            const token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join(
              '.',
            );
            b.order.downloadUrl = `${url.slice(0, url.lastIndexOf('/'))}/${token}`;
          })
        : f(req),
  },
];
