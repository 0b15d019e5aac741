import { defineConfig } from 'vite';

// Library build: dist/buy-in-post.js is the one-script-tag bundle (registers <buy-in-post>),
// dist/index.js the class without registration. Lit is bundled; the checkout flow stays a lazy
// chunk beside them, loaded on the first sign of interest.
export default defineConfig({
  build: {
    target: 'es2022',
    minify: true,
    sourcemap: true,
    lib: {
      entry: { 'buy-in-post': 'src/define.ts', index: 'src/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
