/**
 * Buyers' product look-ups (`GET /v1/products?ids=…`, `GET /v1/products/{id}`): active products
 * only, in the protocol's public view (catalog-view.ts), answered as bytes kept in memory with
 * their ETag (product-cache.ts says for how long, and how changes reach every process). What
 * a timeline asks for on every screen, so what the endpoint does most.
 */
import type { SellerRow } from '../db/schema.ts';
import type { Product, ResolveAnswer } from '../protocol/products.ts';
import { publicProduct } from './catalog-view.ts';
import { withSellerReadiness } from './connect.ts';
import type { ServiceContext } from './context.ts';
import { notFound } from './errors.ts';
import {
  type LoadTicket,
  ProductCache,
  type ProductsAnswer,
  sellerTopic,
  utf8,
  weakEtag,
} from './product-cache.ts';
import { ownUrlCandidates, productIdOfPage } from './product-urls.ts';

export type { ProductsAnswer };

export interface LookUpOptions {
  /** Read the database even when an answer is kept (the client asked for no cache). */
  fresh: boolean;
}

export class ProductLookups {
  private readonly cache: ProductCache;

  constructor(private readonly ctx: ServiceContext) {
    this.cache = new ProductCache({
      ttlMs: ctx.config.productCacheMs,
      clock: ctx.clock,
      changes: ctx.changes,
    });
  }

  /**
   * The answer kept for exactly this batch query string, if any: only a query that was valid
   * when it was answered is kept, so a repeat needs neither validation nor the database.
   */
  async keptBatch(query: string): Promise<ProductsAnswer | undefined> {
    await this.cache.sync();
    return this.cache.answer(`?${query}`);
  }

  /** The answer kept for one product, if any (as {@link keptBatch}). */
  async keptProduct(id: string): Promise<ProductsAnswer | undefined> {
    await this.cache.sync();
    return this.cache.answer(`/${id}`);
  }

  /**
   * Active products by id, in the order asked and without repeats, plus the ids unknown or
   * archived, as a `ProductBatch` body — keyed by `query`, the ids as the client spelt them.
   */
  lookUp(ids: readonly string[], query: string, opts: LookUpOptions): Promise<ProductsAnswer> {
    const key = `?${query}`;
    const build = async () => {
      const unique = [...new Set(ids)];
      const ticket = this.cache.ticket();
      const { json, at } = await this.publicJson(unique, ticket, opts.fresh);
      const found: string[] = [];
      const missing: string[] = [];
      for (const id of unique) {
        const product = json.get(id);
        if (product) found.push(product);
        else missing.push(id);
      }
      // The bytes JSON.stringify({ products, missing }) would give, from kept products.
      const body = utf8(`{"products":[${found.join(',')}],"missing":${JSON.stringify(missing)}}`);
      const answer = { body, etag: weakEtag(body) };
      this.cache.keepAnswer(ticket, at, key, answer);
      return answer;
    };
    return opts.fresh ? build() : this.cache.shared(key, build);
  }

  /** One active product as a `Product` body, or `not_found`. */
  async lookUpOne(id: string, opts: LookUpOptions): Promise<ProductsAnswer> {
    const key = `/${id}`;
    const build = async () => {
      const ticket = this.cache.ticket();
      const { json, at } = await this.publicJson([id], ticket, opts.fresh);
      const product = json.get(id);
      if (!product) throw notFound('Product');
      const body = utf8(product);
      const answer = { body, etag: weakEtag(body) };
      this.cache.keepAnswer(ticket, at, key, answer);
      return answer;
    };
    return opts.fresh ? build() : this.cache.shared(key, build);
  }

