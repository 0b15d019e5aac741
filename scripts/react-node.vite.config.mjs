// The server build of `buy-in-post/react` (the package's `node` export condition): the same
// source as dist/react.js, but over Lit's own Node build instead of the browser build bundled
// into dist/. Lit's Node build brings a small DOM shim (HTMLElement, customElements), so the
// element class can be defined on a server and @lit/react tells properties from attributes
// exactly as in the browser — the markup React renders on the server is the markup it hydrates.
// Lit, React and Stripe.js stay imports here (Node resolves them from the consumer's packages:
// Lit is a dependency of buy-in-post, React the consumer's own); @lit/react is bundled, as in
// the browser build. Run by `npm run build` after the browser build.
import { defineConfig } from 'vite';

export default defineConfig({
  // No public/ and no .env files: this build reads the source and nothing else.
  publicDir: false,
  envDir: false,
  build: {
    ssr: 'src/react/index.ts',
    outDir: 'dist/node',
    emptyOutDir: true,
    target: 'node20',
    minify: true,
    // The checkout stays a chunk of its own, which a server never loads.
    rollupOptions: {
      output: { entryFileNames: 'react.js', chunkFileNames: '[name]-[hash].js' },
      // src/react/index.ts's 'use client' is kept on purpose (as in vite.config.ts)
      onwarn(warning, warn) {
        if (
          warning.code === 'MODULE_LEVEL_DIRECTIVE' &&
          warning.id?.endsWith('/src/react/index.ts')
        )
          return;
        warn(warning);
      },
    },
  },
  ssr: {
    target: 'node',
    // bundled, as in dist/react.js (its peer, @types/react, would otherwise reach every site)
    noExternal: ['@lit/react'],
  },
});
