import { type BuildOptions, defineConfig, type Plugin } from 'vite';

/**
 * Writes dist/.vite/chunk-graph.json — each emitted chunk's static and dynamic imports, straight
 * from the bundler — so scripts/size.mjs can tell what loads at page load from what loads lazily
 * without parsing minified code. (Vite's own manifest is keyed by source file and loses one of
 * the two entries built from src/define.ts.)
 */
function chunkGraph(): Plugin {
  return {
    name: 'buy-in-post:chunk-graph',
    generateBundle(_options, bundle) {
      const graph: Record<string, { imports: string[]; dynamicImports: string[] }> = {};
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        graph[chunk.fileName] = {
          imports: [...new Set(chunk.imports)],
          dynamicImports: [...new Set(chunk.dynamicImports)],
        };
      }
      this.emitFile({
        type: 'asset',
        fileName: '.vite/chunk-graph.json',
        source: JSON.stringify(graph, null, 2),
      });
    },
  };
}

/** Quiets the one expected warning: src/react/index.ts's 'use client', kept on purpose. */
const keepUseClient: NonNullable<BuildOptions['rollupOptions']>['onwarn'] = (warning, warn) => {
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.endsWith('/src/react/index.ts'))
    return;
  warn(warning);
};

// Library build, ES modules, Lit bundled:
// - dist/buy-in-post.js — the one-script-tag bundle: registers <buy-in-post>;
// - dist/define.js      — the same, for `import 'buy-in-post/define'`;
// - dist/index.js       — the class and its events, no registration;
// - dist/react.js       — `buy-in-post/react` (src/react/): registers, @lit/react bundled, React
//                         external (an optional peer); dist/node/ has its server build;
// - dist/links.js, dist/buy-in-post-links.js — the links module (import, script tag): loads the
//                         core only once a post holds a product link;
// - dist/core-*.js      — Lit + the element, shared by the three entries (never duplicated);
// - dist/checkout-*.js  — the checkout flow, reached only through a dynamic import() on the
//                         reader's first sign of interest.
export default defineConfig({
  plugins: [chunkGraph()],
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: {
        'buy-in-post': 'src/define.ts',
        define: 'src/define.ts',
        index: 'src/index.ts',
        links: 'src/links/index.ts',
        'buy-in-post-links': 'src/links/auto.ts',
        react: 'src/react/index.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: ['react'],
      onwarn: keepUseClient,
      output: {
        // Library mode leaves whitespace and names alone unless told: minify the output itself.
        minify: true,
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.endsWith('/src/checkout/index.ts')
            ? 'checkout-[hash].js'
            : chunk.name === 'buy-in-post'
              ? 'core-[hash].js'
              : chunk.moduleIds.some((id) => id.endsWith('/src/links/upgrade.ts'))
                ? 'links-[hash].js'
                : '[name]-[hash].js',
      },
    },
  },
});
