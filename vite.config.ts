import { type BuildOptions, defineConfig, type Plugin } from 'vite';

/**
 * Writes dist/.vite/<fileName> — each emitted chunk's static and dynamic imports, straight from
 * the bundler — so scripts/size.mjs can tell what loads at page load from what loads lazily
 * without parsing minified code. One file per build: chunk-graph.npm.json (this config),
 * chunk-graph.tag.json (vite.tag.config.ts).
 */
export function chunkGraph(fileName: string): Plugin {
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
        fileName: `.vite/${fileName}`,
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

// The npm build (what `import 'buy-in-post/…'` reaches), ES modules, Lit bundled:
// - dist/define.js      — `buy-in-post/define`: registers <buy-in-post>;
// - dist/index.js       — `buy-in-post`: the class and its events, no registration;
// - dist/react.js       — `buy-in-post/react` (src/react/): registers, @lit/react bundled, React
//                         external (an optional peer); dist/node/ has its server build;
// - dist/links.js       — `buy-in-post/links`: loads the core only once a post holds a product link;
// - dist/chunks/core-*.js     — Lit + the element, shared by those entries: an app that imports
//                         several of them gets Lit and the element once;
// - dist/chunks/checkout-*.js — the checkout flow, reached only through a dynamic import() on the
//                         reader's first sign of interest.
// The script-tag files (dist/buy-in-post.js, dist/buy-in-post-links.js and their chunks at the
// top of dist/) are another build, vite.tag.config.ts, run after this one: a page loads one build
// or the other, never both.
export default defineConfig({
  plugins: [chunkGraph('chunk-graph.npm.json')],
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: {
        define: 'src/define.ts',
        index: 'src/index.ts',
        links: 'src/links/index.ts',
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
            ? 'chunks/checkout-[hash].js'
            : chunk.moduleIds.some((id) => id.endsWith('/src/buy-in-post.ts'))
              ? 'chunks/core-[hash].js'
              : 'chunks/[name]-[hash].js',
      },
    },
  },
});
