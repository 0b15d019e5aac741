import { warmNumbers } from '../i18n/locale.ts';
import { pageEndpoint } from './product-controller.ts';
import { ProductLoader } from './product-loader.ts';
import { connectNow } from './put-off.ts';
import type { Product } from './types.ts';
import { NEAR_MARGIN, nearNow } from './visibility.ts';

/** Draws an element's priced button before the tag is registered (BuyInPost.drawEarly). */
export type DrawEarly = (el: HTMLElement, product: Product) => unknown;

/**
 * How long a timeline's registration waits for the first screen's answer. Without it by then, the
 * tag is registered and those elements wait for it as elements do (their placeholder included).
 */
const DRAW_WAIT_MS = 200;

/**
 * How many elements a timeline's first look-up asks for, in document order, before its layout
 * tells which are near: a first screen of posts and the 400 px below it, on a phone or a desk.
 */
const FIRST_SCREEN_GUESS = 16;

/**
 * The first screen of a page whose parse has just ended, found before the tag is registered
 * (issue 11): the products of the elements near the viewport are asked for as soon as they are
 * known, as one batched look-up, before a thousand elements upgrade.
 * The function it returns registers the tag (`register`), then tells those elements they are
 * near: they take their answer from the page's loader.
 *
 * On a timeline (`draw` given) the registration waits for the first screen instead of coming
 * first. Upgrading a thousand elements is tens of milliseconds of main thread that the first
 * screen does not need: its elements are drawn as the answer comes (`draw`: their priced
 * button, in their shadow root, from the element's own templates), and the tag is registered
 * after the frame that shows them. The upgraded elements keep what was drawn. An element whose
 * product did not come, or came after the registration, is drawn by its first render as usual.
 *
 * Called as the module runs (define.ts). Where it finds the near elements:
 * - A few elements: from the page's layout, at once (nearFromLayout) — a short page's layout is
 *   quick, and the look-up leaves as the parse ends.
 * - A timeline: from an observer of its own, told after the page's next frame (nearFromObserver).
 *   Reading one position makes the browser lay out the page first if it has not yet: on a page
 *   so long that the module runs as its parse ends, before the page's first frame, that is the
 *   page's whole first layout, in this task (a long task at a thousand posts, a second at
 *   10,000). So that the look-up need not wait for that frame, the first elements in document
 *   order — a page at its top shows those — are asked for at once; the observer then says which
 *   to draw, and asks for any near one they missed.
 * Elements it misses (a product set as a property rather than an attribute, a box of its own
 * that scrolls) are the shared observer's, as all the others are.
 *
 * Reading an element before its upgrade gives it its object early, and the upgrade then keeps
 * that one. V8 sizes every instance of a class from its first seven: when those are all such
 * objects, it sees them use no room of their own and gives every later instance none — each of
 * a thousand elements then keeps its fields in a separate array (~0.65 kB more each: 2.65 → 3.29
 * MB on the benchmark's page). The first screen is the first elements of the page, so one
 * element made from markup, never read, is put first in the document, in its `<head>` (no box,
 * out of the page's way), to be the first upgraded — put there in the registration's own task,
 * and gone again once the tag is registered.
 */
export function lookUpFirstScreen(tag: string, draw?: DrawEarly): (register: () => void) => void {
  const els = document.getElementsByTagName(tag);
  const head = els.length ? document.head : null;
  const registration = (register: () => void, near: readonly Element[]) => {
    // Put there a task before the registration (with the look-up), it no longer kept the trap
    // away: 2.71 → 3.34 MB on the benchmark's page. Why was not found; measured, not guessed.
    head?.insertAdjacentHTML('afterbegin', `<${tag} hidden></${tag}>`);
    register();
    head?.querySelector(`:scope > ${tag}[hidden]:first-child`)?.remove();
    for (const el of near) {
      // (a timeline's registration puts the elements' connection off: put-off.ts)
      connectNow(el);
      nearNow(el);
    }
  };
  if (!draw) {
    const near = nearFromLayout(els);
    lookUp(near);
    return (register) => registration(register, near);
  }
  return (register) => {
    let near: readonly Element[] = [];
    let done = false;
    const once = () => {
      if (!done) registration(register, near);
      done = true;
    };
    // Asked for now, before the layout says which are near: on a page at its top, the first
    // elements in document order are the first screen's. The answer comes while the page lays
    // itself out (those not near keep it in the loader for when they are), and the number data
    // to draw it with meanwhile: a timeline's registration comes after the first screen.
    if (lookUp([].slice.call(els, 0, FIRST_SCREEN_GUESS)).length) warmNumbers();
    nearFromObserver(els, (found) => {
      if (done) return;
      near = found;
      // Any near element the guess missed (a page not at its top) is asked for now.
      // (not once the tag is registered: the element draws itself then)
      const drawn = lookUp(near, (el, product) => !customElements.get(tag) && draw(el, product));
      // In a task after the frame that draws the first screen (a frame's callbacks run before it).
      void Promise.all(drawn).then(() => requestAnimationFrame(() => setTimeout(once)));
    });
    // A tab in the background draws no frames.
    setTimeout(once, DRAW_WAIT_MS);
  };
}

