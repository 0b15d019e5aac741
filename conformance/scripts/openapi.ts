// The protocol's OpenAPI document, checked: `npm run lint:openapi`.
//
// 1. builds the document the reference endpoint serves from the code as it is now;
// 2. lints it with Redocly's recommended ruleset (redocly.yaml): 0 errors and 0 warnings;
// 3. compares it with the copy the conformance kit ships (conformance/openapi.json), which the
//    kit validates answers against and the drift check types come from.
//
// `--write` refreshes that copy after a deliberate change of the protocol.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { referenceDocument } from './reference-document.ts';

const kit = join(dirname(fileURLToPath(import.meta.url)), '..');
const shipped = join(kit, 'openapi.json');
const text = `${JSON.stringify(await referenceDocument(), null, 2)}\n`;

if (process.argv.includes('--write')) {
  writeFileSync(shipped, text);
  // Laid out as the repository's formatter lays out JSON, so `npm run lint` agrees with it.
  spawnSync(
    process.execPath,
    [
      join(kit, '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome'),
      'format',
      '--write',
      shipped,
    ],
    { stdio: 'inherit' },
  );
  console.log(`wrote ${shipped}`);
}

const dir = mkdtempSync(join(tmpdir(), 'bip-openapi-'));
const file = join(dir, 'openapi.json');
writeFileSync(file, text);
const lint = spawnSync(
  process.execPath,
  [
    join(kit, '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'),
    'lint',
    file,
    '--config',
    join(kit, 'redocly.yaml'),
    '--format=json',
  ],
  {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
rmSync(dir, { recursive: true, force: true });
let problems: {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer: string }[];
}[];
try {
  problems = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{'))).problems;
} catch {
  console.error(
    `redocly lint did not answer JSON (exit ${lint.status}):\n${lint.stdout}\n${lint.stderr}`,
  );
  process.exit(1);
}
let failed = false;
if (problems.length) {
  failed = true;
  console.error(
    `OpenAPI document: ${problems.length} problem(s) with Redocly's recommended ruleset:`,
  );
  for (const p of problems)
    console.error(
      `  ${p.severity} ${p.ruleId} at ${p.location[0]?.pointer.replace(/~1/g, '/')}: ${p.message}`,
    );
  console.error('  (what every route must declare: the comment atop server/src/http/openapi.ts)');
} else console.log("OpenAPI document: 0 errors, 0 warnings (Redocly's recommended ruleset)");

// A component that accepts null makes every use of it nullable (see NULLABLE_ELSEWHERE in
// server/src/routes/platform.ts): null belongs beside the reference, where a field may be null.
const components = (JSON.parse(text).components?.schemas ?? {}) as Record<
  string,
  { type?: unknown }
>;
for (const [name, schema] of Object.entries(components))
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    failed = true;
    console.error(
      `component ${name} accepts null, so every field using it does: add it to NULLABLE_ELSEWHERE in server/src/routes/platform.ts`,
    );
  }

if (!isDeepStrictEqual(JSON.parse(readFileSync(shipped, 'utf8')), JSON.parse(text))) {
  failed = true;
  console.error(
    'conformance/openapi.json differs from the document the code serves: the protocol changed.\n' +
      'If that is deliberate, run `npm run openapi:write` and commit the copy (and say so in CHANGELOG.md).',
  );
}
process.exit(failed ? 1 : 0);
