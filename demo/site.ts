// The demo's pages, scripts and placeholder images, in front of the endpoint on one origin. Kept
// apart from serve.ts (which builds, seeds and listens) so tests can mount the same site.
//
// The pages are served as a careful host would serve them: a Content-Security-Policy with no
// 'unsafe-inline' anywhere (the element needs none), Stripe's sources only for Stripe's form, no
// framing (the seller page holds an API key), and nosniff on everything.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { placeholderSvg } from './images.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const STRIPE_JS = ['https://js.stripe.com', 'https://*.js.stripe.com'];

/** The policy of every demo page: what docs/embedding.md and docs/stripe.md tell hosts to set. */
export const DEMO_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'", ...STRIPE_JS],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'https://*.stripe.com'],
  connectSrc: ["'self'", 'https://api.stripe.com'],
  frameSrc: [...STRIPE_JS, 'https://hooks.stripe.com'],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * The timeline acting as a host platform whose readers are signed in (development only): it
 * signs buyer tokens for its one demo reader with an ES256 key made at start, and publishes the
 * public half as a JWKS. The endpoint trusts this issuer (serve.ts sets BIP_BUYER_TOKEN_ISSUERS),
 * so the "signed-in reader" switch on the timeline opens saved details in one tap, no code.
 * docs/wallet.md shows the same ten lines for a real host.
 */
export interface DemoHost {
  /** The issuer (`iss`) the endpoint trusts. */
  issuer: string;
  jwks: { keys: JWK[] };
  /** A fresh token for the demo reader, for the endpoint at `audience`. */
  mint(): Promise<string>;
}

/** The demo reader's pairwise id at this host (stable: their wallet survives restarts). */
export const DEMO_READER = 'murmur-reader-1';
/** The path of the demo host's JWKS on the demo site. */
export const DEMO_JWKS_PATH = '/demo/jwks.json';

export async function demoHost(opts: {
  issuer: string;
  audience: () => string;
}): Promise<DemoHost> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `demo-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    issuer: opts.issuer,
    jwks: { keys: [jwk] },
    mint: () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'bip-buyer+jwt' })
        .setIssuer(opts.issuer)
        .setSubject(DEMO_READER)
        .setAudience(opts.audience())
        .setIssuedAt()
        .setExpirationTime('2m')
        .setJti(randomUUID())
        .sign(privateKey),
  };
}

/**
 * The demo site: `/demo/*`, `/dist/*` and `/img/*.svg`, then whatever `endpoint` answers. With
 * `host`, also the demo host's JWKS and its token route (development only: serve.ts passes it).
 */
export function demoSite(
  endpoint: { fetch: (req: Request, env?: object) => Response | Promise<Response> },
  host: DemoHost | null = null,
) {
  const site = new Hono();
  site.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: DEMO_CSP,
      xFrameOptions: 'DENY',
      // http://localhost: HSTS means nothing there, and would stick to the name for other ports.
      strictTransportSecurity: false,
      // The endpoint below sets its own headers (CORS for other origins' pages included).
      overwrite: false,
    }),
  );
  site.get('/img/:name{[a-z0-9-]+\\.svg}', (c) =>
    c.body(placeholderSvg(c.req.param('name').replace(/\.svg$/, '')), 200, {
      'Content-Type': TYPES['.svg']!,
      'Cache-Control': 'public, max-age=3600',
    }),
  );
  if (host) {
    site.get(DEMO_JWKS_PATH, (c) => c.json(host.jwks, 200, { 'Cache-Control': 'no-cache' }));
    // The host signs a token for its signed-in reader — for its own pages only: a request from
    // another site (Sec-Fetch-Site) gets nothing.
    site.post('/demo/buyer-token', async (c) => {
      const from = c.req.header('Sec-Fetch-Site');
      if (from && from !== 'same-origin') return c.json({ error: 'same-origin only' }, 403);
      return c.json({ token: await host.mint() }, 200, { 'Cache-Control': 'no-store' });
    });
  }
  site.get('/', (c) => c.redirect('/demo/index.html'));
  site.get('/demo', (c) => c.redirect('/demo/index.html'));
  site.get('/demo/*', (c) => sendFile(c.req.path));
  site.get('/dist/*', (c) => sendFile(c.req.path));
  // The Node bindings go along (c.env): the endpoint reads the client's address from them (the
  // wallet's per-network limits).
  site.all('*', (c) => endpoint.fetch(c.req.raw, c.env as object));
  return site;
}

/** Serves a page, script or style under demo/ or dist/; anything else is a 404. */
async function sendFile(urlPath: string): Promise<Response> {
  const notFound = new Response('Not found', { status: 404 });
  let file: string;
  try {
    file = resolve(root, `.${decodeURIComponent(urlPath)}`);
  } catch {
    return notFound; // malformed escape
  }
  const type = TYPES[extname(file)];
  const inside = ['demo', 'dist'].some((d) => file.startsWith(join(root, d) + sep));
  if (!type || !inside || file.endsWith('.ts')) return notFound;
  try {
    return new Response(await readFile(file), {
      headers: { 'Content-Type': type, 'Cache-Control': 'no-cache' },
    });
  } catch {
    return notFound;
  }
}
