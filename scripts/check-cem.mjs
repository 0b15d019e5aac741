// Fails when the committed custom-elements.json is stale. Regenerates the manifest from the
// JSDoc in memory (same config as `npm run analyze`, nothing in the tree is written) and compares
// it with the file; when they differ, the fresh one is left in a temp file to diff against.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from '@custom-elements-manifest/analyzer/cli.js';

const root = resolve(import.meta.dirname, '..');
const manifest = await cli({ argv: ['analyze', '--quiet'], cwd: root, noWrite: true });
const fresh = `${JSON.stringify(manifest, null, 2)}\n`;
const committed = readFileSync(join(root, 'custom-elements.json'), 'utf8');

if (fresh === committed) {
  console.log('custom-elements.json is current');
} else {
  const out = join(tmpdir(), `custom-elements.${process.pid}.json`);
  writeFileSync(out, fresh);
  console.error('✖ custom-elements.json is stale: run `npm run analyze` and commit it');
  console.error(`  fresh manifest: ${out}  (diff -u custom-elements.json ${out})`);
  process.exit(1);
}
