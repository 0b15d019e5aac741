// Benchmark — figures, not a test: nothing here passes or fails on speed (issue 11).
//
// A timeline of N posts (1,000, then 10,000), each with a <buy-in-post> beside it, in one plain
// page that loads only the built dist/buy-in-post.js (one script tag), in Debian's headless
// Chromium, against the real endpoint on loopback (SQLite, 200 products made through the seller
// API, so the posts sell 200 different things and the loader's batching and sharing are both
// exercised). Posts are sized by their content, as on a real timeline, so a placeholder that is
// not the button's size moves every post below it (layout shift).
//
// Each run loads, in the same browser back to back, the FLOOR — the same page without the element
// (no script: the posts and their fallback links) — and then the page with it, each from a blank
// page (leaving a page of a thousand posts costs its successor ~30 ms). Times are the
// page's own clock (from navigation start), for the first animation frame where the condition
// holds:
//   - floor: the page is parsed (a deferred module script could run no earlier) — its first
//     screen; its first contentful paint is printed too;
//   - element: every <buy-in-post> in the first screen (the viewport) shows its price.
// Each is read twice: when that frame is drawn (its style, layout and paint done: a task posted
// from its animation frame callback runs then) — the figure the goal compares — and at the
// start of that frame, in the callback itself. The start alone is not a fair comparison: the
// floor's first frame after its parse lays out the whole page after that callback, while the
// element's condition needs that layout done before it can hold (the price is read from it).
// Also printed, per window size (390×844 and 1,280×800):
//   - the first screen priced after the element's page's own first screen, in the same load:
//     what the element adds, free of the scatter between two loads' first layouts;
//   - longest main-thread task while loading (traced loads, five per window size: Chromium's own
//     task events, from navigation until 1 s after the first screen is priced): the page's, the
//     longest running the element's code, and that task less the page's own parse, style and
//     layout in it (the module runs in the task that ends the parse, where the page's first
//     layout may follow — the floor's load has that too); long tasks (> 50 ms) seen by the Long
//     Tasks API in the timed runs, and where the main thread's time went (the trace);
//   - JS heap (V8's used heap after a full GC) at load and after scrolling the whole timeline;
//   - layout shift (sum of every `layout-shift` entry, not only the worst window) at load and
//     while scrolling;
//   - product requests at load, the most made for one screen while scrolling a screen at a time,
//     and in all; buttons priced at the end; whether the checkout chunk came before interest;
//   - Buy → first step interactive (a real press — the browser's own mouse input, the pointer
//     arriving and pressing at once — to the first frame where the dialog is open, its step
//     drawn, nothing busy and the focus in it): cold (the chunk is fetched from loopback on
//     that press — the pointer's arrival is the first sign of interest) and with the chunk
//     already loaded (a second element, after the first dialog closed).
//
//   npm run bench:page            (builds first)
//   BENCH_RUNS=9 BENCH_POSTS=1000 BENCH_LARGE=10000 node --import tsx bench/page.bench.ts
//   Five runs by default: a median of three two-load differences still moved by ±50 ms here.
//   BENCH_LARGE=0 skips the 10,000-post page; BENCH_TRACE=0 skips the traced loads,
//   BENCH_TRACE_RUNS=n traces n loads of the 1,000-post page (one of the 10,000).
//   BENCH_CPU_SLOWDOWN=4 BENCH_LATENCY_MS=100: closer to a phone on a mobile network (Chromium's
//   CPU throttling, and that much latency added to every request of each window).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Browser, BrowserContext, CDPSession, Locator, Page, Request } from 'playwright';
import {
  keepOffline,
  launchChromium,
  requireBuild,
  serveStatic,
  startEndpoint,
} from '../test/e2e/harness.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const LARGE = Number(process.env.BENCH_LARGE ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRACE = process.env.BENCH_TRACE !== '0';
/** Traced loads of the 1,000-post page per window size: one task's length scatters by tens of ms. */
const TRACE_RUNS = Number(process.env.BENCH_TRACE_RUNS ?? 5);
const CPU_SLOWDOWN = Number(process.env.BENCH_CPU_SLOWDOWN ?? 1);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
const PRODUCTS = 200;
/** Screens of the large page scrolled to (spread over it), not all of them. */
const LARGE_SCREENS = 40;
/** How long after the first screen is priced "loading" lasts (deferred work included). */
const SETTLE_MS = 1000;
/** How long a blank page is left to settle before a measured load. */
const BLANK_MS = 300;
const VIEWPORTS = [
  { name: '390×844', width: 390, height: 844 },
  { name: '1,280×800', width: 1280, height: 800 },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

requireBuild();

const post = (i: number) => {
  const p = i % PRODUCTS;
  return `<article><header><b>Seller ${p}</b> <span>@seller${p} · artist</span></header>
<p>Post ${i + 1}. Prints from the new series are here, signed and numbered, in two sizes.</p>
<buy-in-post product="bench-${p}" post="post-${i}"><a href="https://example.com/p/${p}">See it in the shop</a></buy-in-post></article>`;
};

/** The timeline, with the element's script or (the floor) without it. */
const timeline = (endpoint: string, posts: number, withElement: boolean) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="buy-in-post-endpoint" content="${endpoint}" />
    <title>Timeline</title>
    <style>
      body { margin: 0; font-family: system-ui, sans-serif; background: #f3f4f6; }
      main { max-inline-size: 36rem; margin-inline: auto; padding: 1rem; }
      article { margin-block-end: 0.75rem; padding: 1rem; border: 1px solid #e5e7eb;
        border-radius: 14px; background: #fff; }
      article p { margin-block: 0.5rem 0.75rem; line-height: 1.5; }
      /* docs/embedding.md: the element's box, kept before its script runs */
      buy-in-post:where(:not(:defined), :state(loading)) { display: inline-flex;
        vertical-align: middle; min-inline-size: 7.5rem;
        min-block-size: max(2.5rem, calc(1rem + 1.2em)); }
    </style>
    ${withElement ? '<script type="module" src="/dist/buy-in-post.js"></script>' : ''}
  </head>
  <body><main>
${Array.from({ length: posts }, (_, i) => post(i)).join('\n')}
  </main></body>
</html>`;

// What every page of the benchmark gets before its own scripts: observers for layout shifts and
// long tasks (buffered, so nothing before them is missed), and the probes the runs read. A
// string, not a function: the page must get it as written (no transpiler helpers).
const PROBES = String.raw`(() => {
  performance.setResourceTimingBufferSize(1e6);
  const b = (window.__bench = { shifts: [], longTasks: [], fcp: 0 });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (!e.hadRecentInput) b.shifts.push({ at: e.startTime, value: e.value });
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') b.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });

  const els = document.getElementsByTagName('buy-in-post');
  const priced = (el) => /\d/.test(el.shadowRoot?.querySelector('button[part="button"]')?.textContent ?? '');
  /** Every element in the viewport shows its price (document order is top to bottom). */
  b.screenPriced = () => {
    const n = els.length;
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (els[mid].getBoundingClientRect().bottom <= 0) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    for (let i = lo; i < n; i++) {
      if (els[i].getBoundingClientRect().top >= innerHeight) break;
      seen++;
      if (!priced(els[i])) return false;
    }
    return seen > 0;
  };
  b.pricedCount = () => [...els].filter(priced).length;
  /**
   * Resolves with the time of the first animation frame where test() holds — with \`drawn\`, as
   * { seen: that time, drawn: when that frame's style, layout and paint are done }.
   */
  b.frameWhen = (test, what = 'the condition', drawn = false) => new Promise((resolve, reject) => {
    const start = performance.now();
    const tick = () => {
      if (test()) {
        const seen = performance.now();
        if (!drawn) return resolve(seen);
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve({ seen, drawn: performance.now() });
        channel.port2.postMessage(0);
      }
      else if (performance.now() - start > 60000) reject(new Error(what + ': not within 60 s'));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  /** What the first element in the viewport without a price shows (for a stalled run). */
  b.unpriced = () => {
    const el = [...els].find((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight && !priced(e);
    });
    return el ? el.outerHTML.slice(0, 120) + ' → ' + (el.shadowRoot?.innerHTML ?? '').slice(0, 200) : 'none';
  };
  const withElement = () => !!document.querySelector('script[src*="buy-in-post"]');
  /** The page's own first screen, as the floor's is read: parsed, and a frame drawn. */
  b.pageFrame = b.frameWhen(() => document.readyState !== 'loading', 'the page', true);
  b.firstScreen = b.frameWhen(
    () => document.readyState !== 'loading' && (!withElement() || b.screenPriced()),
    'the first screen',
    true,
  );
  const productRequests = () =>
    performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/v1/products').length;
  /**
   * Scrolls the whole page a screen at a time (or through that many screens spread
   * over it); product requests made for each screen.
   */
  b.scrollAll = async (screens = 0) => {
    const perScreen = [];
    let before = productRequests();
    const height = document.documentElement.scrollHeight;
    const step = screens ? Math.max(innerHeight, Math.floor(height / screens)) : innerHeight;
    for (let y = innerHeight; y < height; y += step) {
      scrollTo(0, y);
      await b.frameWhen(b.screenPriced, 'the screen at ' + y + ' px priced');
      const now = productRequests();
      perScreen.push(now - before);
      before = now;
    }
    scrollTo(0, 0);
    return perScreen;
  };
  /** Arms the Buy timer: the next click on an element, to its first step interactive. */
  b.armBuy = () => {
    b.buy = new Promise((resolve) => {
      document.addEventListener('click', (e) => {
        const el = e.composedPath().find((n) => n.localName === 'buy-in-post');
        const t0 = e.timeStamp;
        b.frameWhen(() => {
          const root = el.shadowRoot;
          const dialog = root.querySelector('dialog[open]');
          return !!dialog && !!dialog.querySelector('[part="body"][data-step]') &&
            !root.querySelector('[aria-busy="true"]') && dialog.contains(root.activeElement);
        }).then((t1) => resolve(t1 - t0));
      }, { capture: true, once: true });
    });
  };
})()`;

const pages: Record<string, string> = {};
const site = await serveStatic(
  new Proxy({} as Record<string, string>, {
    get: (_, path: string) => pages[path],
    has: (_, path: string) => path in pages,
  }),
);
const endpoint = await startEndpoint({ corsOrigin: site.origin });
for (const n of [POSTS, LARGE, 0]) {
  if (n === 0 && pages['/timeline-0.html']) continue;
  pages[`/timeline-${n}.html`] = timeline(endpoint.url, n, true);
  pages[`/floor-${n}.html`] = timeline(endpoint.url, n, false);
}

// 200 products through the seller API, as a seller would make them.
const key = Object.values(endpoint.sellerKeys)[0]!;
for (let i = 0; i < PRODUCTS; i++) {
  const res = await fetch(`${endpoint.url}/v1/seller/products`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: `bench-${i}`,
      title: `Print no. ${i}`,
      kind: 'physical',
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { options: { Size: 'S' }, price: 1000 + i, stock: 5 },
        { options: { Size: 'M' }, price: 1000 + i, stock: 5 },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`product ${i}: ${res.status} ${await res.text()}`);
}

// No back/forward cache: a page left behind must not stay in memory (the heap is the renderer's).
const browser: Browser = await launchChromium(['--disable-back-forward-cache']);

/**
 * A fresh window (its own renderer, so the heap read is this run's alone), left alone for two
 * seconds first: each new window makes Chromium load its omnibox pop-up (a web UI, ~300 ms of
 * CPU in another renderer), which on a 2-core machine would otherwise land in the middle of the
 * page being measured. Each load empties the HTTP cache first, so every run starts cold.
 */
interface Tab {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
}

async function openTab(vp: Viewport): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
  await keepOffline(context);
  await context.addInitScript(PROBES);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (CPU_SLOWDOWN > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  if (LATENCY_MS > 0) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: LATENCY_MS,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  await page.goto('about:blank');
  await page.waitForTimeout(2000); // the window's own start-up work, out of the way
  return { context, page, cdp };
}

/** The first screen's frame: when it began (its animation frame callback) and when it was drawn. */
interface Frame {
  seen: number;
  drawn: number;
}

/**
 * Loads `path` from a blank page, as each window's first load is: leaving a page of a thousand
 * posts is work of its own (its last style and pre-paint, ~30 ms), and it came after the next
 * page's navigation start — the element's page, loaded after the floor's, paid for it and the
 * floor never did.
 */
async function load(tab: Tab, path: string): Promise<Frame> {
  await blank(tab);
  return open(tab, path);
}

async function blank(tab: Tab) {
  await tab.page.goto('about:blank');
  await tab.page.waitForTimeout(BLANK_MS);
}

async function open(tab: Tab, path: string): Promise<Frame> {
  await tab.cdp.send('Network.clearBrowserCache');
  await tab.page.goto(`${site.origin}${path}`, { waitUntil: 'commit' });
  return evaluate<Frame>(tab.page, '__bench.firstScreen');
}

/** V8's used heap after a full collection, in bytes. */
async function heap({ cdp }: Tab): Promise<number> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

/** Where the benchmark is (stderr: the figures on stdout stay a clean table). */
const progress = (line: string) => process.stderr.write(`  · ${line}\n`);
/**
 * A reader's press on `target`: the pointer arrives at its middle and presses at once (down, up),
 * through the browser's own input, as a mouse would. Not `locator.click()`: to check that the
 * press lands on the target, Playwright adds listeners of its own to the page for that press's
 * pointerdown, mousedown, pointerup, mouseup and click, each reading the page's hit test
 * (elementsFromPoint, 1–3 ms each on a thousand posts) — main-thread work inside the time measured
 * that no reader's press has (9–26 ms from the press to the element's click listener, against
 * 1–3 ms without).
 */
async function press(page: Page, target: Locator) {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error('the Buy button has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.up();
}

const evaluate = <T>(page: Page, expression: string) => page.evaluate<T>(expression);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface Shifts {
  shifts: { at: number; value: number }[];
  longTasks: { at: number; ms: number }[];
}
const between = (b: Shifts, from: number, to: number) => ({
  cls: sum(b.shifts.filter((s) => s.at >= from && s.at < to).map((s) => s.value)),
  longTasks: b.longTasks.filter((t) => t.at >= from && t.at < to).map((t) => t.ms),
});

interface Floor {
  firstScreen: Frame;
  fcp: number;
  cls: number;
  heap: number;
}

async function floorRun(tab: Tab, posts: number): Promise<Floor> {
  const firstScreen = await load(tab, `/floor-${posts}.html`);
  await tab.page.waitForTimeout(SETTLE_MS);
  const b = await evaluate<Shifts & { fcp: number }>(tab.page, '__bench');
  return { firstScreen, fcp: b.fcp, cls: between(b, 0, Infinity).cls, heap: await heap(tab) };
}

/** The heap of the element's page with no posts: Lit and the element, loaded and defined. */
async function emptyHeap(tab: Tab): Promise<number> {
  await tab.cdp.send('Network.clearBrowserCache');
  await tab.page.goto(`${site.origin}/timeline-0.html`);
  await tab.page.waitForFunction(`!!customElements.get('buy-in-post')`);
  return heap(tab);
}

interface ElementRun {
  firstScreen: Frame;
  /** The element's page's own first screen (parsed, a frame drawn), in the same load. */
  pageFrame: Frame;
  loadCls: number;
  loadLongTasks: number[];
  loadHeap: number;
  loadRequests: number;
  checkoutChunkAtLoad: boolean;
  perScreen: number[];
  requests: number;
  pricedAtEnd: number;
  scrollCls: number;
  scrollLongTasks: number[];
  scrollHeap: number;
  buyCold: number;
  buyCached: number;
}

async function elementRun(tab: Tab, posts: number): Promise<ElementRun> {
  const { page } = tab;
  const productRequests: string[] = [];
  const chunks: string[] = [];
  const onRequest = (r: Request) => {
    const u = new URL(r.url());
    if (u.pathname === '/v1/products') productRequests.push(u.search);
    if (u.pathname.startsWith('/dist/checkout-')) chunks.push(u.pathname);
  };
  page.on('request', onRequest);
  try {
    const firstScreen = await load(tab, `/timeline-${posts}.html`);
    const pageFrame = await evaluate<Frame>(page, '__bench.pageFrame');
    await page.waitForTimeout(SETTLE_MS);
    const loadEnd = await evaluate<number>(page, 'performance.now()');
    const loadRequests = productRequests.length;
    const checkoutChunkAtLoad = chunks.length > 0;
    const loadHeap = await heap(tab);

    const scrollStart = await evaluate<number>(page, 'performance.now()');
    progress(
      `${posts} posts: first screen priced at ${Math.round(firstScreen.drawn)} ms; scrolling`,
    );
    // 10,000 posts are ~1,800 screens, each a frame over 10,000 observed elements (tens of
    // minutes): that page is scrolled through 40 screens spread over it.
    const screens = posts > POSTS ? LARGE_SCREENS : 0;
    const perScreen = await evaluate<number[]>(page, `__bench.scrollAll(${screens})`).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; unpriced: ${await evaluate(page, '__bench.unpriced()')}`);
      },
    );
    const scrollEnd = await evaluate<number>(page, 'performance.now()');
    const pricedAtEnd = await evaluate<number>(page, '__bench.pricedCount()');
    const scrollHeap = await heap(tab);
    const b = await evaluate<Shifts>(page, '__bench');
    const atLoad = between(b, 0, loadEnd);
    const scroll = between(b, scrollStart, scrollEnd);

    // Buy, cold: nothing has shown interest yet, so the checkout chunk comes with this press.
    const buttons = page.locator('buy-in-post button[part="button"]');
    await evaluate(page, '__bench.armBuy()');
    await press(page, buttons.nth(0));
    const buyCold = await evaluate<number>(page, '__bench.buy');
    await page.keyboard.press('Escape');
    await page.waitForFunction(`!document.querySelector('buy-in-post[open]')`);
    // Buy again on another post: the chunk is loaded; the element makes its own checkout view.
    await evaluate(page, '__bench.armBuy()');
    await press(page, buttons.nth(1));
    const buyCached = await evaluate<number>(page, '__bench.buy');

    return {
      firstScreen,
      pageFrame,
      loadCls: atLoad.cls,
      loadLongTasks: atLoad.longTasks,
      loadHeap,
      loadRequests,
      checkoutChunkAtLoad,
      perScreen,
      requests: productRequests.length,
      pricedAtEnd,
      scrollCls: scroll.cls,
      scrollLongTasks: scroll.longTasks,
      scrollHeap,
      buyCold,
      buyCached,
    };
  } finally {
    page.off('request', onRequest);
  }
}

// ---- the traced load: the longest task, and where the main thread's time went ----------------

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's own CPU time within `dur`: what the task cost, whatever else ran. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; processId?: number } };
}

