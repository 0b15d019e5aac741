/**
 * The links module for one script tag (`dist/buy-in-post-links.js`): the page names the
 * endpoints it trusts in `<meta name="buy-in-post-links" content="https://shop.example …">`
 * (space-separated) and every `article` of the page is watched. Pages that need more (another
 * post selector, sellers' own shops) import `buy-in-post/links` and call `upgradeLinks()` — or,
 * on a page that loads the element by script tag (no bundler), import `upgradeLinks` from this
 * file: it loads that same dist/buy-in-post.js, where `buy-in-post/links` would bring a copy of
 * its own (the npm build's).
 */
import { upgradeLinks } from './upgrade.ts';

export { upgradeLinks };

const endpoints =
  document
    .querySelector<HTMLMetaElement>('meta[name="buy-in-post-links"]')
    ?.content.split(/\s+/)
    .filter(Boolean) ?? [];
if (endpoints.length) upgradeLinks({ root: document, endpoints });
