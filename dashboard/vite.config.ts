import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The seller dashboard: a small single-page app the endpoint serves at /seller/ (built into
// dist-dashboard/ at the repository root). `npm run build:dashboard`.
export default defineConfig({
  root: here('.'),
  base: '/seller/',
  resolve: {
    alias: {
      // The server's protocol schemas import `z` from @hono/zod-openapi, which would bring Hono's
      // router into the page. The dashboard validates forms with the very same schemas, so it
      // gets a `z` that only knows the `.openapi()` annotations (see zod-openapi.ts).
      '@hono/zod-openapi': here('src/zod-openapi.ts'),
    },
  },
  build: {
    outDir: here('../dist-dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The preview loads the real <buy-in-post> (and its checkout chunk) only on the product page.
    chunkSizeWarningLimit: 400,
  },
});
