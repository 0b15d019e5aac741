// Shared helpers for the element tests: the endpoint's address and catalogue (from the test
// page, see web-test-runner.config.mjs), server commands, and ways to find things in the
// element by role, label and part — the only contract the tests rely on.
import { fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/define.ts';
import type { BuyInPost } from '../../src/buy-in-post.ts';

export interface TeeInfo {
  id: string;
  /** "Size/Colour" → variant id, e.g. variants['M/Black']. */
  variants: Record<string, string>;
}

interface TestEnvironment {
  endpoint: string;
  catalogue: {
    tee: TeeInfo;
    from: string;
    soldOut: string;
    digital: { id: string; variant: string };
    errors: TeeInfo;
  };
}

const BIP = (window as unknown as { __BIP__: TestEnvironment }).__BIP__;

/** The reference endpoint started for this run. */
export const ENDPOINT: string = BIP.endpoint;
/** Products made once for the run (read-only tests share them; buying tests make their own). */
export const CATALOGUE = BIP.catalogue;

/** Runs one of the server commands in test/helpers/endpoint.mjs. */
export function cmd<T = unknown>(name: string, payload?: unknown): Promise<T> {
  return executeServerCommand<T, unknown>(name, payload);
}

/** A fresh T-shirt (S/M/L × Black/Sand; Sand S sold out, Sand L not made), stock of its own. */
export const newTee = (opts: { stock?: number; price?: number; title?: string } = {}) =>
  cmd<TeeInfo>('bip-new-tee', opts);
export const newDigital = (opts: { price?: number; content?: string } = {}) =>
  cmd<{ id: string; variant: string }>('bip-new-digital', opts);

export interface VariantInput {
  options?: Record<string, string>;
  price: number;
  stock?: number | null;
  compareAtPrice?: number | null;
}
/** Any product, through the seller API; variant ids are `${id}-1`, `${id}-2`, … */
export const newProduct = (opts: {
  /** The product's id; by default a fresh one. */
  id?: string;
  title?: string;
  kind?: 'physical' | 'digital';
  options?: { name: string; values: string[] }[];
  variants?: VariantInput[];
}) => cmd<{ id: string; variants: { id: string }[] }>('bip-new-product', opts);

export const variantId = (productId: string, size: string, colour: string) =>
  `${productId}-${size.toLowerCase()}-${colour.toLowerCase()}`;

export interface CheckoutRow {
  id: string;
  status: string;
  quantity: number;
  variant_id: string;
  expires_at: string;
}
export const checkoutsOf = (productId: string) =>
  cmd<CheckoutRow[]>('bip-checkouts', { productId });

export interface Order {
  id: string;
  number: string;
  quantity: number;
  variantId: string;
  productId: string;
  postRef: string | null;
  email: string | null;
  total: { amount: number; currency: string };
  shippingAddress: { name: string; city: string; country: string } | null;
}
export const ordersOf = (productId: string) => cmd<Order[]>('bip-orders', { productId });

/** `oneEvent`, typed by the event map: arm it before the act that fires the event. */
export function oneEventOf<K extends keyof GlobalEventHandlersEventMap>(
  target: EventTarget,
  type: K,
): Promise<GlobalEventHandlersEventMap[K]> {
  return oneEvent(target, type) as unknown as Promise<GlobalEventHandlersEventMap[K]>;
}

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
  // no shadow root yet while far from the viewport
  return el.shadowRoot?.querySelector<HTMLButtonElement>('button[part="button"]') ?? null;
}

export function dialog(el: BuyInPost): HTMLDialogElement | null {
  return el.shadowRoot!.querySelector('dialog');
}

export function step(el: BuyInPost): string | null {
  return el.shadowRoot!.querySelector('[part="body"]')?.getAttribute('data-step') ?? null;
}

/** Waits until the dialog shows `name` and nothing is in flight. */
export async function waitForStep(el: BuyInPost, name: string) {
  await waitUntil(
    () => step(el) === name && !el.shadowRoot!.querySelector('[aria-busy="true"]'),
    `step ${name} (now ${step(el)})`,
    { timeout: 10_000 },
  );
}