/** Trace event names (Chromium's, by their self time) to a few words a reader knows. */
const BUCKETS: [string, RegExp][] = [
  ['garbage collection', /GC|Scavenge|Sweep|Marking|BlinkGC|ThreadState/],
  ['HTML parsing', /ParseHTML|HTMLDocumentParser|Tokeniz|DocumentLoader|FinishedParsing/],
  [
    'script (compile, run, callbacks, custom elements)',
    /^(EvaluateScript|v8|V8\.|FunctionCall|TimerFire|FireAnimationFrame|FireIdleCallback|EventDispatch|RunMicrotasks|HTMLConstructor|CustomElement|PageAnimator::serviceScriptedAnimations|HandlePostMessage|XHR)/,
  ],
  [
    'style',
    /recalcStyle|updateStyle|UpdateLayoutTree|RecalculateStyles|StyleEngine|Style\.|rebuildLayoutTree|ParseAuthorStyleSheet|updateActiveStyle/,
  ],
  ['layout (text shaping, intersection checks)', /Layout|ShapeText|Intersection/],
  [
    'animations, paint, compositing',
    /Paint|Layeriz|Compositing|Commit|Composite|Raster|Animat|Lifecycle|UpdateLayer/,
  ],
  ['network (loading resources)', /URLLoader|Resource|Loader|[Mm]ojo|Navigation|Fetch|BodyData/],
];

