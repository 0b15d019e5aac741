// Paths under /seller/ ↔ the page to show. The endpoint answers index.html for every /seller/
// path without a dot, so a reload or a shared link lands on the same page.

export const BASE = '/seller/';

export type Route =
  | { page: 'sign-in' }
  | { page: 'products' }
  | { page: 'product'; id: string | null }
  | { page: 'share'; id: string }
  | { page: 'orders' }
  | { page: 'order'; id: string }
  | { page: 'settings' }
  | { page: 'payouts' }
  | { page: 'not-found' };

const ID = '([A-Za-z0-9][A-Za-z0-9_-]{0,63})';
const TABLE: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^$/, () => ({ page: 'products' })],
  [/^sign-in$/, () => ({ page: 'sign-in' })],
  [/^products$/, () => ({ page: 'products' })],
  [/^products\/new$/, () => ({ page: 'product', id: null })],
  [new RegExp(`^products/${ID}$`), (m) => ({ page: 'product', id: m[1]! })],
  [new RegExp(`^products/${ID}/share$`), (m) => ({ page: 'share', id: m[1]! })],
  [/^orders$/, () => ({ page: 'orders' })],
  [new RegExp(`^orders/${ID}$`), (m) => ({ page: 'order', id: m[1]! })],
  [/^settings$/, () => ({ page: 'settings' })],
  [/^payouts$/, () => ({ page: 'payouts' })],
];

/** The route of a pathname (`/seller/products/tee`); anything unknown is `not-found`. */
export function parseRoute(pathname: string): Route {
  if (!pathname.startsWith(BASE))
    return { page: pathname === '/seller' ? 'products' : 'not-found' };
  const rest = pathname.slice(BASE.length).replace(/\/$/, '');
  for (const [re, make] of TABLE) {
    const m = re.exec(rest);
    if (m) return make(m);
  }
  return { page: 'not-found' };
}

/** The pathname of a route, for links. */
export function href(route: Route): string {
  switch (route.page) {
    case 'product':
      return `${BASE}products/${route.id === null ? 'new' : encodeURIComponent(route.id)}`;
    case 'share':
      return `${BASE}products/${encodeURIComponent(route.id)}/share`;
    case 'order':
      return `${BASE}orders/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `${BASE}not-found`;
    default:
      return `${BASE}${route.page}`;
  }
}

/** Moves to `path` without a reload; the app listens for `bip-navigate`. */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event('bip-navigate'));
}
