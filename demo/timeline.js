// The timeline demo's own script (a file, not inline: the demo pages run under a CSP with no
// 'unsafe-inline', as a careful host would).
// The script-tag build's links module: it loads the same /dist/buy-in-post.js as the page's tag.
import { upgradeLinks } from '/dist/buy-in-post-links.js';

// A social client's posts are text and links: product links to the endpoint it trusts (here the
// demo's own, "/") become Buy buttons beside the link, in posts there now and added later.
for (const a of document.querySelectorAll('a.product-link')) a.textContent = a.href;
upgradeLinks({ root: document.querySelector('main'), endpoints: ['/'], post: 'article.post' });

// Light / dark: the page sets color-scheme; the element follows it (no attribute needed).
const schemes = ['auto', 'light', 'dark'];
const button = document.querySelector('#scheme');
button.addEventListener('click', () => {
  const next = schemes[(schemes.indexOf(button.dataset.scheme ?? 'auto') + 1) % 3];
  button.dataset.scheme = next;
  button.textContent = `Theme: ${next}`;
  document.documentElement.style.colorScheme = next === 'auto' ? '' : next;
});

// "Signed-in reader": the page acts as a host platform whose reader is signed in. Murmur's server
// (demo/site.ts) signs a short-lived buyer token for them on request; every element gets a way
// to ask for one, and the checkout opens their saved details in one tap, no code. Off: the
// reader signed out of Murmur, so the checkout forgets their session too.
const SIGNED_IN = 'murmur:signed-in-reader';
const signedIn = document.querySelector('#signed-in');
signedIn.checked = localStorage.getItem(SIGNED_IN) === '1';

async function buyerToken() {
  const res = await fetch('/demo/buyer-token', { method: 'POST' });
  return res.ok ? (await res.json()).token : null;
}
if (signedIn.checked) {
  for (const el of document.querySelectorAll('buy-in-post')) el.getBuyerToken = buyerToken;
  // and the buttons the links module puts beside product links, as they come
  new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes) if (n.localName === 'buy-in-post') n.getBuyerToken = buyerToken;
  }).observe(document.querySelector('main'), { childList: true, subtree: true });
}
signedIn.addEventListener('change', () => {
  if (signedIn.checked) localStorage.setItem(SIGNED_IN, '1');
  else {
    localStorage.removeItem(SIGNED_IN);
    for (const storage of [localStorage, sessionStorage]) {
      for (const key of Object.keys(storage))
        if (key.startsWith('buy-in-post:buyer')) storage.removeItem(key);
    }
  }
  location.reload();
});

// A host can wire analytics with the element's events alone.
for (const type of [
  'buy-in-post-open',
  'buy-in-post-checkout-start',
  'buy-in-post-purchase',
  'buy-in-post-error',
  'buy-in-post-close',
  'buy-in-post-signed-in',
  'buy-in-post-details-deleted',
]) {
  document.addEventListener(type, (e) => console.info(type, e));
}