interface TraceFigures {
  /** Wall time, and the same task's CPU time on the main thread (the machine is shared). */
  longestTask: [number, number];
  /** The longest task in which the element's code ran (its script, reactions, microtasks). */
  longestScriptTask: [number, number];
  /** What that task spent its time on (self time, the busiest few). */
  longestScriptTaskTop: [string, number][];
  /**
   * The longest of those tasks less the page's own work in it: the parse, style, layout and
   * paint the browser ran at the task's top level, not called for by a script. (The parse ends
   * in the task that runs the module, and a page's first layout may follow there: the floor's
   * load has it too.) What the element adds to a task: the goal's figure.
   */
  longestOwnWork: number;
  tasksOver50: number;
  buckets: [string, number][];
  top: [string, number][];
  /** Time in tasks on the main thread while loading: [wall ms, CPU ms]. */
  total: [number, number];
}

async function tracedLoad(tab: Tab, path: string): Promise<TraceFigures> {
  await blank(tab);
  await browser.startTracing(tab.page, {
    // What DevTools' Performance panel records, less the per-call V8 and Blink events: on a
    // thousand upgrades they would cost more than the work they time.
    categories: (
      process.env.BENCH_TRACE_CATEGORIES ??
      'toplevel,devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,loading'
    ).split(','),
  });
  await open(tab, path);
  await tab.page.waitForTimeout(SETTLE_MS);
  const raw = (await browser.stopTracing()).toString('utf8');
  const dir = process.env.BENCH_TRACE_DIR;
  if (dir)
    writeFileSync(`${dir}/${tab.page.viewportSize()?.width}${path.replace(/\W/g, '-')}.json`, raw);
  return traceFigures((JSON.parse(raw) as { traceEvents: TraceEvent[] }).traceEvents, path);
}

