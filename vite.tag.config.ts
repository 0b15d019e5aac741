import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import MagicString from 'magic-string';
import { defineConfig, type Plugin, type Rollup } from 'vite';
import { chunkGraph, compactCss } from './vite.config.ts';

/** The entry a script tag loads; it holds Lit and the element, and imports nothing. */
const ENTRY = 'buy-in-post.js';

// ESTree nodes as this.parse gives them (with their offsets), as far as the plugin reads them.
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}
interface Name extends Node {
  name?: string;
  value?: string;
}
const nameOf = (n: Name) => (n.type === 'Identifier' ? n.name! : String(n.value));
const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

/** Every node under `node`, depth first. */
function* walk(node: Node): Generator<Node> {
  yield node;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) yield* walk(v);
    } else if (isNode(value)) yield* walk(value);
  }
}

/** The names a pattern (`a`, `{a, b: [c]}`, `...d`, `e = 1`) assigns to. */
function* targets(node: Node): Generator<string> {
  switch (node.type) {
    case 'Identifier':
      yield (node as Name).name!;
      break;
    case 'ObjectPattern':
      for (const p of node.properties as Node[])
        yield* targets(p.type === 'RestElement' ? p : (p.value as Node));
      break;
    case 'ArrayPattern':
      for (const e of node.elements as (Node | null)[]) if (e) yield* targets(e);
      break;
    case 'RestElement':
      yield* targets(node.argument as Node);
      break;
    case 'AssignmentPattern':
      yield* targets(node.left as Node);
      break;
  }
}

/** A module's export names, those of its `export * from` included. */
async function publicExports(ctx: Rollup.PluginContext, id: string, seen = new Set<string>()) {
  const info = ctx.getModuleInfo(id);
  if (!info || seen.has(id)) return [];
  seen.add(id);
  const names = info.exports.filter((name) => name !== '*');
  if (info.exports.includes('*') && info.code)
    for (const node of (ctx.parse(info.code) as unknown as { body: Node[] }).body) {
      if (node.type !== 'ExportAllDeclaration' || node.exported) continue;
      const resolved = await ctx.resolve((node.source as Name).value!, id);
      if (resolved) names.push(...(await publicExports(ctx, resolved.id, seen)));
    }
  return names;
}

/**
 * The script-tag entry hands its bindings to its lazy chunks through a global, instead of
 * letting them `import … from "./buy-in-post.js"`.
 *
 * Why: that import is resolved against the chunk's own address, which gives the entry's plain
 * address — not necessarily the one the page loaded it by (`buy-in-post.js?ver=3`, as
 * WordPress's script functions write it, or a CDN address that redirects to a versioned one).
 * The browser keeps one module per address, so the chunk would fetch and run a second copy of
 * the entry: a second Lit, a second element class, a second product loader. Through the global
 * no address is resolved twice, whatever the page wrote.
 *
 * - The entry ends with `globalThis[Symbol.for('buy-in-post:<build>')] ??= {…its exports}`
 *   (the first copy to run keeps it: that is the copy whose elements are on the page);
 * - each lazy chunk's `import {a as b} from "./buy-in-post.js"` becomes
 *   `const {a: b} = globalThis[…]` (a lazy chunk runs only after the entry has);
 * - the links module's `import("./buy-in-post.js")` (it loads the element once a post holds a
 *   product link) takes the bindings already there, else imports the element and takes them.
 *
 * The key is a hash of this build's sources: two builds on one page (two versions of the
 * element) never take each other's bindings. A copy of a binding is not live: the build fails if
 * the entry exports a binding that is ever assigned again.
 */
