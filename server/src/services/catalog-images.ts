/**
 * Product images uploaded by sellers (the dashboard): checked by their bytes, kept in the
 * database (every process sharing it serves them, no shared disk), served by the endpoint at
 * `/v1/images/{id}`. An image's bytes never change under its id, so its answer is immutable.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { SellerProduct } from '../protocol/seller.ts';
import { iso, newId } from '../util.ts';
import type { CatalogService } from './catalog.ts';
import type { ServiceContext } from './context.ts';
import { invalid, notFound, ServiceError } from './errors.ts';

/**
 * The image types accepted, by what their bytes say (never by the name or the declared type).
 * No SVG: it can carry script, and the endpoint serves images from its own origin.
 */
export const IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/avif',
]);

/** The most images a product lists (the protocol's bound). */
const MAX_IMAGES = 20;

export interface StoredImage {
  contentType: string;
  data: Uint8Array;
}

export class ProductImages {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalog: CatalogService,
  ) {}

  /** The address an image is served at; absolute, as product images are everywhere. */
  private url(id: string): string {
    return `${this.ctx.config.publicUrl}/v1/images/${id}`;
  }

  /** Appends an uploaded image to a product, after checking what its bytes are. */
  async add(
    sellerId: string,
    productId: string,
    upload: { data: Uint8Array; alt: string },
    ifMatch?: string,
  ): Promise<SellerProduct> {
    const limit = this.ctx.config.dashboard.imageLimitBytes;
    if (upload.data.byteLength > limit)
      throw new ServiceError('payload_too_large', `Images are limited to ${limit} bytes`);
    const type = await fileTypeFromBuffer(upload.data);
    if (!type || !IMAGE_TYPES.has(type.mime))
      throw new ServiceError(
        'unsupported_image_type',
        'Upload a PNG, JPEG, WebP, GIF or AVIF image',
        { errors: [{ field: 'file', message: 'is not a PNG, JPEG, WebP, GIF or AVIF image' }] },
      );
    const product = await this.catalog.getSellerProduct(sellerId, productId);
    if (product.images.length >= MAX_IMAGES)
      throw invalid([{ field: 'file', message: `a product has at most ${MAX_IMAGES} images` }]);
    const id = newId('img');
    await this.ctx.db
      .insertInto('product_images')
      .values({
        id,
        product_id: productId,
        seller_id: sellerId,
        content_type: type.mime,
        size: upload.data.byteLength,
        data: upload.data,
        created_at: iso(this.ctx.clock.now()),
      })
      .execute();
    const images = [...product.images, { url: this.url(id), alt: upload.alt }];
    try {
      return await this.catalog.updateProduct(sellerId, productId, { images }, ifMatch);
    } catch (err) {
      // Refused (412): the bytes were never listed; nothing should serve them.
      await this.ctx.db.deleteFrom('product_images').where('id', '=', id).execute();
      throw err;
    }
  }

  /** Takes an uploaded image off a product and forgets its bytes. */
  async remove(
    sellerId: string,
    productId: string,
    imageId: string,
    ifMatch?: string,
  ): Promise<SellerProduct> {
    const product = await this.catalog.getSellerProduct(sellerId, productId);
    const row = await this.ctx.db
      .selectFrom('product_images')
      .select('id')
      .where('id', '=', imageId)
      .where('product_id', '=', productId)
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
    if (!row) throw notFound('Image');
    const url = this.url(imageId);
    const images = product.images.filter((i) => i.url !== url);
    const updated = await this.catalog.updateProduct(sellerId, productId, { images }, ifMatch);
    await this.ctx.db.deleteFrom('product_images').where('id', '=', imageId).execute();
    return updated;
  }

  /** An image's bytes, for `/v1/images/{id}`; archived products' images too (old posts). */
  async get(id: string): Promise<StoredImage> {
    const row = await this.ctx.db
      .selectFrom('product_images')
      .select(['content_type', 'data'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Image');
    return { contentType: row.content_type, data: row.data };
  }
}