/** The longest of `tasks`: [wall ms, CPU ms]. */
function longest(tasks: TraceEvent[]): [number, number] {
  const top = tasks.reduce<TraceEvent | null>((a, t) => (!a || t.dur! > a.dur! ? t : a), null);
  return top ? [top.dur! / 1000, (top.tdur ?? top.dur!) / 1000] : [0, 0];
}

/** The events inside `task`, in the order they began (an enclosing one before those it holds). */
function within(onMain: TraceEvent[], task: TraceEvent): TraceEvent[] {
  return onMain
    .filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur!)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
}

/**
 * The self time of each event name inside the longest of `tasks`, the busiest four: whether the
 * element's code or the page's own work (parsing, its load-time layout) made it long.
 */
function busiest(onMain: TraceEvent[], tasks: TraceEvent[]): [string, number][] {
  const top = tasks.reduce<TraceEvent | null>((a, t) => (!a || t.dur! > a.dur! ? t : a), null);
  if (!top) return [];
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  for (const e of within(onMain, top)) {
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push({ end: e.ts + e.dur!, name: e.name });
  }
  return [...self]
    .filter(([name]) => name !== 'RunTask' && name !== 'ThreadControllerImpl::RunTask')
    .map(([name, us]) => [name, us / 1000] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4);
}