/**
 * Asks for the products of `near` at once, as one batched look-up per endpoint; with `draw`,
 * draws each element as its answer comes. Returns the drawings, to wait for.
 */
function lookUp(near: readonly Element[], draw?: DrawEarly): Promise<unknown>[] {
  const loaders = new Set<ProductLoader>();
  const drawn: Promise<unknown>[] = [];
  for (const el of near) {
    const id = el.getAttribute('product');
    const endpoint = el.getAttribute('endpoint') || pageEndpoint();
    if (!id || !endpoint) continue;
    const loader = ProductLoader.for(endpoint);
    drawn.push(
      loader
        .load(id)
        .then(
          (product) =>
            // not if pointed at another product meanwhile
            product &&
            draw &&
            el.getAttribute('product') === id &&
            draw(el as HTMLElement, product),
        )
        // A failure is the element's to show when it asks (a failed look-up is not kept).
        .catch(() => {}),
    );
    loaders.add(loader);
  }
  // Sent now: what follows (the upgrades, or the answer's wait) is what it is to overlap.
  for (const loader of loaders) loader.flush();
  return drawn;
}

/**
 * The elements near the viewport, read from the page's layout now. Positions are read in
 * document order, and the reading stops after a few elements in a row lie below the near zone.
 */
function nearFromLayout(els: HTMLCollectionOf<Element>): Element[] {
  const bottom = innerHeight + NEAR_MARGIN;
  const right = innerWidth + NEAR_MARGIN;
  const near: Element[] = [];
  for (let i = 0, below = 0; i < els.length && below < 8; i++) {
    const el = els[i]!;
    const r = el.getBoundingClientRect();
    if (r.top > bottom) {
      below++;
      continue;
    }
    below = 0;
    // Within the near zone as the observer's margin draws it, and with a box (not display: none).
    if (
      r.bottom >= -NEAR_MARGIN &&
      r.left <= right &&
      r.right >= -NEAR_MARGIN &&
      el.getClientRects().length
    )
      near.push(el);
  }
  return near;
}

/**
 * How many elements, in document order, the first screen's observer watches on a page at its
 * top: the first screen and the 400 px below it, on a phone or a desk, of a timeline or of a
 * dense grid of cards. Its first count of where they are is part of the page's next frame
 * (~6–10 µs an element): all 1,000 of a timeline made that frame 6–10 ms longer, and the first
 * screen's answer waits behind it.
 */
const FIRST_SCREEN_WATCH = 64;

/**
 * The elements near the viewport, told by an observer of its own once the page's next frame has
 * laid it out: nothing here makes the browser lay the page out before it would.
 *
 * On a page at its top, only its first elements are watched (FIRST_SCREEN_WATCH); a page
 * scrolled already (its place kept, a fragment) has them all watched. A near element not
 * watched (after the first 64, or moved up the page by CSS) is drawn by the shared observer, as
 * all the others are: after the registration, not before it.
 */
function nearFromObserver(els: HTMLCollectionOf<Element>, found: (near: Element[]) => void) {
  // No observer (an engine from before 2019): none found here; the shared one's fallback then
  // calls every element near (visibility.ts).
  if (typeof IntersectionObserver === 'undefined') return found([]);
  const observe = (root?: Document) =>
    new IntersectionObserver(
      (entries) => {
        observer.disconnect();
        found(entries.filter((e) => e.isIntersecting).map((e) => e.target));
      },
      { root, rootMargin: `${NEAR_MARGIN}px` },
    );
  let observer: IntersectionObserver;
  try {
    // This document's viewport, as innerHeight is to nearFromLayout (in a frame, the implicit
    // root would be the top page's, cut by the frame).
    observer = observe(document);
  } catch {
    // An engine from before 2020 takes only an element as the root: the implicit one, then.
    observer = observe();
  }
  const watched = scrollX || scrollY ? els : [].slice.call(els, 0, FIRST_SCREEN_WATCH);
  for (const el of watched) observer.observe(el);
}
