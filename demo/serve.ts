// `npm start`: the reference endpoint (demo catalogue, test payments, SQLite under ./data) and
// the demo pages, on one port, offline. Builds the element first so the pages load the same
// dist/buy-in-post.js a site would.
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { build } from 'vite';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { seedDemo } from '../server/src/seed.ts';
import { closeOnSignals } from '../server/src/server.ts';
import { placeholderSvg } from './images.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

await build({ root, logLevel: 'warn', configFile: join(root, 'vite.config.ts') });

const port = process.env.PORT ?? '8787';
const config = loadConfig({
  // one demo database per port: the seeded image URLs name the port
  DATABASE_URL: join(root, 'data', `demo-${port}.sqlite`),
  BIP_MODE: 'development',
  ...process.env,
  PORT: port,
  HOST: process.env.HOST ?? '127.0.0.1',
});
config.publicUrl = process.env.BIP_PUBLIC_URL ?? `http://localhost:${config.port}`;
const endpoint = await createApp(config);
if ((await endpoint.db.kysely.selectFrom('sellers').select('id').limit(1).execute()).length === 0) {
  const made = await seedDemo(endpoint, { imageBase: `${config.publicUrl}/img` });
  console.log(
    'Seeded the demo catalogue. Seller API keys (shown once; paste one into the seller page):',
  );
  for (const s of made.sellers) console.log(`  ${s.name}: ${s.apiKey}`);
}

const site = new Hono();
site.get('/img/:name{[a-z0-9-]+\\.svg}', (c) =>
  c.body(placeholderSvg(c.req.param('name').replace('.svg', '')), 200, {
    'Content-Type': TYPES['.svg']!,
  }),
);
site.get('/', (c) => c.redirect('/demo/index.html'));
for (const prefix of ['/demo/*', '/dist/*']) {
  site.get(prefix, async (c) => {
    const path = normalize(c.req.path).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(root, path));
      return c.body(body, 200, {
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
      });
    } catch {
      return c.notFound();
    }
  });
}
site.route('/', endpoint.app);

const server = serve({ fetch: site.fetch, port: config.port, hostname: config.host }, () => {
  const url = `http://localhost:${config.port}`;
  console.log(`\nbuy-in-post demo: ${url}/demo/index.html  (timeline)`);
  console.log(`                  ${url}/demo/blog.html   (one script tag)`);
  console.log(`                  ${url}/demo/seller.html (orders)`);
  console.log(`endpoint:         ${url}/v1 (SQLite, test payments — card 4242 4242 4242 4242)\n`);
});
endpoint.startBackground();
closeOnSignals({
  url: '',
  port: config.port,
  app: endpoint,
  close: async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await endpoint.close();
  },
});
