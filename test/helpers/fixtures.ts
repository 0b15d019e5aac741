import { fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/define.ts';
import type { BuyInPost } from '../../src/buy-in-post.ts';

export const ENDPOINT: string = (window as unknown as { __BIP__: { endpoint: string } }).__BIP__
  .endpoint;

export interface Tee {
  id: string;
}

/** Runs one of the endpoint commands in test/helpers/endpoint.mjs. */
export function cmd<T = unknown>(name: string, payload?: unknown): Promise<T> {
  return executeServerCommand<T, unknown>(name, payload);
}

export const newTee = (opts: { stock?: number; price?: number } = {}) =>
  cmd<{ id: string }>('bip-new-tee', opts);
export const variantId = (productId: string, size: string, colour: string) =>
  `${productId}-${size.toLowerCase()}-${colour.toLowerCase()}`;

/** Mounts an element and waits for its Buy button (price loaded). */
export async function mountReady(
  productId: string,
  attrs: { locale?: string; post?: string } = {},
): Promise<BuyInPost> {
  const el = await fixture<BuyInPost>(
    html`<buy-in-post product=${productId} endpoint=${ENDPOINT} locale=${attrs.locale ?? ''} post=${attrs.post ?? ''}></buy-in-post>`,
  );
  await waitUntil(() => buyButton(el), 'the Buy button appears', { timeout: 10_000 });
  return el;
}

export function buyButton(el: BuyInPost): HTMLButtonElement | null {
  return el.shadowRoot!.querySelector<HTMLButtonElement>('button[part="button"]');
}

export function dialog(el: BuyInPost): HTMLDialogElement | null {
  return el.shadowRoot!.querySelector('dialog');
}

export function step(el: BuyInPost): string | null {
  return el.shadowRoot!.querySelector('[part="body"]')?.getAttribute('data-step') ?? null;
}

export async function waitForStep(el: BuyInPost, name: string) {
  await waitUntil(
    () => step(el) === name && !el.shadowRoot!.querySelector('[aria-busy="true"]'),
    `step ${name}`,
    { timeout: 10_000 },
  );
}

export function q<T extends Element = HTMLElement>(el: BuyInPost, selector: string): T {
  const found = el.shadowRoot!.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector} in the element`);
  return found;
}

/** The radio for an option value, found by its visible label text. */
export function radio(el: BuyInPost, value: string): HTMLInputElement {
  const label = [...el.shadowRoot!.querySelectorAll('label')].find((l) =>
    l.textContent?.trim().startsWith(value),
  );
  if (!label) throw new Error(`no option ${value}`);
  return el.shadowRoot!.getElementById(label.htmlFor) as HTMLInputElement;
}

export function primary(el: BuyInPost): HTMLButtonElement {
  return q<HTMLButtonElement>(el, '[part="primary"]');
}

export function typeInto(el: BuyInPost, selector: string, value: string) {
  const input = q<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

export async function fillShipping(el: BuyInPost, country = 'US') {
  typeInto(el, '#f-email', 'ada@example.com');
  typeInto(el, '#f-name', 'Ada Reader');
  typeInto(el, '#f-line1', '1 Main St');
  typeInto(el, '#f-city', 'Springfield');
  typeInto(el, '#f-postalCode', '12345');
  const select = q<HTMLSelectElement>(el, '#f-country');
  select.value = country;
  select.dispatchEvent(new Event('change'));
  await el.updateComplete;
}
