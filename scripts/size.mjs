// Prints each built chunk's gzip size and fails (exit 1) when the core — dist/buy-in-post.js and
// everything it imports statically, i.e. what a page loads before a reader shows interest — is
// over budget. Lazy chunks (reached only through import()) are listed but not counted.
//
// Also fails when the build lost its shape: the checkout must stay a lazy chunk, and Lit must be
// in exactly one chunk (shared by the entries, never duplicated).
//
// The links module (dist/links.js, dist/buy-in-post-links.js) has a budget of its own, on top of
// the core, and must not load the core at page load: a page without product links never does.
//
// Reads dist/.vite/chunk-graph.json, written by the chunk-graph plugin in vite.config.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 12 * 1024;
const ENTRY = 'buy-in-post.js';
const LINKS_BUDGET = 3 * 1024;
const LINKS_ENTRIES = ['links.js', 'buy-in-post-links.js'];
const dist = resolve(process.argv[2] ?? 'dist');

/** @type {Record<string, {imports: string[], dynamicImports: string[]}>} */
const graph = JSON.parse(readFileSync(join(dist, '.vite/chunk-graph.json'), 'utf8'));
const code = (file) => readFileSync(join(dist, file));
const gzip = (file) => gzipSync(code(file), { level: 9 }).length;
const kB = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;

/** A file and everything it imports statically: what loads with it. */
const staticClosure = (entry, into = new Set()) => {
  if (into.has(entry)) return into;
  into.add(entry);
  for (const dep of graph[entry]?.imports ?? []) staticClosure(dep, into);
  return into;
};
const core = staticClosure(ENTRY);
const lazy = new Set(
  [...core].flatMap((f) => graph[f]?.dynamicImports ?? []).filter((f) => !core.has(f)),
);

const problems = [];
let coreBytes = 0;
console.log(`\n${'chunk'.padEnd(28)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}  loaded`);
for (const file of Object.keys(graph).sort()) {
  const size = gzip(file);
  const when = core.has(file)
    ? 'at page load'
    : lazy.has(file)
      ? 'lazily (import())'
      : 'other entry';
  if (core.has(file)) coreBytes += size;
  console.log(
    `${file.padEnd(28)} ${kB(code(file).length).padStart(9)} ${kB(size).padStart(9)}  ${when}`,
  );
}

if (lazy.size === 0) problems.push('no lazy chunk: the checkout flow was bundled into the core');
const withLit = Object.keys(graph).filter((f) => code(f).includes('litHtmlVersions'));
if (withLit.length !== 1)
  problems.push(`Lit is in ${withLit.length} chunks (${withLit.join(', ')})`);

console.log(`\ncore (${ENTRY} + static imports): ${kB(coreBytes)} gzip, budget ${kB(BUDGET)}`);
if (coreBytes > BUDGET) problems.push(`the core is ${coreBytes - BUDGET} bytes over budget`);
for (const entry of LINKS_ENTRIES) {
  if (!graph[entry]) {
    problems.push(`${entry} was not built`);
    continue;
  }
  const own = [...staticClosure(entry)];
  const bytes = own.filter((f) => !core.has(f)).reduce((sum, f) => sum + gzip(f), 0);
  console.log(
    `${entry} (+ static imports, on top of the core): ${kB(bytes)} gzip, budget ${kB(LINKS_BUDGET)}`,
  );
  if (bytes > LINKS_BUDGET) problems.push(`${entry} is ${bytes - LINKS_BUDGET} bytes over budget`);
  if (own.some((f) => core.has(f)))
    problems.push(`${entry} loads the core at page load (it must wait for a product link)`);
}
for (const p of problems) console.error(`✖ ${p}`);
process.exit(problems.length ? 1 : 0);
