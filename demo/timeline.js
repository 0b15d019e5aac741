// The timeline demo's own script (a file, not inline: the demo pages run under a CSP with no
// 'unsafe-inline', as a careful host would).
// Light / dark: the page sets color-scheme; the element follows it (no attribute needed).
const schemes = ['auto', 'light', 'dark'];
const button = document.querySelector('#scheme');
button.addEventListener('click', () => {
  const next = schemes[(schemes.indexOf(button.dataset.scheme ?? 'auto') + 1) % 3];
  button.dataset.scheme = next;
  button.textContent = `Theme: ${next}`;
  document.documentElement.style.colorScheme = next === 'auto' ? '' : next;
});

// A host can wire analytics with the element's events alone.
for (const type of [
  'buy-in-post-open',
  'buy-in-post-checkout-start',
  'buy-in-post-purchase',
  'buy-in-post-error',
  'buy-in-post-close',
]) {
  document.addEventListener(type, (e) => console.info(type, e));
}
