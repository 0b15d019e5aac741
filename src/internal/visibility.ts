type Callback = () => void;

/** How near the viewport an element must come to load: its product, then its rendering. */
export const NEAR_MARGIN = 400;

/** An element's wait: for it to come near the viewport (true), or to be far from it. */
const waiting = new WeakMap<Element, [near: boolean, fn: Callback]>();
let observer: IntersectionObserver | null = null;

/**
 * Calls `fn` once, when `el` is `near` the viewport (within 400px of it), or when it is not (at
 * once if it is not now). One observer serves every element on the page: a timeline of 1,000
 * posts costs one observer, not 1,000. An element waits for one thing at a time: a new wait
 * replaces the one before. Returns the way to stop waiting.
 */
export function whenViewport(el: Element, near: boolean, fn: Callback): () => void {
  // No observer (an engine from before 2019): near at once, and far too.
  if (typeof IntersectionObserver === 'undefined') {
    queueMicrotask(fn);
    return () => {};
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) settle(entry.target, entry.isIntersecting);
    },
    { rootMargin: `${NEAR_MARGIN}px` },
  );
  waiting.set(el, [near, fn]);
  // Observed afresh, so the observer reports where it is now (it may be observed already).
  observer.unobserve(el);
  observer.observe(el);
  return () => {
    waiting.delete(el);
    observer!.unobserve(el);
  };
}

/** `el` is `near` the viewport, or not: calls back what it waited with for that, if anything. */
function settle(el: Element, near: boolean): void {
  const wait = waiting.get(el);
  if (wait?.[0] !== near) return;
  waiting.delete(el);
  observer!.unobserve(el);
  wait[1]();
}

/** Calls `fn` once, when `el` comes within 400px of the viewport. */
export const whenNearViewport = (el: Element, fn: Callback) => whenViewport(el, true, fn);

/**
 * `el` is near the viewport (the observer says so, or the page's layout did: first-screen.ts):
 * calls back now what `whenNearViewport` was waiting with, if anything.
 */
export const nearNow = (el: Element) => settle(el, true);
