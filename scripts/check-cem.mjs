// Fails when the committed custom-elements.json is stale: regenerates it from the JSDoc and
// asks git whether anything changed.
import { execFileSync } from 'node:child_process';

execFileSync(
  process.execPath,
  ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze'],
  { stdio: 'ignore' },
);
try {
  execFileSync('git', ['diff', '--exit-code', '--quiet', '--', 'custom-elements.json']);
  console.log('custom-elements.json is current');
} catch {
  console.error('✖ custom-elements.json was stale: it has been regenerated; review and commit it');
  process.exit(1);
}
