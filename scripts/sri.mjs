// Subresource Integrity for script-tag users (PCI DSS 4.0 requirement 6.4.3: every script on a
// payment page authorised and its integrity assured). Hashes every JavaScript file at the top of
// dist/ — the entries and the script tag's chunks (the npm build's own chunks, in dist/chunks/,
// are bundled again by an app's bundler and are not listed) — writes dist/sri.json (file →
// "sha384-…") and prints a table, then what each script-tag entry loads by import() (from
// dist/.vite/chunk-graph.tag.json). A page pins the entry with `<script integrity>`; the files it
// loads itself (the lazy `import()` of the checkout) cannot carry that attribute, so a page pins
// them in an import map's "integrity" section (docs/embedding.md, "Subresource Integrity").
// Run by `npm run build`; `node scripts/sri.mjs [dir]` hashes another build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');

/** The integrity value of one file: SHA-384, the strength SRI examples and CDNs use. */
function integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

const files = readdirSync(dist)
  .filter((f) => f.endsWith('.js'))
  .sort();
/** @type {Record<string, string>} */
const hashes = {};
for (const file of files) hashes[file] = integrity(readFileSync(join(dist, file)));
writeFileSync(join(dist, 'sri.json'), `${JSON.stringify(hashes, null, 2)}\n`);

const width = Math.max(...files.map((f) => f.length));
console.log(`\n${'file'.padEnd(width)}  integrity (dist/sri.json)`);
for (const [file, hash] of Object.entries(hashes)) console.log(`${file.padEnd(width)}  ${hash}`);

// What a page with the script tag loads after the entry: the files to pin in its import map.
const graphFile = join(dist, '.vite/chunk-graph.tag.json');
if (existsSync(graphFile)) {
  /** @type {Record<string, {imports: string[], dynamicImports: string[]}>} */
  const graph = JSON.parse(readFileSync(graphFile, 'utf8'));
  const reached = (file, into = new Set()) => {
    for (const next of [...(graph[file]?.imports ?? []), ...(graph[file]?.dynamicImports ?? [])]) {
      const name = next.replace(/^\.\//, '');
      if (into.has(name)) continue;
      into.add(name);
      reached(name, into);
    }
    return into;
  };
  console.log('\nfor the import map (docs/embedding.md, "Subresource Integrity"):');
  for (const entry of ['buy-in-post.js', 'buy-in-post-links.js'].filter((f) => graph[f]))
    console.log(
      `${entry} loads by import(): ${[...reached(entry)]
        .filter((f) => f !== entry)
        .sort()
        .join(', ')}`,
    );
}
