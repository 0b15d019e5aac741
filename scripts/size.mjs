// Prints each built chunk's gzip size, per build, and fails (exit 1) when the core is over budget
// or a build lost its shape. Two builds share dist/ (vite.config.ts, vite.tag.config.ts):
//
// - the script-tag build: the core is dist/buy-in-post.js and everything it imports statically,
//   i.e. what a page loads before a reader shows interest — the budget. It must import nothing
//   at all (a second file would be asked for only once the page's parse lets go of the main
//   thread);
// - the npm build: the core is dist/define.js and its static imports (what `import
//   'buy-in-post/define'` brings into an app), printed for reference, not held to the budget:
//   an app's bundler bundles it again, without the names two files need to link (~0.25 kB more
//   than the script tag's one file, for the same code).
//
// In each build the checkout must stay a lazy chunk (reached only through import(), listed but
// not counted) and Lit must be in exactly one chunk: the npm entries share it, never duplicate it.
//
// The links module (dist/links.js, dist/buy-in-post-links.js) has a budget of its own, on top of
// the core, and must not load the core at page load: a page without product links never does.
//
// Reads dist/.vite/chunk-graph.{npm,tag}.json, written by the chunk-graph plugin in vite.config.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 12 * 1024;
const LINKS_BUDGET = 3 * 1024;
const dist = resolve(process.argv[2] ?? 'dist');

const BUILDS = [
  {
    name: 'script tag',
    graph: 'chunk-graph.tag.json',
    core: 'buy-in-post.js',
    links: 'buy-in-post-links.js',
    selfContained: true,
    budget: BUDGET,
  },
  { name: 'npm', graph: 'chunk-graph.npm.json', core: 'define.js', links: 'links.js' },
];

const code = (file) => readFileSync(join(dist, file));
const gzip = (file) => gzipSync(code(file), { level: 9 }).length;
const kB = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;

const problems = [];
for (const build of BUILDS) {
  /** @type {Record<string, {imports: string[], dynamicImports: string[]}>} */
  const graph = JSON.parse(readFileSync(join(dist, '.vite', build.graph), 'utf8'));
  const chunks = Object.keys(graph).sort();
  /** A file and everything it imports statically: what loads with it. */
  const staticClosure = (entry, into = new Set()) => {
    if (into.has(entry) || !graph[entry]) return into;
    into.add(entry);
    for (const dep of graph[entry].imports) staticClosure(dep, into);
    return into;
  };
  const core = staticClosure(build.core);
  const lazy = new Set(
    [...core].flatMap((f) => graph[f]?.dynamicImports ?? []).filter((f) => !core.has(f)),
  );

  let coreBytes = 0;
  console.log(`\n${build.name} build`);
  console.log(`${'chunk'.padEnd(28)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}  loaded`);
  for (const file of chunks) {
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

  if (!graph[build.core]) problems.push(`${build.name}: ${build.core} was not built`);
  if (build.selfContained && graph[build.core]?.imports.length)
    problems.push(
      `${build.name}: ${build.core} imports ${graph[build.core].imports.join(', ')}: it must be self-contained`,
    );
  if (![...lazy].some((f) => f.includes('checkout-')))
    problems.push(
      `${build.name}: no lazy checkout chunk: the checkout flow was bundled into the core`,
    );
  const withLit = chunks.filter((f) => code(f).includes('litHtmlVersions'));
  if (withLit.length !== 1)
    problems.push(`${build.name}: Lit is in ${withLit.length} chunks (${withLit.join(', ')})`);

  console.log(
    `core (${build.core} + static imports): ${kB(coreBytes)} gzip, ${build.budget ? `budget ${kB(build.budget)}` : 'no budget (see above)'}`,
  );
  if (build.budget && coreBytes > build.budget)
    problems.push(`${build.name}: the core is ${coreBytes - build.budget} bytes over budget`);

  if (!graph[build.links]) {
    problems.push(`${build.name}: ${build.links} was not built`);
    continue;
  }
  const own = [...staticClosure(build.links)];
  const bytes = own.filter((f) => !core.has(f)).reduce((sum, f) => sum + gzip(f), 0);
  console.log(
    `${build.links} (+ static imports, on top of the core): ${kB(bytes)} gzip, budget ${kB(LINKS_BUDGET)}`,
  );
  if (bytes > LINKS_BUDGET)
    problems.push(`${build.name}: ${build.links} is ${bytes - LINKS_BUDGET} bytes over budget`);
  if (own.some((f) => core.has(f)))
    problems.push(
      `${build.name}: ${build.links} loads the core at page load (it must wait for a product link)`,
    );
}
for (const p of problems) console.error(`✖ ${p}`);
process.exit(problems.length ? 1 : 0);
