type Callback = () => void;

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
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const cb = callbacks.get(entry.target);
        observer!.unobserve(entry.target);
        callbacks.delete(entry.target);
        cb?.();
      }
    },
    { rootMargin: '400px' },
  );
  callbacks.set(el, fn);
  observer.observe(el);
  return () => {
    callbacks.delete(el);
    observer?.unobserve(el);
  };
}
