/**
 * Row types of every table. Timestamps are ISO-8601 UTC strings (same format on SQLite and
 * PostgreSQL, so they compare correctly as text); JSON columns are text; booleans are 0/1.
 */
import type { Kysely, Transaction } from 'kysely';

/** The database, or a transaction on it: what a query that may run inside one takes. */
export type Db = Kysely<Database> | Transaction<Database>;

export interface Database {
  sellers: SellerRow;
  products: ProductRow;
  product_files: ProductFileRow;
  variants: VariantRow;
  checkouts: CheckoutRow;
  orders: OrderRow;
  fulfillments: FulfillmentRow;
  outbox_events: OutboxEventRow;
  webhook_deliveries: WebhookDeliveryRow;
  idempotency_keys: IdempotencyKeyRow;
  stripe_events: StripeEventRow;
  buyers: BuyerRow;
  buyer_identities: BuyerIdentityRow;
  buyer_addresses: BuyerAddressRow;
  buyer_payment_methods: BuyerPaymentMethodRow;
  buyer_consents: BuyerConsentRow;
  buyer_sessions: BuyerSessionRow;
  buyer_codes: BuyerCodeRow;
  buyer_token_uses: BuyerTokenUseRow;
  rate_limit_counters: RateLimitCounterRow;
  seller_codes: SellerCodeRow;
  seller_sessions: SellerSessionRow;
  seller_login_tokens: SellerLoginTokenRow;
  product_images: ProductImageRow;
  order_refunds: OrderRefundRow;
}

/** A refund of an order, once per provider refund (migration 007). */
export interface OrderRefundRow {
  id: string;
  order_id: string;
  seller_id: string;
  amount: number;
  currency: string;
  source: 'api' | 'provider';
  reason: string | null;
  /** Platform mode: the reversal of the seller's transfer made for this refund. */
  transfer_reversal_id: string | null;
  /** Platform mode: the refund of the platform's application fee made for this refund. */
  fee_refund_id: string | null;
  created_at: string;
}

/** A Stripe webhook event already handled (see migration 003). */
export interface StripeEventRow {
  id: string;
  type: string;
  checkout_id: string | null;
  /** What handling it did: `paid`, `declined`, `ignored`, … */
  outcome: string;
  received_at: string;
}

export interface SellerRow {
  id: string;
  name: string;
  kind: string;
  currency: string;
  api_key_hash: string;
  webhook_url: string | null;
  webhook_secret: string;
  /** JSON: string[] */
  allowed_origins: string;
  /** JSON: ShippingZone[] */
  shipping_zones: string;
  /** JSON: TaxRate[] */
  tax_rates: string;
  /**
   * The dashboard (migration 008): the sign-in email and its keyed hash, and the credentials the
   * last rotations replaced, honoured until their `_expires_at`. Optional in the type only, as
   * Connect's columns are.
   */
  email?: string | null;
  email_index?: string | null;
  previous_api_key_hash?: string | null;
  previous_api_key_expires_at?: string | null;
  previous_webhook_secret?: string | null;
  previous_webhook_secret_expires_at?: string | null;
  created_at: string;
  updated_at: string;
  /**
   * Platform mode (migration 007): the seller's connected account and what Stripe last said of
   * it. Optional in the type only so code writing rows before Connect existed needs no change.
   */
  stripe_account_id?: string | null;
  connect_charges_enabled?: number;
  connect_payouts_enabled?: number;
  connect_details_submitted?: number;
  /** JSON: {currentlyDue: string[], disabledReason: string | null} */
  connect_requirements?: string | null;
  /** Stripe's `created` of the newest account state applied (seconds). */
  connect_synced_at?: number | null;
}

export interface ProductRow {
  id: string;
  seller_id: string;
  title: string;
  description: string;
  url: string | null;
  kind: 'physical' | 'digital';
  status: 'active' | 'archived';
  /** JSON: {name, values}[] */
  options: string;
  /** JSON: {url, alt}[] */
  images: string;
  /** The most units of a variant one checkout, or one client, may hold (migration 006). */
  max_per_checkout?: number | null;
  /** Bumped by each seller edit (migration 008): the product's ETag. */
  edit_version?: number;
  created_at: string;
  updated_at: string;
}

