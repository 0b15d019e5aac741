// Consumer tests: the package as a site installs it. `npm pack`s the built package, checks what
// the tarball holds (and what it must not: tests, server code, server source maps), installs it
// into one fresh temporary project (test/consumers/project/, copied) from the npm cache, and
// builds that project the ways users do:
//   - strict TypeScript, moduleResolution `bundler` and `node16`, using `buy-in-post` and
//     `buy-in-post/define` with typed events (src/element.ts);
//   - Vite + React with `buy-in-post/react` (src/main.tsx), type-checked and built;
//   - that app in Chromium: the props reach the element as properties, onPurchase hears it;
//   - React server rendering of `buy-in-post/react` in plain Node (ssr.mjs);
//   - dist/sri.json against the bytes installed.
// One install serves every check (it is most of the time). Needs `npm run build` first; starts
// one browser, so run it under the shared lock like the other browser suites.
// Prints `consumers: N passed, N failed` last; exit 1 on any failure. KEEP=1 keeps the project.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/browser.mjs';

const run = promisify(execFile);

/** A plain static server for a built app on a free loopback port. */
async function serveDir(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = resolve(dir, `.${path === '/' ? '/index.html' : path}`);
    try {
      if (!file.startsWith(dir)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}
const root = resolve(import.meta.dirname, '../..');
const started = Date.now();

for (const file of [
  'dist/react.js',
  'dist/node/react.js',
  'dist/sri.json',
  'dist/types/src/react/index.d.ts',
]) {
  if (!existsSync(join(root, file))) {
    console.error(`✖ ${file} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

/** Runs a command; on failure the error carries what it printed. */
async function sh(cmd, args, cwd) {
  try {
    return await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`.trim(),
    );
  }
}

/** The version installed at the root, so the project installs what the npm cache already has. */
const version = (name) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

const check = (ok, message) => {
  if (!ok) throw new Error(message);
};

const dir = mkdtempSync(join(tmpdir(), 'bip-consumers-'));
const project = join(dir, 'project');
let tarball;
let packed;

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name}`);
  } catch (err) {
    failed++;
    console.log(
      `  ✖ ${name}\n      ${String(err?.message ?? err)
        .split('\n')
        .join('\n      ')}`,
    );
  }
}

try {
  await test('npm pack: the tarball holds the builds, types and manifest, and no tests or server code', async () => {
    const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', dir], root);
    const [info] = JSON.parse(stdout);
    tarball = join(dir, info.filename);
    packed = info.files.map((f) => f.path);
    for (const need of [
      'package.json',
      'custom-elements.json',
      'dist/buy-in-post.js',
      'dist/buy-in-post-links.js',
      'dist/define.js',
      'dist/index.js',
      'dist/react.js',
      'dist/node/react.js',
      'dist/sri.json',
      'dist/types/src/index.d.ts',
      'dist/types/src/define.d.ts',
      'dist/types/src/react/index.d.ts',
    ])
      check(packed.includes(need), `${need} is not in the tarball`);
    const bad = packed.filter(
      (p) =>
        /(^|\/)(test|tests|__tests__)\//.test(p) ||
        /\.(test|spec)\.[cm]?[jt]sx?$/.test(p) ||
        p.startsWith('server/') ||
        p.startsWith('dist/.vite/') ||
        p.startsWith('dist-dashboard/') ||
        p.startsWith('demo/') ||
        p.startsWith('conformance/') ||
        p.startsWith('dashboard/'),
    );
    check(bad.length === 0, `the tarball holds what no site needs:\n${bad.join('\n')}`);
  });

  // The server modules the element bundles: the protocol's zod-free rules (Luhn, return
  // parameters — their names in a module of their own, for the core), written once for both
  // sides. Their code is the element's, so its maps may show them.
  // (A map's sources are relative to the map: read from the package's root.)
  const SHARED = new Set(['server/src/protocol/rules.ts', 'server/src/protocol/return-params.ts']);
  await test('npm pack: no source map in the tarball maps server code', async () => {
    check(tarball, 'no tarball');
    await sh('tar', ['xzf', tarball, '-C', dir], dir);
    const maps = packed.filter((p) => p.endsWith('.map'));
    check(maps.length > 0, 'no source maps at all (the check would prove nothing)');
    for (const map of maps) {
      const { sources = [] } = JSON.parse(readFileSync(join(dir, 'package', map), 'utf8'));
      const server = sources
        .map((s) => posix.normalize(posix.join(posix.dirname(map), s)))
        .filter((s) => /(^|\/)server\//.test(s) && !SHARED.has(s));
      check(server.length === 0, `${map} maps server sources: ${server.join(', ')}`);
    }
  });

  await test("npm pack: buy-in-post/react keeps 'use client' (React Server Components)", async () => {
    for (const file of ['dist/react.js', 'dist/node/react.js']) {
      const code = readFileSync(join(dir, 'package', file), 'utf8');
      check(/^["']use client["'];/.test(code), `${file} does not open with 'use client'`);
    }
  });

  await test('a fresh project installs the tarball from the npm cache', async () => {
    check(tarball, 'no tarball');
    cpSync(join(import.meta.dirname, 'project'), project, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    manifest.dependencies = {
      'buy-in-post': `file:${tarball}`,
      react: version('react'),
      'react-dom': version('react-dom'),
    };
    manifest.devDependencies = Object.fromEntries(
      ['@types/react', '@types/react-dom', 'typescript', 'vite'].map((n) => [n, version(n)]),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await sh(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      project,
    );
    // @lit/react is bundled: a site without React gets neither it nor its @types/react peer
    check(
      !existsSync(join(project, 'node_modules/@lit/react')),
      'the package pulled @lit/react into the project',
    );
  });

  const tsc = (config) =>
    sh('node', [join(project, 'node_modules/typescript/bin/tsc'), '-p', config], project);

  await test('strict TypeScript, moduleResolution bundler: buy-in-post and buy-in-post/define, typed events', () =>
    tsc('tsconfig.bundler.json'));

  await test('strict TypeScript, moduleResolution node16: the same file', () =>
    tsc('tsconfig.node16.json'));

  await test('Vite + React: buy-in-post/react type-checks (typed props and event props)', () =>
    tsc('tsconfig.react.json'));

  await test('Vite + React: vite build bundles the element and the React component, Lit once', async () => {
    await sh(
      'node',
      [join(project, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      project,
    );
    const assets = join(project, 'dist/assets');
    const js = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    check(js.includes('buy-in-post-purchase'), 'the build lacks the element (its purchase event)');
    check(js.includes('customElements'), 'the build does not register the element');
    const lits = js.split('litHtmlVersions').length - 1;
    check(
      lits === 1,
      `Lit is in the bundle ${lits} times (buy-in-post/react + buy-in-post/define)`,
    );
  });

  await test('Vite + React in Chromium: props reach the element as properties, onPurchase its event', async () => {
    const site = await serveDir(join(project, 'dist'));
    const { chromium } = await import('playwright');
    const browser = await chromium.launch({
      executablePath: await chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      // nothing leaves the machine (the app's endpoint is a made-up address)
      await page.route(
        (url) => url.hostname !== '127.0.0.1',
        (route) => route.abort('blockedbyclient'),
      );
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const logged = [];
      page.on('console', (m) => logged.push(m.text()));
      await page.goto(site.origin);
      await page.waitForFunction(
        () => customElements.get('buy-in-post') && document.querySelector('buy-in-post.buy'),
      );
      const element = await page.evaluate(() => {
        const el = document.querySelector('buy-in-post.buy');
        return {
          upgraded: el instanceof customElements.get('buy-in-post'),
          product: el.product,
          endpoint: el.endpoint,
          getBuyerToken: typeof el.getBuyerToken,
        };
      });
      check(element.upgraded, 'the element was not upgraded');
      check(
        element.product === 'tee' && element.endpoint === 'https://shop.example/api',
        `properties: ${JSON.stringify(element)}`,
      );
      check(element.getBuyerToken === 'function', 'getBuyerToken did not arrive as a function');
      // what the element fires when an order is paid, with the fields a handler reads
      const heard = page.waitForEvent('console', (m) => m.text().startsWith('purchased'));
      await page.evaluate(() =>
        document.querySelector('buy-in-post.buy').dispatchEvent(
          Object.assign(new Event('buy-in-post-purchase', { bubbles: true, composed: true }), {
            orderNumber: 'BIP-1001',
            total: { amount: 2500, currency: 'USD' },
          }),
        ),
      );
      const line = (await heard).text();
      check(line === 'purchased BIP-1001 2500 tee', `onPurchase logged ${JSON.stringify(line)}`);
      check(errors.length === 0, `errors in the page: ${errors.join(' | ')}`);
    } finally {
      await browser.close();
      await site.close();
    }
  });

  await test('React server rendering in Node (no DOM): import does not crash, renders the tag', async () => {
    const { stdout } = await sh('node', ['ssr.mjs'], project);
    check(stdout === '<buy-in-post id="buy"></buy-in-post>', `rendered ${JSON.stringify(stdout)}`);
  });

  await test('dist/sri.json holds the sha384 of each installed dist file', async () => {
    const dist = join(project, 'node_modules/buy-in-post/dist');
    const sri = JSON.parse(readFileSync(join(dist, 'sri.json'), 'utf8'));
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    check(
      files.length > 0 && Object.keys(sri).sort().join() === files.sort().join(),
      `sri.json lists ${Object.keys(sri)} for ${files}`,
    );
    for (const file of files) {
      const hash = `sha384-${createHash('sha384')
        .update(readFileSync(join(dist, file)))
        .digest('base64')}`;
      check(sri[file] === hash, `${file}: sri.json says ${sri[file]}, the file is ${hash}`);
    }
  });
} finally {
  if (process.env.KEEP) console.log(`\nproject kept in ${project}`);
  else rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nconsumers: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed ? 1 : 0);
