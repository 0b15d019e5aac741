import type { ResolveAnswer } from '../../server/src/protocol/index.ts';

/** A commerce endpoint the client trusts, and the sites whose links it may resolve. */
export interface TrustedEndpoint {
  /** The endpoint's base URL (as the element's `endpoint` attribute takes it). */
  endpoint: string;
  /**
   * Origins of links this endpoint is asked about — sellers' own shops whose product URLs it
   * knows (each product's `url`). The endpoint's own origin (its `/p/…` pages) always is.
   */
  linkOrigins?: string[];
}

export interface LinkUpgradeOptions {
  /** Where posts are: a timeline's container (watched for posts added later). */
  root: Element | Document;
  /** The endpoints whose products may become Buy buttons: a URL, or one with its shops. */
  endpoints: (string | TrustedEndpoint)[];
  /** What a post is (a CSS selector); links outside posts are left alone. Default `article`. */
  post?: string;
  /**
   * The post's own URL, passed to the element as `post` (the seller sees which post sold).
   * Default: the post's `data-post-url`, else its first `a[rel~="bookmark"]`, else nothing.
   */
  postUrl?: (post: Element) => string | null;
}

export interface LinkUpgrade {
  /** Stops watching: posts added later are left as they are. */
  stop(): void;
}

const MAX_URLS = 50;
const SKIP = 'buy-in-post';

interface Trusted {
  endpoint: string;
  /** `{origin}/` prefixes of the links this endpoint is asked about. */
  prefixes: string[];
}

const defaultPostUrl = (post: Element): string | null =>
  (post as HTMLElement).dataset?.postUrl ??
  post.querySelector<HTMLAnchorElement>('a[rel~="bookmark"]')?.href ??
  null;

let defined: Promise<unknown> | null = null;
/** The element, loaded with the first product link found (never on a page without one). */
const defineElement = () =>
  (defined ??= import('../buy-in-post.ts').then(({ BuyInPost }) => BuyInPost.define()));

/**
 * Turns plain links to trusted endpoints' products into Buy buttons: each link inside a post —
 * there now, or in a post added later (one MutationObserver) — gets a `<buy-in-post>` beside it.
 * Links are looked up as they near the viewport, one `GET /v1/resolve` per endpoint for all
 * that come into view together (a screen), each URL once. A link to any other origin is never
 * sent anywhere nor touched; a post without product links costs a selector match.
 */
export function upgradeLinks(options: LinkUpgradeOptions): LinkUpgrade {
  const base = document.baseURI;
  const trusted: Trusted[] = options.endpoints.map((e) => {
    const { endpoint, linkOrigins = [] } = typeof e === 'string' ? { endpoint: e } : e;
    const own = new URL(endpoint, base);
    return {
      endpoint: own.href.replace(/\/+$/, ''),
      prefixes: [own.origin, ...linkOrigins.map((o) => new URL(o).origin)].map((o) => `${o}/`),
    };
  });
  const postSelector = options.post ?? 'article';
  const postUrl = options.postUrl ?? defaultPostUrl;
  /** URL → product id (null: not a product), per endpoint, once asked. */
  const known = new Map<string, Promise<string | null>>();
  const seen = new WeakSet<Element>();
  let pending: { link: HTMLAnchorElement; to: Trusted }[] = [];

  const trustedFor = (href: string) =>
    trusted.find((t) => t.prefixes.some((p) => href.startsWith(p)));

  function lookUp(to: Trusted, urls: string[]) {
    const ask = urls.filter((u) => !known.has(`${to.endpoint} ${u}`));
    for (let i = 0; i < ask.length; i += MAX_URLS) {
      const batch = ask.slice(i, i + MAX_URLS);
      const answer = fetch(
        `${to.endpoint}/v1/resolve?urls=${batch.map(encodeURIComponent).join(',')}`,
        { credentials: 'omit', headers: { Accept: 'application/json' } },
      ).then((res) => (res.ok ? (res.json() as Promise<ResolveAnswer>) : null));
      for (const url of batch) {
        const key = `${to.endpoint} ${url}`;
        const id = answer.then(
          (a) => a?.resolved.find((r) => r.url === url)?.productId ?? null,
          () => null,
        );
        known.set(key, id);
        // No answer (offline, a 5xx): asked again when the link is seen again.
        answer.then(
          (a) => a ?? known.delete(key),
          () => known.delete(key),
        );
      }
    }
    return (url: string) => known.get(`${to.endpoint} ${url}`)!;
  }

  function flush() {
    const batch = pending;
    pending = [];
    for (const to of trusted) {
      const mine = batch.filter((b) => b.to === to);
      if (!mine.length) continue;
      const idOf = lookUp(to, [...new Set(mine.map((b) => b.link.href))]);
      for (const { link } of mine) {
        void idOf(link.href).then((id) => id && mount(link, to, id));
      }
    }
  }

  function mount(link: HTMLAnchorElement, to: Trusted, product: string) {
    const post = link.closest(postSelector);
    if (!post?.isConnected) return;
    // One button per product per post, whoever put it there.
    for (const el of post.querySelectorAll(SKIP))
      if (el.getAttribute('product') === product) return;
    const el = document.createElement(SKIP);
    el.setAttribute('product', product);
    el.setAttribute('endpoint', to.endpoint);
    const url = postUrl(post);
    if (url) el.setAttribute('post', url);
    link.after(el);
    void defineElement();
  }

  const near =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              near!.unobserve(entry.target);
              const link = entry.target as HTMLAnchorElement;
              const to = trustedFor(link.href);
              if (to) pending.push({ link, to });
            }
            // Everything that came into view together is asked about together.
            if (pending.length) flush();
          },
          // As the element itself: its product is read as soon as it is mounted.
          { rootMargin: '400px' },
        );

  function scan(node: ParentNode) {
    const links =
      node instanceof HTMLAnchorElement
        ? [node]
        : node.querySelectorAll<HTMLAnchorElement>('a[href]');
    for (const link of links) {
      if (seen.has(link) || !trustedFor(link.href)) continue;
      if (link.closest(SKIP) || !link.closest(postSelector)) continue;
      seen.add(link);
      if (near) near.observe(link);
      else pending.push({ link, to: trustedFor(link.href)! });
    }
    if (!near && pending.length) flush();
  }

  const added = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) scan(n);
  });
  added.observe(options.root, { childList: true, subtree: true });
  scan(options.root);

  return {
    stop() {
      added.disconnect();
      near?.disconnect();
      pending = [];
    },
  };
}
