/**
 * The catalogue: buyers' look-ups (batched, active products only, answered from memory) are in
 * catalog-lookups.ts, its rules in catalog-rules.ts and its views in catalog-view.ts; what stays
 * is the seller's side of the same tables — products, variants and files. Each write buyers
 * would see is forgotten by the look-ups' cache and told to the other processes before it is
 * answered, with the product as stored, read back by the same `sellerProduct()`.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, ProductRow, VariantRow } from '../db/schema.ts';
import type {
  CreateProductBody,
  SellerProduct,
  UpdateProductBody,
  UpdateVariantBody,
  VariantInput,
} from '../protocol/seller.ts';
import { iso, newId } from '../util.ts';
import { ProductLookups } from './catalog-lookups.ts';
import { checkVariants, parseIfMatch } from './catalog-rules.ts';
import { productEtag, toSellerProduct } from './catalog-view.ts';
import type { ServiceContext } from './context.ts';
import { invalid, notFound, ServiceError } from './errors.ts';
import { productTopic } from './product-cache.ts';

export class CatalogService {
  /** Buyers' look-ups, answered from memory (catalog-lookups.ts). */
  readonly lookups: ProductLookups;

  constructor(private readonly ctx: ServiceContext) {
    this.lookups = new ProductLookups(ctx);
  }

  /** After a write buyers see: forgotten here, told to the other processes. */
  private changed(productId: string) {
    return this.lookups.changed(productId, productTopic(productId));
  }

  // ---- seller side -------------------------------------------------------------------------

  /**
   * Marks a seller's edit of a product: bumps its version (its ETag) and `updated_at`, with
   * `patch` in the same statement. With `ifMatch` (the If-Match header) the statement matches
   * only the version the seller last saw — a compare-and-set, atomic on both databases — so of
   * two edits made against one version, the second is refused with 412 and writes nothing.
   * Run it first in the edit's transaction: a later refusal rolls the bump back.
   */
  private async bump(
    db: Kysely<Database>,
    sellerId: string,
    productId: string,
    ifMatch: string | undefined,
    patch: Partial<ProductRow> = {},
  ): Promise<void> {
    let q = db
      .updateTable('products')
      .set({
        ...patch,
        updated_at: iso(this.ctx.clock.now()),
        edit_version: sql<number>`edit_version + 1`,
      })
      .where('id', '=', productId)
      .where('seller_id', '=', sellerId);
    const versions = parseIfMatch(ifMatch);
    if (versions) q = q.where('edit_version', 'in', versions.length ? versions : [-1]);
    const res = await q.executeTakeFirst();
    if (res.numUpdatedRows > 0n) return;
    const current = await db
      .selectFrom('products')
      .select('edit_version')
      .where('id', '=', productId)
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
    if (!current) throw notFound('Product');
    throw new ServiceError(
      'precondition_failed',
      'Someone changed this product since you opened it; reload it to see their change, then edit again',
      { extra: { currentEtag: productEtag(current.edit_version ?? 1) } },
    );
  }

  private async sellerProduct(
    sellerId: string,
    id: string,
    trx = this.ctx.db,
  ): Promise<SellerProduct> {
    const p = await trx
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
    // Another seller's product is "not found", not "forbidden": ids reveal nothing.
    if (!p) throw notFound('Product');
    const [variants, seller, file] = await Promise.all([
      trx
        .selectFrom('variants')
        .selectAll()
        .where('product_id', '=', id)
        .orderBy('position')
        .execute(),
      trx
        .selectFrom('sellers')
        .select('currency')
        .where('id', '=', sellerId)
        .executeTakeFirstOrThrow(),
      trx
        .selectFrom('product_files')
        .select('product_id')
        .where('product_id', '=', id)
        .executeTakeFirst(),
    ]);
    return toSellerProduct(p, variants, seller.currency, !!file);
  }

  getSellerProduct(sellerId: string, id: string): Promise<SellerProduct> {
    return this.sellerProduct(sellerId, id);
  }

  async listSellerProducts(sellerId: string): Promise<SellerProduct[]> {
    const db = this.ctx.db;
    const [products, seller] = await Promise.all([
      db
        .selectFrom('products')
        .selectAll()
        .where('seller_id', '=', sellerId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
      db
        .selectFrom('sellers')
        .select('currency')
        .where('id', '=', sellerId)
        .executeTakeFirstOrThrow(),
    ]);
    if (products.length === 0) return [];
    const ids = products.map((p) => p.id);
    const [variants, files] = await Promise.all([
      db
        .selectFrom('variants')
        .selectAll()
        .where('product_id', 'in', ids)
        .orderBy('position')
        .execute(),
      db.selectFrom('product_files').select('product_id').where('product_id', 'in', ids).execute(),
    ]);
    const withFile = new Set(files.map((f) => f.product_id));
    return products.map((p) =>
      toSellerProduct(
        p,
        variants.filter((v) => v.product_id === p.id),
        seller.currency,
        withFile.has(p.id),
      ),
    );
  }

  async createProduct(sellerId: string, body: CreateProductBody): Promise<SellerProduct> {
    const errors = checkVariants(body.options, body.variants);
    const id = body.id ?? newId('prd');
    const variantIds = body.variants.map((v) => v.id ?? newId('var'));
    if (new Set(variantIds).size !== variantIds.length)
      errors.push({ field: 'variants', message: 'variant ids must be unique' });
    const [existingProduct, existingVariants] = await Promise.all([
      this.ctx.db.selectFrom('products').select('id').where('id', '=', id).executeTakeFirst(),
      this.ctx.db.selectFrom('variants').select('id').where('id', 'in', variantIds).execute(),
    ]);
    if (existingProduct) errors.push({ field: 'id', message: 'this product id is already taken' });
    for (const v of existingVariants) {
      errors.push({
        field: `variants.${variantIds.indexOf(v.id)}.id`,
        message: 'this variant id is already taken',
      });
    }
    if (errors.length) throw invalid(errors);

    const now = iso(this.ctx.clock.now());
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('products')
        .values({
          id,
          seller_id: sellerId,
          title: body.title,
          description: body.description ?? '',
          url: body.url ?? null,
          kind: body.kind,
          status: 'active',
          options: JSON.stringify(body.options),
          images: JSON.stringify(body.images),
          max_per_checkout: body.maxPerCheckout ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await insertVariants(trx, id, body.variants, variantIds, 0, now);
    });
    // Its id may have been looked up (and kept as missing) before it existed.
    await this.changed(id);
    return this.sellerProduct(sellerId, id);
  }

  async updateProduct(
    sellerId: string,
    id: string,
    body: UpdateProductBody,
    ifMatch?: string,
  ): Promise<SellerProduct> {
    await this.sellerProduct(sellerId, id);
    const patch: Partial<ProductRow> = {};
    if (body.title !== undefined) patch.title = body.title;
    if (body.description !== undefined) patch.description = body.description;
    if (body.url !== undefined) patch.url = body.url;
    if (body.status !== undefined) patch.status = body.status;
    if (body.images !== undefined) patch.images = JSON.stringify(body.images);
    if (body.maxPerCheckout !== undefined) patch.max_per_checkout = body.maxPerCheckout;
    await this.bump(this.ctx.db, sellerId, id, ifMatch, patch);
    await this.changed(id);
    return this.sellerProduct(sellerId, id);
  }

  async addVariant(
    sellerId: string,
    productId: string,
    body: VariantInput,
    ifMatch?: string,
  ): Promise<SellerProduct> {
    const product = await this.sellerProduct(sellerId, productId);
    // Check the new variant against the existing ones; report only its own errors.
    const at = `variants.${product.variants.length}`;
    const existing = product.variants.map((v) => ({ options: v.options, price: 0 }));
    const errors = checkVariants(product.options, [...existing, body])
      .filter((e) => e.field === at || e.field.startsWith(`${at}.`))
      .map((e) => ({ ...e, field: e.field.slice(at.length + 1) || 'options' }));
    const id = body.id ?? newId('var');
    if (
      await this.ctx.db.selectFrom('variants').select('id').where('id', '=', id).executeTakeFirst()
    ) {
      errors.push({ field: 'id', message: 'this variant id is already taken' });
    }
    if (errors.length) throw invalid(errors);
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.bump(trx, sellerId, productId, ifMatch);
      await insertVariants(
        trx,
        productId,
        [body],
        [id],
        product.variants.length,
        iso(this.ctx.clock.now()),
      );
    });
    await this.changed(productId);
    return this.sellerProduct(sellerId, productId);
  }

  /**
   * Changes a variant. Stock is the seller's count of units on hand: it may not go below what
   * open checkouts hold reserved, or a paid checkout could find nothing to ship.
   */
  async updateVariant(
    sellerId: string,
    productId: string,
    variantId: string,
    body: UpdateVariantBody,
    ifMatch?: string,
  ): Promise<SellerProduct> {
    const product = await this.sellerProduct(sellerId, productId);
    const variant = product.variants.find((v) => v.id === variantId);
    if (!variant) throw notFound('Variant');
    const patch: Partial<VariantRow> = { updated_at: iso(this.ctx.clock.now()) };
    if (body.sku !== undefined) patch.sku = body.sku;
    if (body.price !== undefined) patch.price = body.price;
    if (body.compareAtPrice !== undefined) patch.compare_at_price = body.compareAtPrice;
    if (body.status !== undefined) patch.status = body.status;
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.bump(trx, sellerId, productId, ifMatch);
      let q = trx.updateTable('variants').set(patch).where('id', '=', variantId);
      if (body.stock !== undefined) {
        q = q.set({ stock: body.stock });
        if (body.stock !== null) q = q.where('reserved', '<=', body.stock);
      }
      const res = await q.executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        throw invalid([
          {
            field: 'stock',
            message: 'stock cannot be lower than the units held by open checkouts',
          },
        ]);
      }
    });
    await this.changed(productId);
    return this.sellerProduct(sellerId, productId);
  }

  /** Stores the file a digital product delivers (replacing any earlier one). */
  async putFile(
    sellerId: string,
    productId: string,
    file: { name: string; contentType: string; data: Uint8Array },
    ifMatch?: string,
  ) {
    const product = await this.sellerProduct(sellerId, productId);
    if (product.kind !== 'digital') {
      throw invalid([{ field: 'kind', message: 'only digital products carry a file' }]);
    }
    const row = {
      product_id: productId,
      name: file.name,
      content_type: file.contentType,
      size: file.data.byteLength,
      data: file.data,
      created_at: iso(this.ctx.clock.now()),
    };
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.bump(trx, sellerId, productId, ifMatch);
      await trx.deleteFrom('product_files').where('product_id', '=', productId).execute();
      await trx.insertInto('product_files').values(row).execute();
    });
    return this.sellerProduct(sellerId, productId);
  }
}

async function insertVariants(
  db: Transaction<Database> | ServiceContext['db'],
  productId: string,
  variants: VariantInput[],
  ids: string[],
  firstPosition: number,
  now: string,
) {
  await db
    .insertInto('variants')
    .values(
      variants.map((v, i) => ({
        id: ids[i]!,
        product_id: productId,
        sku: v.sku ?? null,
        options: JSON.stringify(v.options),
        price: v.price,
        compare_at_price: v.compareAtPrice ?? null,
        stock: v.stock === undefined ? null : v.stock,
        reserved: 0,
        status: v.status ?? 'active',
        position: firstPosition + i,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}
