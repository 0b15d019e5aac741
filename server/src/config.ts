import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isPostgresUrl } from './db/database.ts';
import { parseAllowList } from './net/ssrf.ts';
import { loadOrCreateSecretFile, PUBLISHED_DEV_SECRET, secretWeakness } from './secrets.ts';
import { parseWalletConfig, WALLET_OFF, type WalletConfig } from './wallet/config.ts';

/**
 * The endpoint's configuration, parsed once at start from environment variables (and CLI flags,
 * which override them). Every value the rest of the server reads comes from here, typed.
 */
export interface Config {
  mode: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** A SQLite file path (or `:memory:`) or a `postgres://` URL. */
  databaseUrl: string;
  /** Public base URL of this endpoint, used to build download links. */
  publicUrl: string;
  /**
   * Secret that signs download links: `BIP_SECRET` (required, and strong, in production), else
   * one generated on first start and kept in {@link dataDir}.
   */
  secret: string;
  /** Where the server keeps its own files (the generated secret; SQLite's file by default). */
  dataDir: string;
  allowTestPayments: boolean;
  reservationSeconds: number;
  /** Checkout creations allowed per client per minute (counted in the database). */
  checkoutRateLimit: number;
  /** Checkout changes (PATCH) allowed per client per minute (counted in the database). */
  checkoutChangeRateLimit: number;
  /** Open checkouts one client may hold at once. */
  clientMaxHolds: number;
  /** Units of one variant one client may hold at once, across its open checkouts. */
  clientMaxUnits: number;
  trustProxy: boolean;
  bodyLimitBytes: number;
  /** Origins allowed in development mode regardless of seller settings (`*` = any). */
  devCorsOrigins: string[];
  /**
   * How long a process keeps a product look-up's answer: the most the availability it shows can
   * lag behind the database (seller changes show at once). 0 reads the database every time.
   */
  productCacheMs: number;
  webhook: {
    retryBaseMs: number;
    maxAttempts: number;
    timeoutMs: number;
    pollMs: number;
    /**
     * Host names, addresses and CIDR ranges webhooks may reach although they are internal
     * (everything internal is refused in production; loopback and private networks are
     * allowed in the other modes).
     */
    allowHosts: string[];
  };
  downloadLinkSeconds: number;
  /**
   * Days a closed checkout (paid, expired, canceled) keeps the buyer's personal data, and a
   * webhook event its payload, before the sweeper forgets them (docs/security.md).
   */
  checkoutRetentionDays: number;
  sweepIntervalMs: number;
  /** The seller's dashboard at `/seller/` (docs/seller.md, "Dashboard"). */
  dashboard: DashboardConfig;
  /**
   * Where product pages and oEmbed snippets load the element from (`BIP_ELEMENT_SCRIPT_URL`, a
   * CDN's `…/dist/buy-in-post.js`); null: the endpoint serves its own copy under `/element/`.
   */
  elementScriptUrl: string | null;
  /** Stripe, when its keys are set; otherwise the built-in test provider takes payments. */
  stripe: StripeConfig | null;
  /** The buyer's wallet: keys, mail for sign-in codes, trusted host issuers (docs/wallet.md). */
  wallet: WalletConfig;
}

export interface StripeConfig {
  secretKey: string;
  publishableKey: string;
  /** Signs the events Stripe posts to `/v1/webhooks/stripe`; without it, webhooks are refused. */
  webhookSecret: string | null;
  /** Where the Stripe API is (tests point it at a local double); Stripe's own by default. */
  api: { host: string; port: number; protocol: 'http' | 'https' } | null;
  /** How buyers pay by default: the Payment Element on the page, or Stripe's hosted page. */
  mode: 'elements' | 'hosted';
  /** Platform mode (Stripe Connect, `BIP_STRIPE_CONNECT=true`); null for a single-seller endpoint. */
  connect: ConnectConfig | null;
}

/**
 * Platform mode: each seller is paid into a connected account of its own (docs/stripe.md,
 * "Platform mode"). The endpoint's keys are the platform's.
 */
export interface ConnectConfig {
  /** The kind of connected account made for a seller (Express unless told). */
  accountType: 'express' | 'standard';
  /**
   * Signs the events of connected accounts posted to `/v1/webhooks/stripe/connect` (a Connect
   * webhook endpoint has a secret of its own); without it, they are refused.
   */
  webhookSecret: string | null;
  /** The platform's fee in basis points of each total (100 = 1 %), taken as an application fee. */
  feeBps: number;
  /** Per-seller fees that replace {@link feeBps} (seller id → basis points). */
  feeBpsBySeller: Record<string, number>;
  /** Where Stripe's onboarding sends the seller back (and a stale link to); null: the public URL. */
  returnUrl: string | null;
}

