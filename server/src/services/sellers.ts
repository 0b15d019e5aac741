import { createHmac } from 'node:crypto';
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
import { normalizeEmail } from '../wallet/codes.ts';
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
  /** The email the seller signs in to the dashboard with (a code is mailed to it). */
  email?: string | null;
}

export interface CreatedSeller {
  id: string;
  apiKey: string;
  webhookSecret: string;
  email: string | null;
}

/**
 * The index a seller's email is looked up by: a keyed hash (BIP_SECRET) of its normalised form,
 * so the sign-in look-up needs no plaintext and a leaked table alone links no address.
 */
export function sellerEmailIndex(secret: string, email: string): string {
  return createHmac('sha256', secret)
    .update(`seller-email:${normalizeEmail(email)}`)
    .digest('hex');
}

/** A credential the last rotation replaced, while it still works; null when none does. */
function graceOf(expiresAt: string | null | undefined, now: Date) {
  return expiresAt && expiresAt > iso(now) ? { previousExpiresAt: expiresAt } : null;
}

export function sellerSettings(row: SellerRow, now = new Date()): SellerSettings {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SellerKind,
    currency: row.currency,
    webhookUrl: row.webhook_url,
    allowedOrigins: allowedOrigins(row),
    shippingZones: JSON.parse(row.shipping_zones),
    taxRates: JSON.parse(row.tax_rates),
    email: row.email ?? null,
    apiKeyRotation: row.previous_api_key_hash
      ? graceOf(row.previous_api_key_expires_at, now)
      : null,
    webhookSecretRotation: row.previous_webhook_secret
      ? graceOf(row.previous_webhook_secret_expires_at, now)
      : null,
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
    const email = input.email ? input.email.trim() : null;
    if (email && (await this.byEmail(email)))
      throw new ServiceError('validation_failed', 'Another seller signs in with this email', {
        errors: [{ field: 'email', message: 'is already the sign-in email of another seller' }],
      });
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
        email,
        email_index: email ? sellerEmailIndex(this.ctx.config.secret, email) : null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    this.originCache = null;
    return { id, apiKey, webhookSecret, email };
  }

  /** The seller who signs in with `email`, if any. */
  async byEmail(email: string): Promise<SellerRow | undefined> {
    return this.ctx.db
      .selectFrom('sellers')
      .selectAll()
      .where('email_index', '=', sellerEmailIndex(this.ctx.config.secret, email))
      .executeTakeFirst();
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
      .where((eb) => eb.or([eb('api_key_hash', '=', hash), eb('previous_api_key_hash', '=', hash)]))
      .executeTakeFirst();
    // The lookup is by hash, so timing reveals nothing about the key; compare again anyway.
    if (row && safeEqualHex(row.api_key_hash, hash)) return row;
    // The key the last rotation replaced, during its grace period only.
    if (
      row?.previous_api_key_hash &&
      safeEqualHex(row.previous_api_key_hash, hash) &&
      graceOf(row.previous_api_key_expires_at, this.ctx.clock.now())
    )
      return row;
    throw new ServiceError('unauthorized', 'Unknown API key');
  }

  /** A seller's settings as the API shows them, rotations judged by the endpoint's clock. */
  settings(row: SellerRow): SellerSettings {
    return sellerSettings(row, this.ctx.clock.now());
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
    return sellerSettings({ ...seller, ...patch } as SellerRow, this.ctx.clock.now());
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

  /** The grace period's end for a credential replaced now. */
  private graceEnd(): string {
    const now = this.ctx.clock.now().getTime();
    return iso(new Date(now + this.ctx.config.dashboard.keyGraceSeconds * 1000));
  }

  /**
   * Issues a new API key. The one it replaces keeps working for the grace period
   * (`BIP_SELLER_KEY_GRACE_SECONDS`, 24 h by default), long enough to deploy the new one; a
   * key replaced earlier stops at once (only one previous key is kept). Grace 0: at once.
   */
  async rotateApiKey(sellerId: string): Promise<{ apiKey: string; previousKeyExpiresAt: string }> {
    const apiKey = newSecret('bip_sk');
    const previousKeyExpiresAt = this.graceEnd();
    await this.ctx.db
      .updateTable('sellers')
      .set((eb) => ({
        previous_api_key_hash: eb.ref('api_key_hash'),
        previous_api_key_expires_at: previousKeyExpiresAt,
        api_key_hash: sha256(apiKey),
        updated_at: iso(this.ctx.clock.now()),
      }))
      .where('id', '=', sellerId)
      .execute();
    return { apiKey, previousKeyExpiresAt };
  }

  /**
   * Issues a new webhook secret. During the grace period every delivery is signed with both
   * (two `v1=` in the signature header), so a receiver still checking the old one accepts it.
   */
  async rotateWebhookSecret(
    sellerId: string,
  ): Promise<{ webhookSecret: string; previousSecretExpiresAt: string }> {
    const webhookSecret = newSecret('whsec');
    const previousSecretExpiresAt = this.graceEnd();
    await this.ctx.db
      .updateTable('sellers')
      .set((eb) => ({
        previous_webhook_secret: eb.ref('webhook_secret'),
        previous_webhook_secret_expires_at: previousSecretExpiresAt,
        webhook_secret: webhookSecret,
        updated_at: iso(this.ctx.clock.now()),
      }))
      .where('id', '=', sellerId)
      .execute();
    return { webhookSecret, previousSecretExpiresAt };
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
