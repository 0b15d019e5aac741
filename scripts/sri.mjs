// Subresource Integrity for script-tag users (PCI DSS 4.0 requirement 6.4.3: every script on a
// payment page authorised and its integrity assured). Hashes every JavaScript file at the top of
// dist/ — the entries and the chunks they load — writes dist/sri.json (file → "sha384-…") and
// prints a table. A page pins the entry with `<script integrity>`; the chunks it loads itself
// (`import` and the lazy `import()` of the checkout) cannot carry that attribute, so a page
// pins them in an import map's "integrity" section (docs/embedding.md, "Subresource Integrity").
// Run by `npm run build`; `node scripts/sri.mjs [dir]` hashes another build.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
