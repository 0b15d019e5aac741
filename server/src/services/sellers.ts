import type { SellerRow } from '../db/schema.ts';
import { type AddressGuard, ForbiddenAddressError } from '../net/ssrf.ts';
import type { SellerKind } from '../protocol/products.ts';
import type {
  SellerSettings,
  ShippingZone,
  TaxRate,
  UpdateSellerBody,
} from '../protocol/seller.ts';
import { iso, newId, newSecret, safeEqualHex, sha256 } from '../util.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';
import { allowedOrigins } from './origins.ts';
import { webhookGuard } from './outbox.ts';

export interface NewSeller {
  id?: string;
  name: string;
  kind: SellerKind;
  currency?: string;
  allowedOrigins?: string[];
  shippingZones?: ShippingZone[];
  taxRates?: TaxRate[];
  webhookUrl?: string | null;
}

export interface CreatedSeller {
  id: string;
  apiKey: string;
  webhookSecret: string;
}

export function sellerSettings(row: SellerRow): SellerSettings {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SellerKind,
    currency: row.currency,
    webhookUrl: row.webhook_url,
    allowedOrigins: allowedOrigins(row),
    shippingZones: JSON.parse(row.shipping_zones),
    taxRates: JSON.parse(row.tax_rates),
  };
}

export class SellerService {
  /** Origins any seller allows, cached briefly: CORS asks on every request. */
  private originCache: { at: number; origins: Set<string> } | null = null;

  /** Where webhooks may go; the dispatcher checks again at each delivery. */
  private readonly guard: AddressGuard;

  constructor(
    private readonly ctx: ServiceContext,
    /** Told after a seller's settings change (the product look-ups show some of them). */
    private readonly onChange: (sellerId: string) => Promise<void> = async () => {},
  ) {
    this.guard = webhookGuard(ctx.config);
  }

  /** Creates a seller and returns its API key, which is shown once and stored only as a hash. */
  async create(input: NewSeller): Promise<CreatedSeller> {
    if (input.webhookUrl) await this.checkWebhookUrl(input.webhookUrl);
    const now = iso(this.ctx.clock.now());
    const apiKey = newSecret('bip_sk');
    const webhookSecret = newSecret('whsec');
    const id = input.id ?? newId('sel');
    await this.ctx.db
      .insertInto('sellers')
      .values({
        id,
        name: input.name,
        kind: input.kind,
        currency: (input.currency ?? 'USD').toUpperCase(),
        api_key_hash: sha256(apiKey),
        webhook_url: input.webhookUrl ?? null,
        webhook_secret: webhookSecret,
        allowed_origins: JSON.stringify(input.allowedOrigins ?? []),
        shipping_zones: JSON.stringify(input.shippingZones ?? []),
        tax_rates: JSON.stringify(input.taxRates ?? []),
        created_at: now,
        updated_at: now,
      })
      .execute();
    this.originCache = null;
    return { id, apiKey, webhookSecret };
  }

  /** The seller owning `apiKey`, or an `unauthorized` problem. */
  async authenticate(apiKey: string | undefined): Promise<SellerRow> {
    if (!apiKey)
      throw new ServiceError(
        'unauthorized',
        'Send the seller API key as "Authorization: Bearer <key>"',
      );
    const hash = sha256(apiKey);
    const row = await this.ctx.db
      .selectFrom('sellers')
      .selectAll()
      .where('api_key_hash', '=', hash)
      .executeTakeFirst();
    // The lookup is by hash, so timing reveals nothing about the key; compare again anyway.
    if (!row || !safeEqualHex(row.api_key_hash, hash))
      throw new ServiceError('unauthorized', 'Unknown API key');
    return row;
  }

  async get(id: string): Promise<SellerRow | undefined> {
    return this.ctx.db.selectFrom('sellers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(seller: SellerRow, body: UpdateSellerBody): Promise<SellerSettings> {
    if (body.webhookUrl) await this.checkWebhookUrl(body.webhookUrl);
    const patch: Partial<SellerRow> = { updated_at: iso(this.ctx.clock.now()) };
    if (body.name !== undefined) patch.name = body.name;
    if (body.kind !== undefined) patch.kind = body.kind;
    if (body.webhookUrl !== undefined) patch.webhook_url = body.webhookUrl;
    if (body.allowedOrigins !== undefined)
      patch.allowed_origins = JSON.stringify(body.allowedOrigins);
    if (body.shippingZones !== undefined) patch.shipping_zones = JSON.stringify(body.shippingZones);
    if (body.taxRates !== undefined) patch.tax_rates = JSON.stringify(body.taxRates);
    await this.ctx.db.updateTable('sellers').set(patch).where('id', '=', seller.id).execute();
    this.originCache = null;
    await this.onChange(seller.id);
    return sellerSettings({ ...seller, ...patch } as SellerRow);
  }

  /**
   * Refuses a webhook URL whose host is, or resolves to, an address the endpoint must not post
   * to (its own machine or network: SSRF). A name that does not resolve yet is accepted: each
   * delivery resolves and checks again, and connects only to an address it checked.
   */
  private async checkWebhookUrl(url: string) {
    try {
      await this.guard.check(url);
    } catch (err) {
      if (!(err instanceof ForbiddenAddressError)) return;
      const where =
        err.host === err.address ? err.address : `${err.host} resolves to ${err.address}`;
      throw new ServiceError(
        'webhook_url_forbidden',
        `Webhooks go only to public addresses: ${where}, ${err.why}`,
        { errors: [{ field: 'webhookUrl', message: `${where}, ${err.why}` }] },
      );
    }
  }

  /** Issues a new API key; the old one stops working at once. */
  async rotateApiKey(sellerId: string): Promise<string> {
    const apiKey = newSecret('bip_sk');
    await this.ctx.db
      .updateTable('sellers')
      .set({ api_key_hash: sha256(apiKey) })
      .where('id', '=', sellerId)
      .execute();
    return apiKey;
  }

  /** Whether any seller allows `origin` to embed its products (used for CORS). */
  async isOriginAllowedAnywhere(origin: string): Promise<boolean> {
    const now = Date.now();
    if (!this.originCache || now - this.originCache.at > 5_000) {
      const rows = await this.ctx.db.selectFrom('sellers').select('allowed_origins').execute();
      this.originCache = {
        at: now,
        origins: new Set(rows.flatMap(allowedOrigins)),
      };
    }
    return this.originCache.origins.has(origin);
  }
}