/** The page's own rendering work, as a task's top-level trace events name it. */
const PAGE_WORK =
  /^(ParseHTML|UpdateLayoutTree|Layout|PrePaint|Paint|Layerize|Commit|UpdateLayer|IntersectionObserverController::computeIntersections)$/;
/** Script, in whose calls style or layout is the script's (read by it, forced). */
const SCRIPT =
  /^(FunctionCall|v8\.|EvaluateScript|TimerFire|FireAnimationFrame|RunMicrotasks|EventDispatch)/;

/** `task`'s wall time less the page's own work at its top level (not inside a script's call). */
function ownWork(onMain: TraceEvent[], task: TraceEvent): number {
  let page = 0;
  let scriptUntil = 0; // the end of the script call being walked through, if any
  let pageUntil = 0; // the end of the page's work being walked through (counted once)
  for (const e of within(onMain, task)) {
    if (e.ts < scriptUntil || e.ts < pageUntil) continue;
    if (SCRIPT.test(e.name)) scriptUntil = e.ts + e.dur!;
    else if (PAGE_WORK.test(e.name)) {
      page += e.dur!;
      pageUntil = e.ts + e.dur!;
    }
  }
  return (task.dur! - page) / 1000;
}

function traceFigures(events: TraceEvent[], path: string): TraceFigures {
  // The page's main thread: CrRendererMain of the renderer that committed the page.
  const committed = events.find(
    (e) => e.name === 'FrameCommittedInBrowser' && e.args?.data?.url?.endsWith(path),
  );
  const pid = committed?.args?.data?.processId;
  const main = events.find(
    (e) =>
      e.ph === 'M' &&
      e.name === 'thread_name' &&
      e.pid === pid &&
      e.args?.name === 'CrRendererMain',
  );
  if (!main) throw new Error(`no renderer main thread for ${path} in the trace`);
  const isTask = (e: TraceEvent) =>
    e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  // Tasks, outermost only (Chromium nests RunTask and ThreadControllerImpl::RunTask).
  const outermost: TraceEvent[] = [];
  for (const t of onMain.filter(isTask).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!)) {
    const last = outermost[outermost.length - 1];
    if (!last || t.ts >= last.ts + last.dur!) outermost.push(t);
  }
  const tasks = outermost.map((e) => e.dur! / 1000);
  // Tasks that ran the element's code: a call into dist/, its custom element reactions, or a
  // microtask checkpoint of any length (promise work: the element's updates and answers).
  const ours = (e: TraceEvent) =>
    (e.name === 'CustomElementReactionQueue::invokeReactions' && e.args?.name === 'buy-in-post') ||
    (e.name === 'RunMicrotasks' && (e.dur ?? 0) > 500) ||
    JSON.stringify(e.args ?? {}).includes('/dist/');
  const byStart = outermost;
  const scriptTasks = new Set<TraceEvent>();
  for (const e of onMain.filter(ours)) {
    let lo = 0;
    let hi = byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byStart[mid]!.ts <= e.ts) lo = mid + 1;
      else hi = mid;
    }
    const task = byStart[lo - 1];
    if (task && e.ts + (e.dur ?? 0) <= task.ts + task.dur!) scriptTasks.add(task);
  }

  // Self time per event name: each event's duration less its children's.
  const sorted = onMain
    .filter((e) => e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  for (const e of sorted) {
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push({ end: e.ts + e.dur!, name: e.name });
  }
  const buckets = new Map<string, number>();
  for (const [name, us] of self) {
    if (isTask({ name, ph: 'X' } as TraceEvent)) continue; // the task's own bookkeeping
    const bucket = BUCKETS.find(([, re]) => re.test(name))?.[0] ?? 'other';
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us / 1000);
  }
  return {
    longestTask: longest(outermost),
    longestScriptTask: longest([...scriptTasks]),
    longestOwnWork: Math.max(0, ...[...scriptTasks].map((t) => ownWork(onMain, t))),
    longestScriptTaskTop: busiest(onMain, [...scriptTasks]),
    tasksOver50: tasks.filter((t) => t > 50).length,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]),
    top: [...self]
      .map(([n, us]) => [n, us / 1000] as [string, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8),
    total: [sum(tasks), sum(outermost.map((t) => (t.tdur ?? t.dur!) / 1000))],
  };
}

