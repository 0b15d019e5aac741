import MagicString from 'magic-string';
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

/**
 * Collapses the indentation and line breaks of the element's css`` templates (those without
 * interpolations), and the space after a declaration's colon and before a block's brace: shipped
 * as written, they took bytes of the core's 12 kB gzip budget. A line break goes entirely after
 * `{`, `}`, `;` or `,` and before `}`, and becomes one space elsewhere (inside a value written
 * over several lines), so no token is joined to the next.
 */
export function compactCss(): Plugin {
  return {
    name: 'buy-in-post:compact-css',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return null;
      const s = new MagicString(code);
      for (const m of code.matchAll(/\bcss`([^`$\\]*)`/g)) {
        const start = m.index + 4;
        const compact = m[1]!
          .trim()
          .split(/\s*\n\s*/)
          .map((line) => (line.endsWith(';') ? line.replace(': ', ':') : line.replace(/ \{$/, '{')))
          .reduce((out, line) =>
            /[{};,]$/.test(out) || line.startsWith('}') ? out + line : `${out} ${line}`,
          );
        if (compact !== m[1]) s.overwrite(start, start + m[1]!.length, compact);
      }
      if (!s.hasChanged()) return null;
      return { code: s.toString(), map: s.generateMap({ hires: true }) };
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
  plugins: [compactCss(), chunkGraph('chunk-graph.npm.json')],
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
