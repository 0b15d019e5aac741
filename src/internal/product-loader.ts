import type { Product } from '../../server/src/protocol/index.ts';
import { ProtocolClient, ProtocolError } from './client.ts';

const MAX_BATCH = 50;
/** How long a loaded product is reused before the next request refreshes it. */
const FRESH_MS = 30_000;

interface Pending {
  resolve(p: Product | null): void;
  reject(e: unknown): void;
  fresh: boolean;
}

interface Entry {
  at: number;
  promise: Promise<Product | null>;
}

/**
 * One loader per endpoint, shared by every element on the page: ids asked for together go out
 * together (≤ 50 per request), and each product is fetched once and shared. Elements ask when
 * they near the viewport, and the shared observer (visibility.ts) tells every element that
 * neared in one frame in one callback: so a screenful goes out as one request, sent as that
 * callback ends — not a frame later.
 */
export class ProductLoader {
  private static readonly loaders = new Map<string, ProductLoader>();

  /** The page-wide loader for `endpoint`. */
  static for(endpoint: string): ProductLoader {
    let loader = ProductLoader.loaders.get(endpoint);
    if (!loader) {
      loader = new ProductLoader(new ProtocolClient(endpoint));
      ProductLoader.loaders.set(endpoint, loader);
    }
    return loader;
  }

  private readonly cache = new Map<string, Entry>();
  private pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(readonly client: ProtocolClient) {}

  /**
   * The product, or null when the endpoint does not know it. Rejects when unreachable.
   * `fresh` skips every cache (after a purchase or an out-of-stock answer).
   */
  load(id: string, { fresh = false } = {}): Promise<Product | null> {
    const hit = this.cache.get(id);
    if (!fresh && hit && Date.now() - hit.at < FRESH_MS) return hit.promise;
    const promise = new Promise<Product | null>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, fresh });
    });
    this.cache.set(id, { at: Date.now(), promise });
    // A failed load is not cached: the next element (or a retry) asks again.
    promise.catch(() => this.cache.delete(id));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
    return promise;
  }

  /** Sends what was asked for now, rather than once the task's script has run. */
  flush(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    // Fresh reads go in their own requests so the rest of the page keeps using the HTTP cache.
    for (const fresh of [false, true]) {
      const ids = [...batch].filter(([, p]) => p.fresh === fresh).map(([id]) => id);
      for (let i = 0; i < ids.length; i += MAX_BATCH)
        this.request(ids.slice(i, i + MAX_BATCH), batch, fresh);
    }
  }

  private request(chunk: string[], batch: Map<string, Pending>, fresh: boolean) {
    this.client.products(chunk, { fresh }).then(
      ({ products }) => {
        const byId = new Map(products.map((p) => [p.id, p]));
        for (const id of chunk) batch.get(id)!.resolve(byId.get(id) ?? null);
      },
      (err: unknown) => {
        const error =
          err instanceof ProtocolError ? err : new ProtocolError('network', 0, String(err));
        for (const id of chunk) batch.get(id)!.reject(error);
      },
    );
  }
}
