// The demo's pages, scripts and placeholder images, in front of the endpoint on one origin. Kept
// apart from serve.ts (which builds, seeds and listens) so tests can mount the same site.
//
// The pages are served as a careful host would serve them: a Content-Security-Policy with no
// 'unsafe-inline' anywhere (the element needs none), Stripe's sources only for Stripe's form, no
// framing (the seller page holds an API key), and nosniff on everything.
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
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

/** The demo site: `/demo/*`, `/dist/*` and `/img/*.svg`, then whatever `endpoint` answers. */
export function demoSite(endpoint: { fetch: (req: Request) => Response | Promise<Response> }) {
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
  site.get('/', (c) => c.redirect('/demo/index.html'));
  site.get('/demo', (c) => c.redirect('/demo/index.html'));
  site.get('/demo/*', (c) => sendFile(c.req.path));
  site.get('/dist/*', (c) => sendFile(c.req.path));
  site.all('*', (c) => endpoint.fetch(c.req.raw));
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