export interface DashboardConfig {
  /** The built app (`BIP_DASHBOARD_DIR`; `dist-dashboard/` of the repository by default). */
  dir: string;
  /** How long a dashboard session lasts from sign-in, not extended by use. */
  sessionHours: number;
  /** How long a rotated API key or webhook secret keeps working beside the new one. */
  keyGraceSeconds: number;
  /** The largest product image a seller may upload. */
  imageLimitBytes: number;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const MODES = ['development', 'production', 'test'] as const;
// `Production` must not quietly mean development (open CORS, generated secrets): any case is
// read, and anything else is refused.
const modeSchema = (hint: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(MODES, { error: `must be development, production or test (any case)${hint}` }));

/** Environment variables the server reads, with their defaults. */
const EnvSchema = z.object({
  BIP_MODE: modeSchema('').optional(),
  NODE_ENV: z.string().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8787),
  DATABASE_URL: z.string().min(1).default('./data/buy-in-post.sqlite'),
  BIP_PUBLIC_URL: z.url().optional(),
  BIP_SECRET: z.string().optional(),
  BIP_DATA_DIR: z.string().min(1).optional(),
  BIP_DASHBOARD_DIR: z.string().min(1).optional(),
  BIP_SELLER_SESSION_HOURS: int(1, 24 * 30).default(12),
  BIP_SELLER_KEY_GRACE_SECONDS: int(0, 30 * 24 * 3600).default(24 * 3600),
  BIP_IMAGE_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  BIP_ALLOW_TEST_PAYMENTS: bool.optional(),
  BIP_RESERVATION_SECONDS: int(1, 24 * 3600).default(15 * 60),
  BIP_CHECKOUT_RATE_LIMIT: int(1).default(30),
  BIP_CHECKOUT_CHANGE_RATE_LIMIT: int(1).default(120),
  BIP_CLIENT_MAX_HOLDS: int(1).default(10),
  BIP_CLIENT_MAX_UNITS: int(1).default(20),
  BIP_TRUST_PROXY: bool.default(false),
  BIP_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  BIP_DEV_CORS_ORIGINS: z.string().default('*'),
  BIP_PRODUCT_CACHE_MS: int(0, 60_000).default(1_000),
  BIP_WEBHOOK_RETRY_BASE_MS: int(1).default(30_000),
  BIP_WEBHOOK_MAX_ATTEMPTS: int(1, 50).default(12),
  BIP_WEBHOOK_TIMEOUT_MS: int(100).default(10_000),
  BIP_WEBHOOK_POLL_MS: int(10).default(1_000),
  BIP_WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      try {
        parseAllowList(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  BIP_DOWNLOAD_LINK_SECONDS: int(60).default(7 * 24 * 3600),
  BIP_SWEEP_INTERVAL_MS: int(10).default(30_000),
  BIP_CHECKOUT_RETENTION_DAYS: int(1, 3650).default(30),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)')
    .optional(),
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(test|live)_\w+$/, 'must be a Stripe publishable key (pk_test_… or pk_live_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'must start with whsec_')
    .optional(),
  STRIPE_API_HOST: z.string().min(1).optional(),
  STRIPE_API_PORT: int(1, 65535).optional(),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
  BIP_PAYMENT_MODE: z.enum(['elements', 'hosted']).default('elements'),
  BIP_ELEMENT_SCRIPT_URL: z.url({ protocol: /^https?$/ }).optional(),
  BIP_STRIPE_CONNECT: bool.default(false),
  BIP_STRIPE_CONNECT_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'must start with whsec_')
    .optional(),
  BIP_CONNECT_ACCOUNT_TYPE: z.enum(['express', 'standard']).default('express'),
  BIP_CONNECT_RETURN_URL: z.url({ protocol: /^https?$/ }).optional(),
  BIP_PLATFORM_FEE_BPS: int(0, 10_000).optional(),
  BIP_PLATFORM_FEE_BPS_BY_SELLER: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const out: Record<string, number> = Object.create(null);
      for (const entry of s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const m = /^([A-Za-z0-9_-]{1,64})[=:](\d{1,5})$/.exec(entry);
        const bps = m ? Number(m[2]) : NaN;
        if (!m || bps > 10_000) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not seller_id=basis_points (0 to 10000), e.g. sel_abc=250`,
          });
          return z.NEVER;
        }
        out[m[1]!] = bps;
      }
      return out;
    }),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Where the server keeps its files unless told: beside the SQLite file, else `./data`. */
function defaultDataDir(databaseUrl: string): string {
  if (isPostgresUrl(databaseUrl)) return './data';
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  return file === ':memory:' ? './data' : dirname(file);
}

/**
 * Parses the environment (plus overrides from CLI flags) into a {@link Config}.
 * Throws a {@link ConfigError} naming each variable at fault.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const errors: string[] = [];
  // NODE_ENV is read only when BIP_MODE is not set; other tools may give it values of their own.
  let nodeEnvMode: Config['mode'] = 'development';
  if (!e.BIP_MODE && e.NODE_ENV !== undefined) {
    const m = modeSchema('; or set BIP_MODE, which wins').safeParse(e.NODE_ENV);
    if (m.success) nodeEnvMode = m.data;
    else errors.push(`NODE_ENV: ${m.error.issues[0]?.message}`);
  }
  const mode = overrides.mode ?? e.BIP_MODE ?? nodeEnvMode;
  const port = overrides.port ?? e.PORT;
  const host = overrides.host ?? e.HOST;
  const dataDir = overrides.dataDir ?? e.BIP_DATA_DIR ?? defaultDataDir(e.DATABASE_URL);
  const config: Config = {
    mode,
    host,
    port,
    databaseUrl: e.DATABASE_URL,
    publicUrl: (
      e.BIP_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`
    ).replace(/\/$/, ''),
    secret: e.BIP_SECRET ?? '', // a generated one is read below, once the rest is known good
    dataDir,
    allowTestPayments: e.BIP_ALLOW_TEST_PAYMENTS ?? mode !== 'production',
    reservationSeconds: e.BIP_RESERVATION_SECONDS,
    checkoutRateLimit: e.BIP_CHECKOUT_RATE_LIMIT,
    checkoutChangeRateLimit: e.BIP_CHECKOUT_CHANGE_RATE_LIMIT,
    clientMaxHolds: e.BIP_CLIENT_MAX_HOLDS,
    clientMaxUnits: e.BIP_CLIENT_MAX_UNITS,
    trustProxy: e.BIP_TRUST_PROXY,
    bodyLimitBytes: e.BIP_BODY_LIMIT_BYTES,
    devCorsOrigins: e.BIP_DEV_CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    productCacheMs: e.BIP_PRODUCT_CACHE_MS,
    webhook: {
      retryBaseMs: e.BIP_WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.BIP_WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.BIP_WEBHOOK_TIMEOUT_MS,
      pollMs: e.BIP_WEBHOOK_POLL_MS,
      allowHosts: e.BIP_WEBHOOK_ALLOW_HOSTS,
    },
    downloadLinkSeconds: e.BIP_DOWNLOAD_LINK_SECONDS,
    sweepIntervalMs: e.BIP_SWEEP_INTERVAL_MS,
    dashboard: {
      dir: e.BIP_DASHBOARD_DIR ?? fileURLToPath(new URL('../../dist-dashboard/', import.meta.url)),
      sessionHours: e.BIP_SELLER_SESSION_HOURS,
      keyGraceSeconds: e.BIP_SELLER_KEY_GRACE_SECONDS,
      imageLimitBytes: e.BIP_IMAGE_LIMIT_BYTES,
    },
    checkoutRetentionDays: e.BIP_CHECKOUT_RETENTION_DAYS,
    elementScriptUrl: e.BIP_ELEMENT_SCRIPT_URL ?? null,
    stripe: stripeConfig(e),
    wallet: WALLET_OFF, // read below, once the secret is final
    ...overrides,
  };
  const production = config.mode === 'production';
  if (production && config.stripe?.connect && !config.stripe.connect.webhookSecret) {
    errors.push(
      'BIP_STRIPE_CONNECT_WEBHOOK_SECRET: required in production in platform mode (sellers are enabled, and refunds reach orders, by Connect webhooks)',
    );
  }
  if (production && config.stripe && !config.stripe.webhookSecret) {
    errors.push(
      'STRIPE_WEBHOOK_SECRET: required in production with Stripe keys (orders are paid when Stripe says so, by webhook)',
    );
  }
  if (e.BIP_SECRET !== undefined && overrides.secret === undefined) {
    const weak = secretWeakness(e.BIP_SECRET);
    // Outside production a test may pass any fixed secret, but never the published one.
    if (weak && (production || e.BIP_SECRET === PUBLISHED_DEV_SECRET))
      errors.push(`BIP_SECRET: ${weak}`);
  } else if (production && overrides.secret === undefined) {
    errors.push(
      'BIP_SECRET: required in production (every process must sign download links alike); generate one with: openssl rand -base64 32',
    );
  }
  if (errors.length === 0 && !config.secret) {
    try {
      config.secret = loadOrCreateSecretFile(dataDir);
    } catch (err) {
      errors.push(
        `BIP_SECRET: not set, and the generated one cannot be kept in BIP_DATA_DIR (${dataDir}): ${(err as Error).message}`,
      );
    }
  }
  if (overrides.wallet === undefined) {
    const wallet = parseWalletConfig(present, config.mode, config.secret);
    if (wallet.ok) config.wallet = wallet.config;
    else errors.push(...wallet.errors);
  }
  if (errors.length > 0)
    throw new ConfigError(`Invalid configuration:\n${errors.map((l) => `  ${l}`).join('\n')}`);
  return config;
}

