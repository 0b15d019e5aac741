/**
 * Work a timeline's registration puts off (issue 11). Registering the tag upgrades every element
 * already on the page in that one task — on a timeline, a thousand. An element's upgrade makes
 * it, and its connection starts its life on the page: its update cycle, its binding to its
 * product, its watch on the viewport (an observer's entry each). While `registerInSlices` runs,
 * the elements' connections are put off instead, and done in document order, a few milliseconds
 * of them per task, in the tasks after it: the browser may draw or answer input between two.
 * What the page needs at once — the box each element keeps meanwhile — is done at once.
 */

/** How long one task spends on connections put off before it lets the browser have the thread. */
const SLICE_MS = 8;

type Connecting = Element & { connectedCallback(): void };

/** The elements whose connection is put off, in the order they came (document order). */
const later = new Set<Connecting>();
let registering = false;

/**
 * Calls `register` — the tag's registration — with every element's connection put off to the
 * tasks after it (the elements ask `putOff` as they connect).
 */
export function registerInSlices(register: () => void): void {
  registering = true;
  try {
    register();
  } finally {
    registering = false;
  }
  setTimeout(slice);
}

/** While a timeline's tag is being registered: puts `el`'s connection off, and says so. */
export const putOff = (el: Connecting): boolean => registering && !!later.add(el);

/** Forgets `el`'s connection put off, if any (it left the page). */
export const forget = (el: Element) => later.delete(el as Connecting);

/** Connects `el` now if its connection was put off (an element the first screen needs). */
export function connectNow(el: Element): void {
  if (forget(el)) (el as Connecting).connectedCallback();
}

function slice() {
  const end = performance.now() + SLICE_MS;
  // Set first: an element whose connection throws (reported as the browser reports any) does not
  // hold up the others'.
  const next = setTimeout(slice);
  for (const el of later) {
    connectNow(el);
    if (performance.now() >= end) return;
  }
  clearTimeout(next);
}
