type Callback = () => void;

/** How near the viewport an element must come to load: its product, then its rendering. */
export const NEAR_MARGIN = 400;

const callbacks = new WeakMap<Element, Callback>();
let observer: IntersectionObserver | null = null;

/**
 * Calls `fn` once, when `el` comes within 400px of the viewport. One observer serves every
 * element on the page: a timeline of 1,000 posts costs one observer, not 1,000.
 */
export function whenNearViewport(el: Element, fn: Callback): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    queueMicrotask(fn);
    return () => {};
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) nearNow(entry.target);
    },
    { rootMargin: `${NEAR_MARGIN}px` },
  );
  callbacks.set(el, fn);
  observer.observe(el);
  return () => {
    callbacks.delete(el);
    observer?.unobserve(el);
  };
}

/**
 * `el` is near the viewport (the observer says so, or the page's layout did: first-screen.ts):
 * calls back now what `whenNearViewport` was waiting with, if anything.
 */
export function nearNow(el: Element): void {
  const cb = callbacks.get(el);
  if (!cb) return;
  callbacks.delete(el);
  observer!.unobserve(el);
  cb();
}