// ---- runs and report ---------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${Math.round(x)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(2)} MB`;
const wallCpu = ([wall, cpu]: [number, number]) => `${ms(wall)} (CPU ${ms(cpu)})`;
const list = (xs: number[], f: (x: number) => string = ms) => xs.map(f).join(' · ');

async function inTab<T>(vp: Viewport, work: (tab: Tab) => Promise<T>): Promise<T> {
  const tab = await openTab(vp);
  try {
    return await work(tab);
  } finally {
    await tab.context.close();
  }
}

async function measure(vp: Viewport, posts: number, runs: number) {
  const floors: Floor[] = [];
  const els: ElementRun[] = [];
  // Floor and element back to back in each run, so both see the same machine load.
  for (let i = 0; i < runs; i++) {
    progress(`${posts} posts at ${vp.name}: run ${i + 1} of ${runs}`);
    await inTab(vp, async (tab) => {
      floors.push(await floorRun(tab, posts));
      els.push(await elementRun(tab, posts));
    });
  }
  const traced = TRACE
    ? await inTab(vp, async (tab) => {
        const floor = await tracedLoad(tab, `/floor-${posts}.html`);
        const element: TraceFigures[] = [];
        for (let i = 0; i < (posts === POSTS ? TRACE_RUNS : 1); i++) {
          progress(`${posts} posts at ${vp.name}: traced load ${i + 1}`);
          element.push(await tracedLoad(tab, `/timeline-${posts}.html`));
        }
        return { floor, element };
      })
    : null;
  const empty = posts === POSTS ? await inTab(vp, emptyHeap) : null;
  report(vp, posts, floors, els, traced, empty);
}

