import { css } from 'lit';

/**
 * Styles of the core chunk: the Buy button. The checkout dialog brings its own. (Comments stay
 * out here: inside css`` they would ship in the bundle.)
 *
 * - The shadow root's top-level nodes (`:host > *`), not the host, give the defaults of the
 *   public custom properties (a value set by the page, inherited, wins; `--buy-in-post-font`
 *   unset means the host page's font). A host that declares or reads a custom property is
 *   restyled in full whenever something it inherits changes — and opening a modal dialog makes
 *   the whole page inert, which every element inherits: on a timeline of a thousand Buy buttons
 *   that was a thousand more full restyles on the way to the dialog (issue 11). That rule comes
 *   after `[part='button']`, so its `font-family` wins over the button's `font: inherit`. Those
 *   only the dialog uses (`--_surface`, `--_muted`) come with the checkout chunk's styles.
 * - The Buy button's height is 2.5rem, or its padding and one line of text if that is more:
 *   `max(2.5rem, calc(1rem + 1.2em))`. The placeholder, the skeleton and the button all take it,
 *   written out in each (as the page's own rule does, docs/embedding.md): a custom property for
 *   it would have to be declared on the host, which the point above rules out.
 * - Hovered, the button lightens its background, not `filter: brightness()`: a filter gives
 *   the button a layer of its own, so the pointer's arrival laid out the whole page again (and
 *   updated its layers) on the way to the press — on a timeline, several milliseconds of it.
 *   At once, with no transition: one on the background would also ease every other change of
 *   it (the page's theme, sold out).
 * - The host is an inline flex box, not inline-block: no line box (and no strut) inside, so it
 *   is exactly as tall as what it shows, whatever the page's font size and line height.
 * - The host is `content-visibility: auto` once it has been drawn and then been far from the
 *   viewport (`:state(far)`): off screen, the browser skips its shadow tree's style, layout and
 *   paint, and keeps its last size (`contain-intrinsic-size: auto …`). Not from the start: the
 *   frame that first draws an element with it decides in a second pass whether to skip it — on a
 *   timeline's first screen ~10 ms more on the way to the prices (issue 11) — and given to an
 *   element on screen, it skips it (hit testing too) until a frame finds it there. Opening the
 *   checkout's modal dialog makes the whole page inert, which restyles every element — and a
 *   native <button> always in full: on a timeline scrolled through, a thousand Buy buttons were
 *   restyled and pre-painted on the way to the dialog (issue 11). Its paint containment would
 *   clip the button's focus ring: `overflow-clip-margin` draws it in full, and an engine without
 *   that property (WebKit) lifts the containment while the focus is inside. The dialog escapes
 *   it in the top layer; checkout/dialog.ts lifts it while the dialog is out of it (3-D Secure).
 * - Until the price arrives the host is a box of the button's size (`:state(loading)`): nothing
 *   moves when the button replaces it. (Far from the viewport there is no shadow root, so none
 *   of this applies yet: the page's own rule, docs/embedding.md, sizes the box.)
 */
export const styles = css`
  :host {
    display: inline-flex;
    color-scheme: light dark;
    vertical-align: middle;
    contain-intrinsic-size: auto 7.5rem auto max(2.5rem, calc(1rem + 1.2em));
    overflow-clip-margin: 6px;
  }
  :host([hidden]) {
    display: none;
  }
  :host(:state(far)) {
    content-visibility: auto;
  }
  @supports not (overflow-clip-margin: 6px) {
    :host(:focus-within) {
      content-visibility: visible;
    }
  }
  :host(:state(loading)) {
    min-inline-size: 7.5rem;
    min-block-size: max(2.5rem, calc(1rem + 1.2em));
  }
  [part='button'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_spacing);
    min-block-size: max(2.5rem, calc(1rem + 1.2em));
    min-inline-size: 2.5rem;
    padding-block: 0.5rem;
    padding-inline: 1rem;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--_on-accent);
    font: inherit;
    font-weight: 600;
    line-height: 1.2;
    cursor: pointer;
  }
  :host > * {
    --_accent: var(--buy-in-post-accent, #1d4ed8);
    --_on-accent: var(--buy-in-post-on-accent, #ffffff);
    --_radius: var(--buy-in-post-radius, 999px);
    --_spacing: var(--buy-in-post-spacing, 0.5rem);
    --_text: var(--buy-in-post-text, CanvasText);
    --_border: var(--buy-in-post-border, color-mix(in srgb, CanvasText 18%, Canvas));
    font-family: var(--buy-in-post-font);
  }
  [part='button']:hover:not(:disabled) {
    background-color: color-mix(in srgb, var(--_accent) 90%, white);
  }
  [part='button']:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  [part='button']:disabled {
    cursor: not-allowed;
    background: var(--_border);
    color: var(--_text);
  }
  [part='skeleton'] {
    display: block;
    inline-size: 7.5rem;
    block-size: max(2.5rem, calc(1rem + 1.2em));
    border-radius: var(--_radius);
    background: linear-gradient(90deg, var(--_border), transparent, var(--_border));
    background-size: 200% 100%;
    animation: shimmer 1.2s linear infinite;
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    [part='skeleton'] {
      animation: none;
    }
  }
`;