function stripeConfig(e: z.infer<typeof EnvSchema>): StripeConfig | null {
  const secret = e.STRIPE_SECRET_KEY;
  const publishable = e.STRIPE_PUBLISHABLE_KEY;
  // Platform settings without platform mode would be silently ignored: refused instead.
  const connectOnly = (
    [
      ['BIP_STRIPE_CONNECT_WEBHOOK_SECRET', e.BIP_STRIPE_CONNECT_WEBHOOK_SECRET],
      ['BIP_PLATFORM_FEE_BPS', e.BIP_PLATFORM_FEE_BPS],
      [
        'BIP_PLATFORM_FEE_BPS_BY_SELLER',
        Object.keys(e.BIP_PLATFORM_FEE_BPS_BY_SELLER).length || undefined,
      ],
      ['BIP_CONNECT_RETURN_URL', e.BIP_CONNECT_RETURN_URL],
    ] as const
  ).find(([, v]) => v !== undefined);
  if (!e.BIP_STRIPE_CONNECT && connectOnly)
    throw new ConfigError(
      `Invalid configuration:\n  ${connectOnly[0]}: set, but BIP_STRIPE_CONNECT is not true (platform mode is off)`,
    );
  if (!secret && !publishable) {
    if (e.STRIPE_WEBHOOK_SECRET)
      throw new ConfigError(
        'Invalid configuration:\n  STRIPE_WEBHOOK_SECRET: set, but STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are not',
      );
    if (e.BIP_STRIPE_CONNECT)
      throw new ConfigError(
        'Invalid configuration:\n  BIP_STRIPE_CONNECT: platform mode pays sellers through Stripe Connect; set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY (the platform account’s keys)',
      );
    return null;
  }
  if (!secret || !publishable) {
    const missing = secret ? 'STRIPE_PUBLISHABLE_KEY' : 'STRIPE_SECRET_KEY';
    throw new ConfigError(
      `Invalid configuration:\n  ${missing}: required with ${secret ? 'STRIPE_SECRET_KEY' : 'STRIPE_PUBLISHABLE_KEY'} (set both, or neither for the test provider)`,
    );
  }
  const live = (key: string) => key.includes('_live_');
  if (live(secret) !== live(publishable)) {
    throw new ConfigError(
      'Invalid configuration:\n  STRIPE_PUBLISHABLE_KEY: one key is a test key and the other a live key; use a pair from the same mode',
    );
  }
  const api =
    e.STRIPE_API_HOST || e.STRIPE_API_PORT || e.STRIPE_API_PROTOCOL
      ? {
          host: e.STRIPE_API_HOST ?? 'api.stripe.com',
          port: e.STRIPE_API_PORT ?? (e.STRIPE_API_PROTOCOL === 'http' ? 80 : 443),
          protocol: e.STRIPE_API_PROTOCOL ?? 'https',
        }
      : null;
  return {
    secretKey: secret,
    publishableKey: publishable,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET ?? null,
    api,
    mode: e.BIP_PAYMENT_MODE,
    connect: e.BIP_STRIPE_CONNECT
      ? {
          accountType: e.BIP_CONNECT_ACCOUNT_TYPE,
          webhookSecret: e.BIP_STRIPE_CONNECT_WEBHOOK_SECRET ?? null,
          feeBps: e.BIP_PLATFORM_FEE_BPS ?? 0,
          feeBpsBySeller: e.BIP_PLATFORM_FEE_BPS_BY_SELLER,
          returnUrl: e.BIP_CONNECT_RETURN_URL ?? null,
        }
      : null,
  };
}
