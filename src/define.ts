import { BuyInPost } from './buy-in-post.ts';
import { lookUpFirstScreen } from './internal/first-screen.ts';
import { registerInSlices } from './internal/put-off.ts';

// A module script runs in the task that ends the page's parse, together with the page's own
// load-time style and layout (on a timeline of a thousand posts, ~100 ms of it). Upgrading the
// elements already on such a page is work of its own (~40 µs each), so while the document is
// still loading and holds more than a screenful of them, the tag is registered in a task of its
// own rather than on top of the page's. Elsewhere — a few elements, an app importing this module
// — it is registered at once. `customElements.whenDefined('buy-in-post')` covers both.
//
// On a page whose parse has just ended, the elements near the viewport are first found and their
// products asked for: from its layout in the module's own task, or on a timeline — where reading
// a position would lay out the whole page here if it has not been yet — its first elements at
// once and the near ones from its next frame. On a timeline the registration then waits for
// that answer: those elements are drawn priced as it comes, and the tag is registered after the
// frame that shows them — the first screen does not wait for a thousand upgrades
// (internal/first-screen.ts). Once registered, those elements are told they are near — not a
// frame later through the shared observer. A timeline's registration upgrades its elements and
// puts their connection to the page off to the tasks after it, a few milliseconds a task
// (internal/put-off.ts): the near ones first, in its own task.
const page = globalThis.document as Document | undefined; // none in a server render
const timeline =
  page && page.readyState !== 'complete' && page.getElementsByTagName('buy-in-post').length > 50;
const define = () => BuyInPost.define();
const register = timeline ? () => registerInSlices(define) : define;
if (page?.readyState === 'interactive')
  lookUpFirstScreen('buy-in-post', timeline ? BuyInPost.drawEarly : undefined)(register);
else if (timeline) setTimeout(register);
else register();

declare global {
  interface HTMLElementTagNameMap {
    'buy-in-post': BuyInPost;
  }
}

export * from './events.ts';
export { BuyInPost };
