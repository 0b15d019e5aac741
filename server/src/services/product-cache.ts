/**
 * Product look-ups kept in memory, already serialised: a timeline asks for the same few
 * products on every screen of every reader, and reading, shaping and serialising them each
 * time was most of what a look-up cost (issue 11). Two levels, both keyed in this process:
 *
 * - each product's public JSON (or "no such active product"), shared by every batch naming it;
 * - each answer's bytes and ETag, by the exact query (`?ids=…` or `/id`), so a repeat costs a
 *   map look-up.
 *
 * How stale it can be:
 * - A seller's change (product, variant, price, stock, the seller's name or shipping zones) is
 *   forgotten by the process that made it before its answer is sent, and by the others before
 *   their next look-up: each look-up first makes sure it has heard every change committed
 *   before it began ({@link ProductCache.sync}; db/changes.ts: PostgreSQL `NOTIFY` and a round
 *   trip on the listening connection; SQLite `data_version`). While a PostgreSQL process is not
 *   listening (starting, or its connection lost) it keeps nothing.
 * - Availability also moves with every checkout, which does not tell the cache: nothing kept is
 *   used once it is `ttlMs` old (`BIP_PRODUCT_CACHE_MS`, 1 s by default), measured from when
 *   its read began.
 * - A look-up asking not to be served from a cache (`Cache-Control: no-cache` or `max-age=0`,
 *   which `fetch(url, { cache: 'no-cache' })` sends) reads the database, and refreshes what is
 *   kept for the others.
 */
import { createHash } from 'node:crypto';
import type { ChangeFeed } from '../db/changes.ts';
import type { Clock } from '../util.ts';

/** A look-up's answer as sent: the body's bytes and its weak ETag. */
export interface ProductsAnswer {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** The bytes of a JSON text, as a kept answer holds them. */
export const utf8 = (text: string) => Buffer.from(text) as Uint8Array<ArrayBuffer>;

interface Kept<T> {
  value: T;
  /** When the read that produced it began (ms, the server's clock). */
  at: number;
}

/** What a load started at one moment may keep: nothing, if the cache forgot anything since. */
export interface LoadTicket {
  at: number;
  generation: number;
}

/** Topics on the change feed: a product, or a seller (whose name and zones every product shows). */
export const productTopic = (id: string) => `product:${id}`;
export const sellerTopic = (id: string) => `seller:${id}`;

/** The weak ETag of a body, as Hono's etag middleware made it before (SHA-1, hex). */
export function weakEtag(body: Uint8Array): string {
  return `W/"${createHash('sha1').update(body).digest('hex')}"`;
}

export class ProductCache {
  private readonly products = new Map<string, Kept<string | null>>();
  private readonly answers = new Map<string, Kept<ProductsAnswer>>();
  private readonly pending = new Map<string, Promise<ProductsAnswer>>();
  private answerBytes = 0;
  /** Moves on every forget: loads begun before it keep nothing. */
  private generation = 0;
  private live: boolean;

  constructor(
    private readonly opts: {
      /** 0 keeps nothing. */
      ttlMs: number;
      clock: Clock;
      changes: ChangeFeed;
      /** Products kept at most (about 1–2 kB each). */
      maxProducts?: number;
      /** Bytes of answers kept at most. */
      maxAnswerBytes?: number;
    },
  ) {
    this.live = opts.changes.live;
    if (opts.ttlMs <= 0) return;
    opts.changes.subscribe({
      changed: (topic) => {
        if (topic === null || topic.startsWith('seller:')) this.forget();
        else if (topic.startsWith('product:')) this.forget(topic.slice('product:'.length));
      },
      live: (live) => {
        this.live = live;
        this.forget();
      },
    });
  }

  private get enabled() {
    return this.opts.ttlMs > 0 && this.live;
  }

  private now() {
    return this.opts.clock.now().getTime();
  }

  private fresh(kept: Kept<unknown>, now: number) {
    // A clock set back counts as expired, never as younger.
    return now >= kept.at && now - kept.at < this.opts.ttlMs;
  }

  /**
   * Hears every change committed before the call (PostgreSQL: one round trip shared by the
   * look-ups of the moment; SQLite: one pragma). Await it before {@link answer}.
   */
  async sync(): Promise<void> {
    if (this.enabled) await this.opts.changes.sync();
  }

  /**
   * The answer kept for `key`, if it is fresh. Call it right after {@link sync}, which has
   * heard the changes (asking again here cost a second pragma per look-up on SQLite).
   */
  answer(key: string): ProductsAnswer | undefined {
    if (!this.enabled) return undefined;
    const kept = this.answers.get(key);
    if (!kept) return undefined;
    if (this.fresh(kept, this.now())) return kept.value;
    this.dropAnswer(key, kept);
    return undefined;
  }

  /** A product's kept JSON (`null`: kept as missing), or undefined when not kept or stale. */
  product(id: string): Kept<string | null> | undefined {
    if (!this.enabled) return undefined;
    const kept = this.products.get(id);
    if (!kept) return undefined;
    if (this.fresh(kept, this.now())) return kept;
    this.products.delete(id);
    return undefined;
  }

  /**
   * Call before a load (it asks the feed first, so kept products are current); pass the ticket
   * to keep what the load read.
   */
  ticket(): LoadTicket {
    if (this.enabled) this.opts.changes.poll();
    return { at: this.now(), generation: this.generation };
  }

  private current(ticket: LoadTicket) {
    return this.enabled && ticket.generation === this.generation;
  }

  keepProducts(ticket: LoadTicket, products: Iterable<[string, string | null]>) {
    if (!this.current(ticket)) return;
    const max = this.opts.maxProducts ?? 10_000;
    for (const [id, json] of products) {
      // Re-inserted, so the map's order stays oldest first for eviction.
      this.products.delete(id);
      this.products.set(id, { value: json, at: ticket.at });
      if (this.products.size > max) this.products.delete(this.products.keys().next().value!);
    }
  }

  /** Keeps an answer made from reads the oldest of which began at `at`. */
  keepAnswer(ticket: LoadTicket, at: number, key: string, answer: ProductsAnswer) {
    if (!this.current(ticket)) return;
    const old = this.answers.get(key);
    if (old) this.dropAnswer(key, old);
    this.answers.set(key, { value: answer, at });
    this.answerBytes += answer.body.byteLength;
    const max = this.opts.maxAnswerBytes ?? 16 * 1024 * 1024;
    for (const [k, kept] of this.answers) {
      if (this.answerBytes <= max) break;
      this.dropAnswer(k, kept);
    }
  }

  private dropAnswer(key: string, kept: Kept<ProductsAnswer>) {
    this.answers.delete(key);
    this.answerBytes -= kept.value.body.byteLength;
  }

  /**
   * One load at a time per key: concurrent look-ups of the same thing share it. A forget drops
   * the loads in flight, so a look-up after a change never joins a read begun before it.
   */
  shared(key: string, load: () => Promise<ProductsAnswer>): Promise<ProductsAnswer> {
    if (!this.enabled) return load();
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const p = load().finally(() => {
      if (this.pending.get(key) === p) this.pending.delete(key);
    });
    this.pending.set(key, p);
    return p;
  }

  /** Forgets one product (and every answer, any of which may name it), or everything. */
  forget(productId?: string) {
    this.generation++;
    this.pending.clear();
    this.answers.clear();
    this.answerBytes = 0;
    if (productId === undefined) this.products.clear();
    else this.products.delete(productId);
  }
}
