import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ProtocolClient, ProtocolError } from './client.ts';
import { ProductLoader } from './product-loader.ts';
import { isReturnFor } from './return.ts';
import type { Product } from './types.ts';
import { whenNearViewport } from './visibility.ts';

/**
 * The page's `<meta name="buy-in-post-endpoint">`, looked up once per task: a timeline's
 * thousand elements, upgraded together when the element is defined, ask for it once between
 * them. (Read again in the next task: a page may change it.)
 */
let metaEndpoint: string | null = null;
export function pageEndpoint(): string {
  if (metaEndpoint === null) {
    metaEndpoint =
      document.querySelector<HTMLMetaElement>('meta[name="buy-in-post-endpoint"]')?.content ?? '';
    queueMicrotask(() => {
      metaEndpoint = null;
    });
  }
  return metaEndpoint;
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'missing' | 'unreachable';

/** The element as this controller sees it: its product id and endpoint attributes. */
interface ProductHost extends ReactiveControllerHost, HTMLElement {
  readonly product: string;
  readonly endpoint: string;
}

/** What the element hears of. */
interface ProductEvents {
  /**
   * The element nears the viewport, or must show itself at once: it may render — once
   * `answered` settles, if given (its product's look-up).
   */
  near(answered?: Promise<void>): void;
  /** Bound to another product or endpoint: what was shown for the old one must go. */
  rebound(): void;
  /** The product was read (again). */
  loaded(product: Product): void;
  /** This page load is a return from a payment page for this element's checkout. */
  returned(): void;
}

/**
 * Which product the element shows, from which endpoint, and when it is fetched: once the
 * element nears the viewport, through the page-wide batching loader — or at once when the page
 * is a return from a payment page for this element's checkout. Bound to one endpoint and
 * product at a time: when the element is pointed elsewhere (`rebind()`), what was loaded is
 * forgotten and an answer still on its way for the old binding is dropped.
 */
export class ProductController implements ReactiveController {
  state: LoadState = 'idle';
  value: Product | null = null;
  /** Set when the endpoint speaks no protocol version this element does (docs/versioning.md). */
  notice: string | null = null;
  /** The endpoint and product bound now. */
  private bound = '';
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly host: ProductHost,
    private readonly events: ProductEvents,
  ) {
    host.addController(this);
  }

  /** The element's endpoint, else the page's `<meta name="buy-in-post-endpoint">`. */
  get endpoint(): string {
    return this.host.endpoint || pageEndpoint();
  }

  get client(): ProtocolClient {
    return ProductLoader.for(this.endpoint).client;
  }

  /** True when the element was pointed at another product or endpoint since the last binding. */
  get stale(): boolean {
    return this.binding() !== this.bound;
  }

  hostConnected() {
    // pointed elsewhere while off the page, or never bound yet
    if (this.stale) this.rebind();
    else this.watch();
  }

  hostDisconnected() {
    this.stopWatching?.();
    this.stopWatching = null;
  }

  /** Starts over for the element's product and endpoint now. */
  rebind() {
    this.value = null;
    this.notice = null;
    this.state = 'idle';
    this.events.rebound();
    this.watch();
  }

  /** Reads the product again (`fresh`: past every cache, after a purchase or out of stock). */
  async load({ fresh = false } = {}) {
    const { endpoint } = this;
    const id = this.host.product;
    if (!endpoint || !id) return this.set('unreachable');
    const bound = this.bound;
    if (!this.value) this.set('loading');
    try {
      const product = await ProductLoader.for(endpoint).load(id, { fresh });
      if (bound !== this.bound) return;
      this.value = product;
      this.set(product ? 'ready' : 'missing');
      if (product) this.events.loaded(product);
    } catch (err) {
      if (bound !== this.bound || this.value) return;
      this.set('unreachable');
      // It answered, but not as protocol v1 says: ask which versions it speaks (a lazy chunk).
      if ((err as ProtocolError).status)
        void import('./negotiate.ts')
          .then((m) => m.versionNotice(this.client.base, this.host))
          .then((notice) => {
            if (notice && bound === this.bound) {
              this.notice = notice;
              this.host.requestUpdate();
            }
          });
    }
  }

  private binding(): string {
    return `${this.endpoint} ${this.host.product}`;
  }

  private watch() {
    this.stopWatching?.();
    this.bound = this.binding();
    const id = this.host.product;
    if (id && this.endpoint && isReturnFor(this.client.base, id)) {
      // back from a payment page: show how it went, wherever the element is on the page
      this.events.near();
      void this.load().then(() => this.events.returned());
      return;
    }
    this.stopWatching = whenNearViewport(this.host, () => {
      this.stopWatching = null;
      this.events.near(id ? this.load() : undefined);
    });
  }

  private set(state: LoadState) {
    this.state = state;
    this.host.requestUpdate();
  }
}
