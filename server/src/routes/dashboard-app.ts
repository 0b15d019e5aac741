import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';
import { router } from '../http/openapi.ts';
import { ServiceError } from '../services/errors.ts';

/**
 * The dashboard's Content Security Policy: scripts and styles only from the endpoint's own files
 * (no inline script, no eval, no inline `<style>`; Lit's adopted style sheets are allowed), the
 * API on the same origin, images from anywhere over https (products link theirs), Stripe's frames
 * for the live preview of the real element, and the page never framed (clickjacking).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self' https://js.stripe.com",
  "style-src 'self'",
  "img-src 'self' https: data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  'frame-src https://js.stripe.com https://hooks.stripe.com',
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', DASHBOARD_CSP);
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Referrer-Policy', 'same-origin');
    c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  };
}

/**
 * The built dashboard (`npm run build:dashboard` → `dist-dashboard/`) at `/seller/`. Files under
 * `assets/` carry a content hash in their names, so they are kept for a year; `index.html` is
 * asked for again each time (it names the current assets). Any other path without a file
 * extension is one of the app's own pages (`/seller/orders/ord_…`): `index.html` answers, and the
 * app routes it.
 */
export function dashboardApp(config: Pick<Config, 'dashboard'>) {
  const app = router();
  const dir = config.dashboard.dir;
  const missing = () => {
    throw new ServiceError(
      'not_found',
      `The dashboard is not built here (${dir}); run npm run build:dashboard`,
    );
  };
  app.get('/seller', (c) => c.redirect('/seller/', 301));
  app.use('/seller/*', securityHeaders());
  app.get(
    '/seller/assets/*',
    serveStatic({
      root: dir,
      rewriteRequestPath: (p) => p.replace(/^\/seller/, ''),
      onFound: (_path, c) => {
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.get('/seller/assets/*', missing);
  app.get('/seller/*', async (c, next) => {
    const last = c.req.path.split('/').at(-1) ?? '';
    // A file of the build's top level (favicon, manifest): served as it is, briefly cached.
    if (last.includes('.') && last !== 'index.html')
      return serveStatic({
        root: dir,
        rewriteRequestPath: (p) => p.replace(/^\/seller/, ''),
        onFound: (_path, c2) => {
          c2.header('Cache-Control', 'public, max-age=300');
        },
      })(c, next);
    const index = join(dir, 'index.html');
    if (!existsSync(index)) missing();
    return serveStatic({
      path: index,
      onFound: (_path, c2) => {
        c2.header('Cache-Control', 'no-cache');
      },
    })(c, next);
  });
  return app;
}
