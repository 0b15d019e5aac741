/**
 * The addresses of products: the endpoint's own product pages (`{publicUrl}/p/{id}/{slug}`,
 * docs/protocol.md "Product pages") and a product's own `url`. Pure: what the product page, the
 * resolver and oEmbed agree on, written once.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The readable part of a product page's address, from its title: lower case, letters and digits
 * of any script kept (an Arabic title keeps its words), anything else one dash. Marks are dropped
 * after decomposition, so "Café" becomes "cafe". At most 60 characters, never cut mid-word.
 */
export function slugOf(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if (next.length > 60) break;
    slug = next;
  }
  return slug || (words[0]?.slice(0, 60) ?? '');
}

/** The canonical address of a product's page on the endpoint at `publicUrl`. */
export function productPageUrl(publicUrl: string, id: string, title: string): string {
  const slug = slugOf(title);
  return `${publicUrl}/p/${id}${slug ? `/${encodeURIComponent(slug)}` : ''}`;
}

/**
 * The product id an address names when it is one of the endpoint's product pages (any slug, or
 * none; query and fragment ignored), else null. `publicUrl` may carry a path prefix.
 */
export function productIdOfPage(publicUrl: string, address: string): string | null {
  let url: URL;
  let base: URL;
  try {
    url = new URL(address);
    base = new URL(publicUrl);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const prefix = `${base.pathname.replace(/\/$/, '')}/p/`;
  if (!url.pathname.startsWith(prefix)) return null;
  const segments = url.pathname.slice(prefix.length).split('/');
  if (segments.at(-1) === '') segments.pop(); // a trailing slash
  const [id] = segments;
  return segments.length <= 2 && id && ID.test(id) && segments[1] !== '' ? id : null;
}

/**
 * The spellings of one address a seller may have stored as a product's `url`: without its
 * fragment, with and without a trailing slash. Empty when it is no http(s) URL.
 */
export function ownUrlCandidates(address: string): string[] {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return [];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [];
  url.hash = '';
  const plain = url.toString();
  const out = new Set([plain, address.replace(/#.*$/, '')]);
  if (url.search === '') {
    out.add(plain.endsWith('/') ? plain.slice(0, -1) : `${plain}/`);
  }
  return [...out].filter((s) => s.length <= 2048);
}
