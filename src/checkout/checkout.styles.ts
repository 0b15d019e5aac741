import { type CSSResult, css } from 'lit';
import { stepStyles } from './steps/steps.styles.ts';
import { walletStyles } from './wallet/wallet.styles.ts';

/**
 * The dialog's shell: sheet, header, footer, buttons, totals, errors. Logical properties only,
 * so `dir="rtl"` on the dialog mirrors everything; colours come from the element's custom
 * properties (see buy-in-post.styles.ts), which follow `color-scheme` by default.
 */
const dialogStyles = css`
  /* The element's theme properties only the dialog uses (the rest: buy-in-post.styles.ts). */
  :host {
    --_surface: var(--buy-in-post-surface, Canvas);
    --_muted: var(--buy-in-post-muted, color-mix(in srgb, CanvasText 62%, Canvas));
  }
  dialog {
    /* Targets: 40px with a mouse, 44px under a finger (WCAG 2.5.5); never below 24px. */
    --_target: 2.5rem;
    --_danger: #b3261e;
    --_danger: light-dark(#b3261e, #ffb4ab);
    box-sizing: border-box;
    inline-size: min(32rem, 100vw - 2rem);
    max-block-size: min(90dvh, 48rem);
    padding: 0;
    border: 1px solid var(--_border);
    /* Not through --_radius: the top-level rule of the core's styles sets it to the button's. */
    border-radius: 16px;
    background: var(--_surface);
    color: var(--_text);
    font-family: var(--buy-in-post-font);
    line-height: 1.4;
    color-scheme: light dark;
    overflow: hidden;
  }
  dialog[open] {
    display: flex;
    flex-direction: column;
  }
  /* Out of the top layer while Stripe shows its 3-D Secure challenge (dialog.ts): same place. */
  dialog[open]:not(:modal) {
    position: fixed;
    inset: 0;
    margin: auto;
    z-index: 2147483000;
    max-block-size: min(90dvh, 48rem);
    box-shadow: 0 0 0 100vmax rgb(0 0 0 / 0.45);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  @media (pointer: coarse) {
    dialog {
      --_target: 2.75rem;
    }
  }
  /* Phones: a bottom sheet, full width, the action bar under the thumb. */
  @media (width < 600px) {
    dialog {
      inline-size: 100%;
      max-inline-size: 100%;
      max-block-size: 92dvh;
      margin-block: auto 0;
      margin-inline: 0;
      border-end-start-radius: 0;
      border-end-end-radius: 0;
      animation: sheet-in 220ms ease-out;
    }
  }
  @keyframes sheet-in {
    from {
      transform: translateY(100%);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    dialog {
      animation: none;
    }
  }
  header {
    display: flex;
    align-items: center;
    gap: var(--_spacing);
    padding-block: 0.75rem;
    padding-inline: 1rem;
    border-block-end: 1px solid var(--_border);
  }
  .titles {
    flex: 1;
    min-inline-size: 0;
  }
  .progress {
    margin: 0;
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  h2 {
    margin: 0;
    font-size: 1.125rem;
  }
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .body {
    /* Basis auto, not flex: 1's 0%: WebKit sizes the auto-height dialog from its items' bases, and
       a 0% basis collapsed it around a 32px scrolling body (Safari; npm run test:engines' axe). */
    flex: 1 1 auto;
    min-block-size: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 1rem;
    display: flex;
    flex-direction: column;
    gap: 1rem;
  }
  footer {
    display: grid;
    gap: 0.5rem;
    padding-block: 0.75rem max(0.75rem, env(safe-area-inset-bottom));
    padding-inline: 1rem;
    border-block-start: 1px solid var(--_border);
  }
  button,
  input,
  select,
  .link-button {
    font: inherit;
    min-block-size: var(--_target);
  }
  button,
  .link-button {
    cursor: pointer;
  }
  :is(button, a)[aria-disabled='true'],
  button:disabled {
    cursor: not-allowed;
  }
  :is(button, input, select, a):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .icon {
    min-inline-size: var(--_target);
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: transparent;
    color: inherit;
    font-size: 1.25rem;
    line-height: 1;
  }
  .primary,
  .link-button {
    box-sizing: border-box;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    padding-inline: 1rem;
    border-radius: 12px;
    text-decoration: none;
    font-weight: 600;
  }
  .primary {
    inline-size: 100%;
    border: 0;
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .primary:is(:disabled, [aria-disabled='true']) {
    opacity: 0.6;
  }
  .secondary {
    padding-inline: 1rem;
    border: 1px solid var(--_accent);
    border-radius: 12px;
    background: transparent;
    color: inherit;
  }
  .link {
    min-block-size: 1.5rem;
    padding: 0;
    border: 0;
    background: none;
    color: var(--_accent);
    text-decoration: underline;
  }
  @media (pointer: coarse) {
    .link {
      min-block-size: var(--_target);
    }
  }
  .totals {
    margin: 0;
    display: grid;
    gap: 0.25rem;
  }
  .totals div {
    display: flex;
    justify-content: space-between;
    gap: 1rem;
  }
  .totals dd {
    margin: 0;
  }
  .totals .total {
    font-weight: 700;
    border-block-start: 1px solid var(--_border);
    padding-block-start: 0.25rem;
  }
  .error {
    padding: 0.75rem;
    border-inline-start: 4px solid var(--_danger);
    border-radius: 10px;
    background: color-mix(in srgb, var(--_danger) 12%, transparent);
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
  .error p {
    margin: 0;
  }
  .message {
    margin: 0;
    color: var(--_danger);
    font-size: 0.875rem;
  }
  .help {
    margin: 0;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .badge {
    display: inline-block;
    margin: 0;
    padding-inline: 0.5rem;
    border-radius: 6px;
    background: #fbc02d;
    color: #111;
    font-weight: 700;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;

/** Adopted into the element's shadow root when the checkout chunk loads. */
export const checkoutStyles: CSSResult[] = [dialogStyles, stepStyles, walletStyles];
