// Prints each built chunk's gzip size and fails (exit 1) when the core — everything
// dist/buy-in-post.js loads before the reader shows interest, i.e. its static imports — is over
// budget. Lazy chunks (dynamic import()) are listed but not counted.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 12 * 1024;
const dist = resolve('dist');
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

function staticImports(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  // `import … from "./x.js"` and `import "./x.js"`, not `import("./x.js")`
  for (const m of code.matchAll(/\bimport\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)) {
    if (m[1].startsWith('.')) staticImports(resolve(dirname(file), m[1]), seen);
  }
  return seen;
}

const all = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'types'
        ? []
        : all(join(dir, e.name))
      : e.name.endsWith('.js')
        ? [join(dir, e.name)]
        : [],
  );

const core = staticImports(join(dist, 'buy-in-post.js'));
let coreBytes = 0;
console.log('\nchunk                                   gzip     loaded');
for (const file of all(dist).sort()) {
  const size = gz(file);
  const isCore = core.has(file);
  if (isCore) coreBytes += size;
  console.log(
    `${relative(dist, file).padEnd(38)} ${(size / 1024).toFixed(2).padStart(6)} kB  ${isCore ? 'at page load' : 'lazily'}`,
  );
}
console.log(
  `\ncore (buy-in-post.js + static imports): ${(coreBytes / 1024).toFixed(2)} kB gzip, budget ${BUDGET / 1024} kB`,
);
if (coreBytes > BUDGET) {
  console.error(`✖ the core chunk is ${coreBytes - BUDGET} bytes over budget`);
  process.exit(1);
}
