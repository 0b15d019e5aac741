import { css } from 'lit';

/** The steps' own layout: product, option picker, quantity, forms, review, confirmation. */
export const stepStyles = css`
  .images {
    display: flex;
    gap: 0.5rem;
    margin: 0;
    padding: 0;
    list-style: none;
    flex-wrap: wrap;
  }
  [part='image'] {
    display: block;
    inline-size: 7.5rem;
    block-size: 7.5rem;
    object-fit: cover;
    border-radius: 12px;
    background: var(--_border);
  }
  .title {
    margin: 0;
    font-size: 1.0625rem;
  }
  .seller,
  .optional,
  .reason,
  .description {
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
    min-inline-size: 0;
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
  /* The native radio stays in the tree (keyboard, name, state); its label is what is drawn. */
  .choice input {
    position: absolute;
    inset-block-start: 0;
    inset-inline-start: 0;
    inline-size: 1px;
    block-size: 1px;
    margin: 0;
    opacity: 0;
  }
  .choice label {
    box-sizing: border-box;
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-block-size: var(--_target);
    min-inline-size: var(--_target);
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
    border-style: dashed;
    color: var(--_muted);
  }
  .chip {
    order: -1;
    inline-size: 1.25rem;
    block-size: 1.25rem;
    border-radius: 999px;
    background: var(--swatch);
    border: 1px solid var(--_border);
  }
  /* A colour we cannot draw: a neutral hatch, the name beside it says which. */
  .chip.unknown {
    background: repeating-linear-gradient(
      45deg,
      var(--_border) 0 3px,
      transparent 3px 6px
    );
  }
  .quantity {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .quantity label {
    margin-inline-end: auto;
  }
  .quantity input {
    box-sizing: border-box;
    inline-size: 4.5rem;
    text-align: center;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: transparent;
    color: inherit;
  }
  .low {
    inline-size: 100%;
    margin: 0;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .live-total {
    margin: 0;
    font-weight: 600;
  }
  .alternatives p {
    margin-block: 0 0.5rem;
  }
  .alternatives ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  .field input:not([type='checkbox']),
  .field select {
    box-sizing: border-box;
    inline-size: 100%;
    padding-inline: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: transparent;
    color: inherit;
  }
  .field :is(input, select)[aria-invalid='true'] {
    border: 2px solid var(--_danger);
  }
  .checkbox {
    grid-template-columns: auto 1fr;
    align-items: center;
    column-gap: 0.5rem;
  }
  .checkbox input {
    inline-size: 1.5rem;
    block-size: 1.5rem;
    min-block-size: 1.5rem;
    margin: 0;
  }
  .checkbox .help {
    grid-column: 2;
  }
  .test-mode {
    padding: 0.75rem;
    border: 2px dashed #fbc02d;
    border-radius: 12px;
  }
  .redirect {
    display: grid;
    gap: 0.75rem;
  }
  .redirect p {
    margin: 0;
  }
  .review {
    display: grid;
    gap: 0.25rem;
    justify-items: start;
    padding-block-end: 0.75rem;
    border-block-end: 1px solid var(--_border);
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
    justify-items: center;
  }
  .done p {
    margin: 0;
  }
  .thanks {
    font-size: 1.5rem;
    font-weight: 700;
  }
  .order-number {
    font-size: 1.125rem;
  }
  .refund {
    font-weight: 600;
  }
`;
