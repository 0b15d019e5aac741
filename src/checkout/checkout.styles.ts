import { css } from 'lit';

/** The checkout dialog's styles, adopted into the element's shadow root when the chunk loads. */
export const checkoutStyles = css`
  dialog {
    box-sizing: border-box;
    inline-size: min(32rem, 100vw - 2rem);
    max-block-size: min(90dvh, 48rem);
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: 16px;
    background: var(--_surface);
    color: var(--_text);
    font-family: var(--buy-in-post-font);
    color-scheme: light dark;
    overflow: hidden;
    display: flex;
    flex-direction: column;
  }
  dialog:not([open]) {
    display: none;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  /* Phones: a bottom sheet, full width, thumbs within reach. */
  @media (max-width: 599px) {
    dialog {
      inline-size: 100vw;
      max-inline-size: 100vw;
      margin-block: auto 0;
      margin-inline: 0;
      border-end-start-radius: 0;
      border-end-end-radius: 0;
      max-block-size: 92dvh;
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
  }
  .body {
    overflow-y: auto;
    padding-block: 1rem;
    padding-inline: 1rem;
    display: flex;
    flex-direction: column;
    gap: 1rem;
  }
  button,
  input,
  select,
  .link-button {
    font: inherit;
    min-block-size: 2.75rem;
  }
  button {
    cursor: pointer;
  }
  button:disabled {
    cursor: not-allowed;
  }
  :is(button, input, select, a):focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .icon {
    min-inline-size: 2.75rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: transparent;
    color: inherit;
    font-size: 1.25rem;
    line-height: 1;
  }
  .primary,
  .link-button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    inline-size: 100%;
    padding-inline: 1rem;
    border: 0;
    border-radius: 12px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
    text-decoration: none;
  }
  .primary:disabled {
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
  footer {
    position: sticky;
    inset-block-end: -1rem;
    padding-block: 0.5rem 0;
    background: var(--_surface);
  }
  .product {
    display: flex;
    gap: 1rem;
    align-items: flex-start;
  }
  [part='image'] {
    inline-size: 6rem;
    block-size: 6rem;
    object-fit: cover;
    border-radius: 12px;
    background: var(--_border);
  }
  .title {
    margin: 0;
    font-size: 1rem;
  }
  .seller,
  .help,
  .optional,
  .reason {
    margin: 0;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .price {
    margin-block: 0.25rem 0;
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
  }
  .now {
    font-weight: 700;
    font-size: 1.125rem;
  }
  .was {
    color: var(--_muted);
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    margin-block-end: 0.5rem;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .choice {
    position: relative;
  }
  .choice input {
    position: absolute;
    opacity: 0;
    inline-size: 1px;
    block-size: 1px;
  }
  .choice label {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-block-size: 2.75rem;
    min-inline-size: 2.75rem;
    box-sizing: border-box;
    padding-inline: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 10px;
    cursor: pointer;
  }
  .choice input:checked + label {
    border: 2px solid var(--_accent);
    font-weight: 600;
  }
  .choice input:focus-visible + label {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .choice input:disabled + label {
    cursor: not-allowed;
    opacity: 0.55;
    text-decoration: line-through;
  }
  .swatch {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    border-radius: 999px;
    background: var(--swatch);
    border: 1px solid var(--_border);
  }
  .quantity {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .quantity .label {
    margin-inline-end: auto;
  }
  .quantity input {
    inline-size: 4rem;
    text-align: center;
  }
  .low {
    inline-size: 100%;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .live-total {
    margin: 0;
    font-weight: 600;
  }
  .totals {
    margin: 0;
    display: grid;
    gap: 0.25rem;
  }
  .totals div {
    display: flex;
    justify-content: space-between;
  }
  .totals dd {
    margin: 0;
  }
  .totals .total {
    font-weight: 700;
    border-block-start: 1px solid var(--_border);
    padding-block-start: 0.25rem;
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  .field input,
  .field select {
    box-sizing: border-box;
    inline-size: 100%;
    padding-inline: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: transparent;
    color: inherit;
  }
  .field input[aria-invalid='true'],
  .field select[aria-invalid='true'] {
    border-color: #c62828;
  }
  .checkbox {
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  .checkbox input {
    inline-size: 1.5rem;
    min-block-size: 1.5rem;
  }
  .message {
    margin: 0;
    color: #b3261e;
    font-size: 0.875rem;
  }
  .error {
    padding: 0.75rem;
    border-radius: 10px;
    background: color-mix(in srgb, #c62828 12%, transparent);
    display: grid;
    gap: 0.5rem;
  }
  .error p {
    margin: 0;
  }
  .alternatives ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .badge {
    display: inline-block;
    padding-inline: 0.5rem;
    border-radius: 6px;
    background: #fbc02d;
    color: #111;
    font-weight: 700;
  }
  .test-mode {
    padding: 0.75rem;
    border: 2px dashed #fbc02d;
    border-radius: 12px;
  }
  .review {
    display: grid;
    gap: 0.25rem;
    justify-items: start;
  }
  .review h3 {
    margin: 0;
    font-size: 1rem;
  }
  .review p,
  address {
    margin: 0;
    font-style: normal;
  }
  .done {
    text-align: center;
    display: grid;
    gap: 0.5rem;
  }
  .thanks {
    font-size: 1.5rem;
    font-weight: 700;
    margin: 0;
  }
  .order-number {
    font-size: 1.125rem;
    margin: 0;
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
