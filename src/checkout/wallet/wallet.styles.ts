import { css } from 'lit';

/**
 * The wallet's pieces: the line about saved details above a step, saved addresses and cards to
 * choose from, and the panels (sign-in, saved details). Logical properties only (RTL mirrors).
 */
export const walletStyles = css`
  .wallet-bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    column-gap: 0.5rem;
    padding-block: 0.25rem;
    padding-inline: 0.75rem;
    border-radius: 10px;
    background: color-mix(in srgb, var(--_accent) 8%, transparent);
    font-size: 0.9375rem;
  }
  .wallet-bar p {
    margin: 0;
  }
  .saved-choices {
    display: grid;
    gap: 0.5rem;
  }
  .saved-choice {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-block-size: var(--_target);
    padding-inline: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 10px;
  }
  .saved-choice:has(input:checked) {
    border: 2px solid var(--_accent);
  }
  .saved-choice input {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    min-block-size: 1.25rem;
    margin: 0;
  }
  .saved-choice label {
    flex: 1;
    padding-block: 0.5rem;
    cursor: pointer;
  }
  .wallet-form .row {
    display: flex;
    flex-wrap: wrap;
    gap: 1rem;
  }
  .saved-section {
    display: grid;
    gap: 0.5rem;
    justify-items: start;
    padding-block-end: 0.75rem;
    border-block-end: 1px solid var(--_border);
  }
  .saved-section:last-child {
    border-block-end: 0;
  }
  .saved-section h3 {
    margin: 0;
    font-size: 1rem;
  }
  .saved-section h3:focus {
    outline: none;
  }
  .saved-section h3:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .saved-section p {
    margin: 0;
  }
  .saved-list {
    display: grid;
    gap: 0.25rem;
    inline-size: 100%;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .saved-list li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .confirm {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .confirm p {
    flex-basis: 100%;
  }
  .danger-button {
    padding-inline: 1rem;
    border: 0;
    border-radius: 12px;
    background: var(--_danger);
    color: var(--_surface);
    font-weight: 600;
  }
`;
