import { warmNumbers } from '../i18n/locale.ts';
import { pageEndpoint } from './product-controller.ts';
import { ProductLoader } from './product-loader.ts';
import type { Product } from './types.ts';
import { NEAR_MARGIN, nearNow } from './visibility.ts';

/** Draws an element's priced button before the tag is registered (BuyInPost.drawEarly). */
export type DrawEarly = (el: HTMLElement, product: Product) => void;

/**
 * How long a timeline's registration waits for the first screen's answer. Without it by then, the
 * tag is registered and those elements wait for it as elements do (their placeholder included).
 */
const DRAW_WAIT_MS = 200;

/**
 * The first screen of a page whose parse has just ended, found from the page's layout instead
 * of waiting for the observer's first frame (issue 11). Called before the tag is registered:
 * the products of the elements near the viewport are asked for at once, as one batched look-up.
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
 * Called as the module runs (define.ts). On a timeline of a thousand posts that is after the
 * page's first frame, and the layout read is already done; on a page so long that the module
 * runs as its parse ends, reading it runs the page's first layout here (the same work, in this
 * task: docs/embedding.md). Positions are read in document order, and the reading stops after a
 * few elements in a row lie below the near zone: on a timeline, the first screen and a few posts
 * more. Elements it misses (a page laid out out of document order, a box of its own
 * that scrolls, a product set as a property rather than an attribute) are the observer's, as
 * all the others are.
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
            // not if registered meanwhile, nor pointed at another product
            product &&
            draw &&
            !customElements.get(tag) &&
            el.getAttribute('product') === id &&
            draw(el as HTMLElement, product),
        )
        // A failure is the element's to show when it asks (a failed look-up is not kept).
        .catch(() => {}),
    );
    loaders.add(loader);
  }
  // Sent now: the upgrades that follow are what it is to overlap.
  for (const loader of loaders) loader.flush();
  // To be drawn when the answer comes: the number data meanwhile (a timeline's main thread is
  // otherwise idle until then: its registration comes after).
  if (draw && loaders.size) warmNumbers();
  const head = els.length ? document.head : null;
  const registration = (register: () => void) => {
    // Put there a task before the registration (with the look-up), it no longer kept the trap
    // away: 2.71 → 3.34 MB on the benchmark's page. Why was not found; measured, not guessed.
    head?.insertAdjacentHTML('afterbegin', `<${tag} hidden></${tag}>`);
    register();
    head?.querySelector(`:scope > ${tag}[hidden]:first-child`)?.remove();
    for (const el of near) nearNow(el);
  };
  if (!draw) return registration;
  return (register) => {
    let done = false;
    const once = () => {
      if (!done) registration(register);
      done = true;
    };
    // In a task after the frame that draws the first screen (a frame's callbacks run before it).
    void Promise.all(drawn).then(() => requestAnimationFrame(() => setTimeout(once)));
    // A tab in the background draws no frames.
    setTimeout(once, DRAW_WAIT_MS);
  };
}