export interface ProductFileRow {
  product_id: string;
  name: string;
  content_type: string;
  size: number;
  data: Uint8Array;
  created_at: string;
}

export interface VariantRow {
  id: string;
  product_id: string;
  sku: string | null;
  /** JSON: Record<optionName, value> */
  options: string;
  price: number;
  compare_at_price: number | null;
  /** null: not tracked (unlimited), e.g. digital goods and donations. */
  stock: number | null;
  reserved: number;
  status: 'active' | 'archived';
  position: number;
  created_at: string;
  updated_at: string;
}

export type CheckoutStatus = 'open' | 'processing' | 'paid' | 'failed' | 'expired' | 'canceled';

export interface CheckoutRow {
  id: string;
  seller_id: string;
  product_id: string;
  variant_id: string;
  quantity: number;
  /** Units held in `variants.reserved` for this checkout (0 once released or committed). */
  reserved_quantity: number;
  status: CheckoutStatus;
  email: string | null;
  share_email: number;
  /** JSON: ShippingAddress */
  shipping_address: string | null;
  post_ref: string | null;
  currency: string;
  subtotal: number;
  shipping: number | null;
  tax: number;
  total: number;
  client_token_hash: string;
  payment_provider: string;
  payment_ref: string | null;
  /** `elements` (paid on the page) or `hosted` (paid on the provider's page). */
  payment_mode: 'elements' | 'hosted';
  /** What the provider handed out: a PaymentIntent client secret, or a hosted page URL. */
  payment_secret: string | null;
  /** The amount the provider's payment is set to (compared with `total` to notice changes). */
  payment_amount: number | null;
  /** Where a hosted payment page sends the buyer back. */
  return_url: string | null;
  /** JSON: a partial address from a wallet ({country, region?, city?, postalCode?}) */
  shipping_preview: string | null;
  /** JSON: the last payment error shown to the buyer, if any */
  last_payment_error: string | null;
  order_id: string | null;
  /**
   * The wallet of a signed-in buyer (migration 004); null for guests and after erasure.
   * Optional in the type only so code writing rows before the wallet existed needs no change.
   */
  buyer_id?: string | null;
  /**
   * The saved address (`buyer_addresses.id`) the checkout ships to, when it came from the wallet
   * (migration 005). Optional in the type for the same reason as `buyer_id`.
   */
  buyer_address_id?: string | null;
  /**
   * Who made the checkout: a keyed hash of the client's network (migration 006), through which
   * what one client holds is bounded. Optional in the type for the same reason as `buyer_id`.
   */
  client_key?: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export interface OrderRow {
  id: string;
  number: string;
  seller_id: string;
  checkout_id: string;
  product_id: string;
  variant_id: string;
  product_title: string;
  /** JSON: Record<optionName, value> */
  variant_options: string;
  kind: 'physical' | 'digital';
  quantity: number;
  currency: string;
  unit_price: number;
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  email: string | null;
  /** JSON: ShippingAddress */
  shipping_address: string | null;
  post_ref: string | null;
  payment_provider: string;
  payment_ref: string | null;
  /**
   * The wallet of a signed-in buyer (migration 004); null for guests and after erasure.
   * Optional in the type only so code writing rows before the wallet existed needs no change.
   */
  buyer_id?: string | null;
  /** The part of the total given back (migration 007). Optional in the type, as `buyer_id`. */
  amount_refunded?: number;
  status: 'paid' | 'fulfilled';
  created_at: string;
  updated_at: string;
}

export interface FulfillmentRow {
  id: string;
  order_id: string;
  carrier: string | null;
  tracking_number: string;
  tracking_url: string | null;
  created_at: string;
}

export interface OutboxEventRow {
  id: string;
  seller_id: string;
  type: string;
  /** JSON */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface WebhookDeliveryRow {
  id: string;
  event_id: string;
  seller_id: string;
  attempt: number;
  url: string;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
}

export interface IdempotencyKeyRow {
  scope: string;
  key: string;
  request_hash: string;
  /** null while the first request is in flight */
  response_status: number | null;
  response_body: string | null;
  locked_at: string;
  created_at: string;
}

/**
 * The buyer's wallet (migration 004, docs/wallet.md). `*_sealed` and `data_key` are AES-256-GCM
 * sealed values (`v1.…`); `*_index` are keyed HMACs for look-ups.
 */
export interface BuyerRow {
  id: string;
  /** HMAC of the normalised email; null while a host-opened wallet has no email linked. */
  email_index: string | null;
  email_sealed: string | null;
  /** The key-encryption key that wraps `data_key`. */
  key_id: string;
  /** The buyer's data key, wrapped. Deleting it shreds every value sealed with it. */
  data_key: string;
  stripe_customer_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A host platform's user linked to a wallet. */
export interface BuyerIdentityRow {
  id: string;
  buyer_id: string;
  issuer: string;
  /** HMAC of (issuer, sub): the host's user id is never stored. */
  subject_index: string;
  created_at: string;
}

export interface BuyerAddressRow {
  id: string;
  buyer_id: string;
  /** JSON ShippingAddress, sealed with the buyer's data key. */
  sealed: string;
  last_used_at: string;
  created_at: string;
}

/** A test-provider "saved card": brand and last four digits, never the number. */
export interface BuyerPaymentMethodRow {
  id: string;
  buyer_id: string;
  brand: string;
  last4: string;
  exp_month: number | null;
  exp_year: number | null;
  /** What paying with it does (migration 005): null pays, otherwise the decline code. */
  test_outcome?: string | null;
  created_at: string;
}

/** A buyer let a seller see their email (migration 005). */
export interface BuyerConsentRow {
  id: string;
  buyer_id: string;
  seller_id: string;
  granted_at: string;
  /** Set when the buyer withdrew; a new grant clears it. */
  withdrawn_at: string | null;
}

export interface BuyerSessionRow {
  id: string;
  buyer_id: string;
  /** SHA-256 of the bearer token (`bip_sess_…`). */
  token_hash: string;
  /** How the buyer signed in: `email` (a code) or `host` (a host platform's token). */
  method: 'email' | 'host';
  created_at: string;
  expires_at: string;
}

/** The live sign-in code of an email address (one at a time). */
export interface BuyerCodeRow {
  id: string;
  email_index: string;
  /** Keyed HMAC of the code, bound to this row. */
  code_hash: string;
  attempts: number;
  expires_at: string;
  created_at: string;
}

/** A host token's `jti`, kept until the token expires so it is accepted once. */
export interface BuyerTokenUseRow {
  issuer: string;
  jti_hash: string;
  expires_at: string;
}

/** A fixed-window counter (`bucket` names what is counted, e.g. codes sent to one email). */
export interface RateLimitCounterRow {
  bucket: string;
  window_start: string;
  count: number;
  expires_at: string;
}

/** A seller's live sign-in code (migration 008), as {@link BuyerCodeRow}. */
export type SellerCodeRow = BuyerCodeRow;

/** A dashboard session: SHA-256 of its cookie's token (migration 008). */
export interface SellerSessionRow {
  id: string;
  token_hash: string;
  seller_id: string;
  /** How it was opened: `code`, `api_key` or `dev_link`. */
  method: string;
  expires_at: string;
  created_at: string;
}

/** A development-only one-time sign-in link (migration 008). */
export interface SellerLoginTokenRow {
  token_hash: string;
  seller_id: string;
  expires_at: string;
  created_at: string;
}

/** An image uploaded for a product (migration 008), served at `/v1/images/{id}`. */
export interface ProductImageRow {
  id: string;
  product_id: string;
  seller_id: string;
  content_type: string;
  size: number;
  data: Uint8Array;
  created_at: string;
}