function entryHandoff(): Plugin {
  const sources = new Map<string, string>();
  let root = '';
  let key = '';
  const handoff = () => `globalThis[Symbol.for(${JSON.stringify(key)})]`;
  const fromEntry = (source: unknown) => (source as Name | undefined)?.value === `./${ENTRY}`;

  return {
    name: 'buy-in-post:entry-handoff',
    configResolved(config) {
      root = config.root;
    },
    transform(code, id) {
      sources.set(relative(root, id), code); // the same key wherever the tree is checked out
      return null;
    },
    renderStart() {
      const hash = createHash('sha256');
      for (const id of [...sources.keys()].sort()) hash.update(`${id}\0${sources.get(id)}\0`);
      key = `buy-in-post:${hash.digest('hex').slice(0, 16)}`;
    },
    async renderChunk(code, chunk) {
      const s = new MagicString(code);
      const body = (this.parse(code) as unknown as { body: Node[] }).body;
      if (chunk.fileName === ENTRY) {
        if (chunk.imports.length)
          this.error(`${ENTRY} must be self-contained; it imports ${chunk.imports.join(', ')}`);
        const exports = body.filter((n) => n.type === 'ExportNamedDeclaration' && !n.source);
        const specifiers = exports.flatMap((n) => n.specifiers as Node[]);
        if (exports.some((n) => n.declaration) || !specifiers.length)
          this.error(`${ENTRY}: expected one export list at its end`);
        const locals = new Map(
          specifiers.map((sp) => [nameOf(sp.local as Name), nameOf(sp.exported as Name)]),
        );
        for (const node of walk({ type: 'Program', start: 0, end: code.length, body })) {
          const target =
            node.type === 'AssignmentExpression' ||
            node.type === 'ForInStatement' ||
            node.type === 'ForOfStatement'
              ? (node.left as Node)
              : node.type === 'UpdateExpression'
                ? (node.argument as Node)
                : null;
          if (!target) continue;
          for (const name of targets(target))
            if (locals.has(name))
              this.error(
                `${ENTRY} exports ${locals.get(name)} (${name}), which is assigned again: a lazy chunk's copy would go stale (or a function assigns a local of that name: rename it)`,
              );
        }
        const object = [...locals].map(([local, exported]) =>
          local === exported ? local : `${JSON.stringify(exported)}: ${local}`,
        );
        s.append(`\n${handoff()} ??= { ${object.join(', ')} };\n`);
        // What the entry exports beyond src/define.ts's own exports was there for the lazy
        // chunks' imports, which the hand-off replaces: the page sees only the public names.
        const own = new Set(await publicExports(this, chunk.facadeModuleId!));
        const missing = [...own].filter((name) => ![...locals.values()].includes(name));
        if (!own.size || missing.length)
          this.error(
            `${ENTRY}: src/define.ts's exports ${missing.join(', ')} not in its export list`,
          );
        const kept = [...locals].filter(([, exported]) => own.has(exported));
        for (const node of exports) s.remove(node.start, node.end);
        s.append(
          `export { ${kept.map(([local, exported]) => (local === exported ? local : `${local} as ${JSON.stringify(exported)}`)).join(', ')} };\n`,
        );
        return { code: s.toString(), map: s.generateMap({ hires: true }) };
      }
      let changed = false;
      for (const node of walk({ type: 'Program', start: 0, end: code.length, body })) {
        if (node.type === 'ImportDeclaration' && fromEntry(node.source)) {
          const bindings = (node.specifiers as Node[]).map((sp) =>
            sp.type === 'ImportNamespaceSpecifier'
              ? null
              : `${JSON.stringify(sp.type === 'ImportDefaultSpecifier' ? 'default' : nameOf(sp.imported as Name))}: ${nameOf(sp.local as Name)}`,
          );
          const namespace = (node.specifiers as Node[]).find(
            (sp) => sp.type === 'ImportNamespaceSpecifier',
          );
          const declarations = [
            namespace && `const ${nameOf(namespace.local as Name)} = ${handoff()};`,
            bindings.some(Boolean) &&
              `const { ${bindings.filter(Boolean).join(', ')} } = ${handoff()};`,
          ];
          s.overwrite(node.start, node.end, declarations.filter(Boolean).join(' '));
          changed = true;
        } else if (node.type === 'ImportExpression' && fromEntry(node.source)) {
          s.overwrite(
            node.start,
            node.end,
            `(async () => ${handoff()} ?? (await import(${JSON.stringify(`./${ENTRY}`)}), ${handoff()}))()`,
          );
          changed = true;
        }
      }
      if (!changed) return null;
      return { code: s.toString(), map: s.generateMap({ hires: true }) };
    },
    generateBundle(_options, bundle) {
      // What the rewrite leaves: no chunk imports the entry by its address, but the links
      // module's fallback import (only when no copy of the element has run yet).
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || chunk.fileName === ENTRY) continue;
        const left = chunk.code.match(/(from|import)\s*["'`]\.\/buy-in-post\.js["'`]/);
        if (left) this.error(`${chunk.fileName} still imports ${ENTRY} by address: ${left[0]}`);
      }
    },
  };
}

// The script-tag build: what a page loads with one `<script type="module" src=…>`, each file
// self-contained so the browser need not wait for the page's parse to let go of the main thread
// before it can ask for the next (issue 11: that wait was ~200 ms on a 1,000-post timeline).
// - dist/buy-in-post.js       — Lit + the element; registers <buy-in-post>. Imports nothing.
// - dist/buy-in-post-links.js — the links module; imports dist/buy-in-post.js once a post holds a
//                               product link (on a page that also has the element's tag, the
//                               same copy).
// - dist/checkout-*.js, negotiate-*.js, pure-*.js — its lazy chunks, beside it at the top of
//                               dist/, reached through import() on the reader's first sign of
//                               interest (and a version mismatch); they take the entry's
//                               bindings through entryHandoff() above.
// Runs after vite.config.ts's build (the npm entries), into the same dist/, emptying nothing.
export default defineConfig({
  plugins: [
    {
      // The links module loads the element by the entry's address, never bundled with it.
      name: 'buy-in-post:links-load-the-entry',
      enforce: 'pre',
      resolveId(source, importer) {
        if (source === '../buy-in-post.ts' && importer?.endsWith('/src/links/upgrade.ts'))
          return { id: `./${ENTRY}`, external: true };
        return null;
      },
    },
    compactCss(),
    chunkGraph('chunk-graph.tag.json'),
    entryHandoff(),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    emptyOutDir: false,
    lib: {
      entry: { 'buy-in-post': 'src/define.ts', 'buy-in-post-links': 'src/links/auto.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      // Lets the entry export more than src/define.ts does (what its lazy chunks use of it):
      // without it the bundler moves all that into a shared chunk — the facade again.
      preserveEntrySignatures: 'allow-extension',
      output: {
        minify: true,
        chunkFileNames: '[name]-[hash].js',
        // A script tag's files are not bundled again: the `@__PURE__` marks a bundler would read
        // are bytes a page pays for (57 of the core's gzip bytes).
        comments: { legal: false, annotation: false, jsdoc: false },
      },
    },
  },
});
