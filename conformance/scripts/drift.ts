// The drift check (`npm run check:drift`): generates TypeScript types from the protocol's
// OpenAPI document (conformance/openapi.json, kept equal to what the code serves by
// `npm run lint:openapi`) with openapi-typescript, then compiles drift/protocol.drift.ts, which
// asserts they are the very types the element imports from the zod schemas.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const kit = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(kit, '..');
const generated = join(kit, 'drift', 'generated');
const run = (what: string, command: string, args: string[]) => {
  const res = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) {
    console.error(`${what} failed:\n${res.stdout}${res.stderr}`);
    rmSync(generated, { recursive: true, force: true });
    process.exit(1);
  }
};
run('openapi-typescript', process.execPath, [
  join(kit, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
  join(kit, 'openapi.json'),
  '--output',
  join(generated, 'protocol-v1.ts'),
  '--silent',
]);
run('The drift check (types from the OpenAPI document vs. the zod schemas)', process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(kit, 'drift', 'tsconfig.json'),
  '--noEmit',
]);
// Generated for this check only: nothing else (the formatter, an editor) should take it for source.
rmSync(generated, { recursive: true, force: true });
console.log('drift check: the OpenAPI document and the zod-inferred protocol types agree');
