import { NEAR_MARGIN, nearNow } from './visibility.ts';

/**
 * Tells the elements near the viewport now that they are, from the page's layout, instead of
 * waiting for the observer's first frame: called once the tag is registered on a page whose
 * parse has just ended (define.ts). On a timeline of a thousand posts their one batched look-up
 * then leaves at the end of the task that upgraded them — not after a frame for the observer and
 * a task for its callback (issue 11). The layout is the page's first, already done; reading it
 * costs the style the upgrades changed (`:defined`), which the next frame would have done.
 *
 * Positions are read in document order, and the reading stops after a few elements in a row lie
 * below the near zone: on a timeline, the first screen and a few posts more. Elements it misses
 * (a page laid out out of document order, a box of its own that scrolls) are the observer's, as
 * all the others are.
 *
 * Not before the tag is registered: an element read from script before its upgrade is upgraded
 * as an object made before its class, and V8 then keeps every element's properties in a
 * dictionary (slower, and ~0.8 kB more each).
 */
export function lookUpFirstScreen(tag: string): void {
  const els = document.getElementsByTagName(tag);
  const bottom = innerHeight + NEAR_MARGIN;
  const right = innerWidth + NEAR_MARGIN;
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
      nearNow(el);
  }
}