export function q<T extends Element = HTMLElement>(el: BuyInPost, selector: string): T {
  const found = el.shadowRoot!.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector} in the element`);
  return found;
}

/** The element focused inside the element's shadow root. */
export function focused(el: BuyInPost): Element | null {
  return el.shadowRoot!.activeElement;
}

/** The radio for an option value, found by its visible label text. */
export function radio(el: BuyInPost, value: string): HTMLInputElement {
  const label = [...el.shadowRoot!.querySelectorAll('label')].find((l) =>
    l.textContent?.trim().startsWith(value),
  );
  if (!label) throw new Error(`no option ${value}`);
  return el.shadowRoot!.getElementById(label.htmlFor) as HTMLInputElement;
}

/** The form control whose label starts with `text` (what a sighted reader goes by). */
export function field<T extends HTMLElement = HTMLInputElement>(el: BuyInPost, text: string): T {
  const label = [...el.shadowRoot!.querySelectorAll('label')].find((l) =>
    l.textContent?.trim().startsWith(text),
  );
  const control = label?.control;
  if (!control) throw new Error(`no field labelled ${text}`);
  return control as unknown as T;
}

/** A button by its visible text (or accessible label). */
export function button(el: BuyInPost, text: string | RegExp): HTMLButtonElement {
  const match = (s: string | null | undefined) =>
    !!s && (typeof text === 'string' ? s.trim().includes(text) : text.test(s.trim()));
  const found = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find(
    (b) => match(b.textContent) || match(b.getAttribute('aria-label')),
  );
  if (!found) throw new Error(`no button ${text}`);
  return found;
}

export function primary(el: BuyInPost): HTMLButtonElement {
  return q<HTMLButtonElement>(el, '[part="primary"]');
}

export function errorText(el: BuyInPost): string {
  return el.shadowRoot!.querySelector('[part="error"]')?.textContent?.replace(/\s+/g, ' ') ?? '';
}

export function typeInto(el: BuyInPost, selector: string, value: string) {
  const input = q<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

/** Sets the control labelled `label` (synthetic input: for steps tested elsewhere by hand). */
export async function setValue(el: BuyInPost, label: string, value: string) {
  const input = field<HTMLInputElement | HTMLSelectElement>(el, label);
  input.value = value;
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  await el.updateComplete;
}

/** Buy → product → shipping, filled (by field id: any language) — the shipping step's answer is next. */
export async function toFilledShipping(el: BuyInPost, country = 'US') {
  buyButton(el)!.click();
  await waitForStep(el, 'product');
  primary(el).click();
  await waitForStep(el, 'shipping');
  await fillShipping(el, country);
}

/** Buy → product → shipping (filled) → the payment step. */
export async function toPaymentStep(el: BuyInPost, country = 'US') {
  await toFilledShipping(el, country);
  primary(el).click();
  await waitForStep(el, 'payment');
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

// ---- real input -------------------------------------------------------------------------------

/**
 * Scrolls `target` into view and waits for the frame that draws it there: a reader points at
 * what is on screen. (A Buy button is `content-visibility: auto`: until a frame has found it
 * near the viewport, the browser skips its contents, hit testing included.)
 */
async function onScreen(target: Element) {
  target.scrollIntoView({ block: 'center', inline: 'center' });
  await new Promise(requestAnimationFrame);
}

/** A real mouse click in the middle of `target` (scrolled into view first). */
export async function clickOn(target: Element) {
  await onScreen(target);
  const r = target.getBoundingClientRect();
  await sendMouse({
    type: 'click',
    position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)],
  });
}

/** Moves the real mouse pointer over `target`. */
export async function hover(target: Element) {
  await onScreen(target);
  const r = target.getBoundingClientRect();
  await sendMouse({
    type: 'move',
    position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)],
  });
}

/** Presses `key` until `done()` holds (at most `max` times): Tab to a control, say. */
export async function pressUntil(key: string, done: () => boolean, what: string, max = 40) {
  for (let i = 0; i < max && !done(); i++) await sendKeys({ press: key });
  if (!done()) throw new Error(`pressed ${key} ${max} times and never reached ${what}`);
}

/** Tabs (forwards) until the focus is on `target` inside the element. */
export function tabTo(el: BuyInPost, target: () => Element | null, what: string) {
  return pressUntil('Tab', () => !!target() && focused(el) === target(), what);
}

// ---- requests ---------------------------------------------------------------------------------

/** Every request the page made whose URL contains `part` (resource timing; survives caches). */
export function requestsTo(part: string): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => n.includes(part));
}

/** Product look-ups (GET /v1/products?ids=…) that asked for `id`. */
export function lookupsOf(id: string): string[] {
  return requestsTo('/v1/products?ids=').filter((url) =>
    decodeURIComponent(new URL(url).searchParams.get('ids') ?? '')
      .split(',')
      .includes(id),
  );
}
