import type { Config } from '../config.ts';
import type { SellerRow } from '../db/schema.ts';
import { invalid, ServiceError } from './errors.ts';

/** The sites a seller sells from (its `allowed_origins`). The one place that reads them. */
export function allowedOrigins(seller: Pick<SellerRow, 'allowed_origins'>): string[] {
  return JSON.parse(seller.allowed_origins) as string[];
}

/**
 * Which pages may sell, and where a payment page may send the buyer back. A seller lists its
 * sites (origins); the element on one of them may call the public protocol (CORS) and start
 * checkouts for that seller's products, and a hosted payment page returns the buyer there. In
 * development every origin may (CORS: those of `BIP_DEV_CORS_ORIGINS`, `*` for any), so a
 * local page works before any seller is set up.
 */
export class OriginPolicy {
  constructor(
    private readonly config: Pick<Config, 'mode' | 'devCorsOrigins' | 'publicUrl'>,
    /** Whether any seller lists `origin` (cached by the seller service, which changes them). */
    private readonly listedByAnySeller: (origin: string) => Promise<boolean>,
  ) {}

  private get development() {
    return this.config.mode === 'development';
  }

  /**
   * The origin CORS grants the public protocol to, or null. Only origins some seller lists;
   * each checkout then checks that its own seller does ({@link checkCheckoutOrigin}).
   */
  async corsOrigin(origin: string | undefined): Promise<string | null> {
    // No Origin (server to server, health checkers): nothing to grant, and no database lookup
    // that could fail the request before its handler runs.
    if (!origin) return null;
    const dev = this.config.devCorsOrigins;
    if (this.development && (dev.includes('*') || dev.includes(origin))) return origin;
    return (await this.listedByAnySeller(origin)) ? origin : null;
  }

  /**
   * A checkout is started from a page on one of its seller's sites, or on the endpoint's own
   * product pages (routes/product-pages.ts: every product has one), or with no Origin.
   */
  checkCheckoutOrigin(seller: Pick<SellerRow, 'allowed_origins'>, origin: string | undefined) {
    if (!origin || this.development || origin === new URL(this.config.publicUrl).origin) return;
    if (!allowedOrigins(seller).includes(origin))
      throw new ServiceError('origin_not_allowed', `${origin} may not sell this seller's products`);
  }

  /**
   * A hosted payment page sends the buyer back to the host page: one of the seller's sites, or
   * the endpoint's own product pages (every seller's products have one).
   */
  checkReturnUrl(seller: Pick<SellerRow, 'allowed_origins'>, url: string | undefined) {
    if (!url)
      throw invalid(
        [{ field: 'returnUrl', message: 'required when paying on a hosted page' }],
        'A return URL is needed to pay on a hosted page',
      );
    if (this.development) return;
    const origin = new URL(url).origin;
    if (
      origin !== new URL(this.config.publicUrl).origin &&
      !allowedOrigins(seller).includes(origin)
    )
      throw invalid(
        [{ field: 'returnUrl', message: 'must be on an origin the seller allows' }],
        "The return URL is not on one of the seller's sites",
      );
  }
}