  /**
   * Which of `urls` name an active product (`GET /v1/resolve`): the endpoint's own product pages
   * by their id, any other address by the products whose own `url` it is (one query for all).
   */
  async resolve(urls: readonly string[]): Promise<ResolveAnswer> {
    const asked = [...new Set(urls)];
    const byPage = new Map<string, string>();
    const candidates = new Map<string, string[]>();
    for (const url of asked) {
      const id = productIdOfPage(this.ctx.config.publicUrl, url);
      if (id) byPage.set(url, id);
      else candidates.set(url, ownUrlCandidates(url));
    }
    const spellings = [...new Set([...candidates.values()].flat())];
    const owners = new Map<string, string>();
    if (spellings.length) {
      const rows = await this.ctx.db
        .selectFrom('products')
        .select(['id', 'url'])
        .where('url', 'in', spellings)
        .where('status', '=', 'active')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      // Two products with one url: the older keeps it.
      for (const r of rows) if (r.url && !owners.has(r.url)) owners.set(r.url, r.id);
    }
    const named = new Map<string, string>(byPage);
    for (const [url, spelt] of candidates) {
      const id = spelt.map((s) => owners.get(s)).find(Boolean);
      if (id) named.set(url, id);
    }
    // Active means what a look-up shows: the same kept answers, no second rule.
    await this.cache.sync();
    const { json } = await this.publicJson(
      [...new Set(named.values())],
      this.cache.ticket(),
      false,
    );
    const answer: ResolveAnswer = { resolved: [], missing: [] };
    for (const url of asked) {
      const productId = named.get(url);
      if (productId && json.get(productId)) answer.resolved.push({ url, productId });
      else answer.missing.push(url);
    }
    return answer;
  }

  /**
   * Each product's public JSON (null: unknown or archived), from the cache where fresh, the
   * rest read in one go; `at` is when the oldest of those reads began.
   */
  private async publicJson(
    ids: readonly string[],
    ticket: LoadTicket,
    fresh: boolean,
  ): Promise<{ json: Map<string, string | null>; at: number }> {
    const json = new Map<string, string | null>();
    let at = ticket.at;
    const unread: string[] = [];
    for (const id of ids) {
      const kept = fresh ? undefined : this.cache.product(id);
      if (!kept) unread.push(id);
      else {
        json.set(id, kept.value);
        at = Math.min(at, kept.at);
      }
    }
    if (unread.length) {
      const products = await this.readPublic(unread);
      const read = unread.map((id): [string, string | null] => {
        const product = products.get(id);
        return [id, product ? JSON.stringify(product) : null];
      });
      this.cache.keepProducts(ticket, read);
      for (const [id, product] of read) json.set(id, product);
    }
    return { json, at };
  }

  /** Active products (with at least one active variant) by id, from the database. */
  private async readPublic(ids: readonly string[]): Promise<Map<string, Product>> {
    const db = this.ctx.db;
    const rows = await db
      .selectFrom('products')
      .innerJoin('sellers', 'sellers.id', 'products.seller_id')
      .selectAll('products')
      .select([
        'sellers.name as s_name',
        'sellers.kind as s_kind',
        'sellers.currency as s_currency',
        'sellers.shipping_zones as s_zones',
        'sellers.stripe_account_id as s_account',
        'sellers.connect_charges_enabled as s_charges',
      ])
      .where('products.id', 'in', ids)
      .where('products.status', '=', 'active')
      .execute();
    const variants = rows.length
      ? await db
          .selectFrom('variants')
          .selectAll()
          .where(
            'product_id',
            'in',
            rows.map((r) => r.id),
          )
          .where('status', '=', 'active')
          .orderBy('position')
          .execute()
      : [];
    const byId = new Map<string, Product>();
    for (const r of rows) {
      const vs = variants.filter((v) => v.product_id === r.id);
      if (vs.length === 0) continue;
      const seller = {
        id: r.seller_id,
        name: r.s_name,
        kind: r.s_kind,
        currency: r.s_currency,
        shipping_zones: r.s_zones,
      } as SellerRow;
      // Platform mode: a seller who cannot take payments yet is not offered for sale (connect.ts).
      const ready = !this.ctx.config.stripe?.connect || (!!r.s_account && !!r.s_charges);
      byId.set(r.id, withSellerReadiness(publicProduct(r, seller, vs), ready));
    }
    return byId;
  }

  /**
   * After a write that commits a change buyers see: forgotten here before the writer answers,
   * then told to the other processes. Telling them can fail (the database gone between the
   * write and now); they then see the change once what they keep expires.
   */
  async changed(productId: string | null, topic: string) {
    if (productId === null) this.cache.forget();
    else this.cache.forget(productId);
    try {
      await this.ctx.changes.publish(topic);
    } catch (err) {
      this.ctx.log.error({ err, topic }, 'could not tell the other processes of a change');
    }
  }

  /** A seller's name, kind or shipping zones changed: every product it sells shows them. */
  sellerChanged(sellerId: string): Promise<void> {
    return this.changed(null, sellerTopic(sellerId));
  }
}