function report(
  vp: Viewport,
  posts: number,
  floors: Floor[],
  els: ElementRun[],
  traced: { floor: TraceFigures; element: TraceFigures[] } | null,
  empty: number | null,
) {
  const f = (g: (r: Floor) => number) => median(floors.map(g));
  const e = (g: (r: ElementRun) => number) => median(els.map(g));
  const gap = (at: keyof Frame) =>
    els.map((r, i) => r.firstScreen[at] - floors[i]!.firstScreen[at]);
  const gaps = gap('drawn');
  const gapsSeen = gap('seen');
  const longLoad = els.flatMap((r) => r.loadLongTasks);
  const longScroll = els.flatMap((r) => r.scrollLongTasks);
  const rows: [string, string][] = [
    ['floor: first screen drawn, same page without the element', ms(f((r) => r.firstScreen.drawn))],
    ['floor: first contentful paint', ms(f((r) => r.fcp))],
    ['first screen priced, drawn', ms(e((r) => r.firstScreen.drawn))],
    ['first screen priced − floor, frames drawn (goal ≤ 100 ms)', ms(median(gaps))],
    ['  each run: priced − floor', list(gaps)],
    ['  the same at the frames’ start (before the floor’s layout)', ms(median(gapsSeen))],
    ['    each run', list(gapsSeen)],
    // Within one load: free of the scatter between two loads' first layouts, not the goal's.
    [
      '  priced − the same page’s own first screen, one load',
      ms(e((r) => r.firstScreen.drawn - r.pageFrame.drawn)),
    ],
    ['    each run', list(els.map((r) => r.firstScreen.drawn - r.pageFrame.drawn))],
  ];
  // The traced loads, and the one whose element task is the median (its breakdown is printed).
  const tracedRuns = traced?.element ?? [];
  const medianRun = [...tracedRuns].sort((a, b) => a.longestScriptTask[0] - b.longestScriptTask[0])[
    Math.floor(tracedRuns.length / 2)
  ]!;
  if (traced) {
    rows.push(
      [
        'longest main-thread task while loading, traced, each load',
        tracedRuns.map((t) => wallCpu(t.longestTask)).join(' · '),
      ],
      [
        '  the longest of them running the element’s code',
        tracedRuns.map((t) => wallCpu(t.longestScriptTask)).join(' · '),
      ],
      [
        '    what it spent its time on (the median load’s)',
        medianRun.longestScriptTaskTop.map(([n, t]) => `${n} ${ms(t)}`).join(' · '),
      ],
      [
        '  the same less the page’s own parse, style and layout in it, median (goal ≤ 50 ms)',
        ms(median(tracedRuns.map((t) => t.longestOwnWork))),
      ],
      ['    each load', list(tracedRuns.map((t) => t.longestOwnWork))],
      ['  the floor’s longest task, traced', wallCpu(traced.floor.longestTask)],
      [
        '  main-thread busy while loading, traced: element · floor',
        `${wallCpu(medianRun.total)} · ${wallCpu(traced.floor.total)}`,
      ],
    );
  }
  rows.push(
    [
      'long tasks > 50 ms while loading, all runs (Long Tasks API)',
      longLoad.length ? `${longLoad.length}, longest ${ms(Math.max(...longLoad))}` : '0',
    ],
    [
      'long tasks > 50 ms while scrolling, all runs',
      longScroll.length ? `${longScroll.length}, longest ${ms(Math.max(...longScroll))}` : '0',
    ],
    ['JS heap at load, after GC (goal ≤ 4 MB)', mb(e((r) => r.loadHeap))],
    ['JS heap after scrolling every post, after GC', mb(e((r) => r.scrollHeap))],
    ['  the floor’s JS heap', mb(f((r) => r.heap))],
  );
  if (empty) rows.push(['  JS heap of the element’s page with no posts', mb(empty)]);
  rows.push(
    ['layout shift while loading (goal 0)', e((r) => r.loadCls).toFixed(4)],
    ['layout shift while scrolling every post', e((r) => r.scrollCls).toFixed(4)],
    ['  the floor’s layout shift', f((r) => r.cls).toFixed(4)],
    ['product requests at load', String(e((r) => r.loadRequests))],
    [
      'most product requests for one screen, scrolling',
      String(Math.max(...els.flatMap((r) => r.perScreen))),
    ],
    [
      posts > POSTS
        ? `product requests after scrolling through ${LARGE_SCREENS} screens spread over the page`
        : `product requests after scrolling all ${posts.toLocaleString('en')} posts`,
      String(e((r) => r.requests)),
    ],
    [
      posts > POSTS
        ? 'buttons priced at the end (those scrolled past)'
        : 'buttons priced at the end',
      `${Math.min(...els.map((r) => r.pricedAtEnd))} of ${posts}`,
    ],
    [
      'checkout chunk requested before interest',
      els.some((r) => r.checkoutChunkAtLoad) ? 'yes' : 'no',
    ],
    ['Buy → first step interactive, chunk cold (goal ≤ 300 ms)', ms(e((r) => r.buyCold))],
    ['Buy → first step interactive, chunk loaded (goal ≤ 50 ms)', ms(e((r) => r.buyCached))],
  );
  console.log(
    `\n### ${posts.toLocaleString('en')} posts · ${vp.name} · median of ${els.length} run${els.length > 1 ? 's' : ''}\n`,
  );
  console.log('| figure | value |');
  console.log('| --- | ---: |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  if (traced) {
    console.log('\nwhere the main thread’s time went while loading (traced, self time):\n');
    console.log('| | element page | floor |');
    console.log('| --- | ---: | ---: |');
    const names = new Set([...medianRun.buckets, ...traced.floor.buckets].map(([n]) => n));
    const of = (t: TraceFigures, n: string) => t.buckets.find(([b]) => b === n)?.[1] ?? 0;
    for (const n of [...names].sort((a, b) => of(medianRun, b) - of(medianRun, a)))
      console.log(`| ${n} | ${ms(of(medianRun, n))} | ${ms(of(traced.floor, n))} |`);
    console.log(
      `\nbusiest trace events on the element page (self time): ${medianRun.top
        .map(([n, t]) => `${n} ${ms(t)}`)
        .join(' · ')}`,
    );
  }
}

console.log(
  `\n<buy-in-post> page benchmark · ${PRODUCTS} products · headless Chromium · ` +
    `node ${process.version}` +
    (CPU_SLOWDOWN > 1 ? ` · CPU ${CPU_SLOWDOWN}× slower` : '') +
    (LATENCY_MS > 0 ? ` · ${LATENCY_MS} ms added to each request` : '') +
    ` · load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
try {
  for (const vp of VIEWPORTS) await measure(vp, POSTS, RUNS);
  if (LARGE) for (const vp of VIEWPORTS) await measure(vp, LARGE, 1);
} finally {
  await browser.close();
  await site.close();
  await endpoint.close();
}
