import { deriveWalletKeys, parseWalletKeys, type WalletKeys } from './keys.ts';

/** The wallet's part of the configuration (docs/wallet.md, docs/configuration.md). */
export interface WalletConfig {
  /**
   * The key material, from `BIP_WALLET_KEYS`; outside production, derived from the server secret
   * when unset. `null` in production without `BIP_WALLET_KEYS`: the wallet is off (its routes
   * answer `503 wallet_unavailable`) rather than storing buyers' details under a derived key.
   */
  keys: WalletKeys | null;
  /** Mail for sign-in codes (`BIP_SMTP_URL`, `BIP_MAIL_FROM`); null: none configured. */
  smtp: { url: string; from: string } | null;
  /** Host platforms whose buyer tokens are trusted: `iss` → its JWKS URL. */
  issuers: ReadonlyMap<string, URL>;
}

const MAX_ISSUERS = 100;

/** No wallet: what the configuration holds until {@link parseWalletConfig} has run. */
export const WALLET_OFF: WalletConfig = { keys: null, smtp: null, issuers: new Map() };

/**
 * Reads the wallet's variables from the environment. Returns the configuration, or one line per
 * variable at fault (`NAME: what is wrong`) for the caller to raise as a ConfigError — this
 * module does not import config.ts, which imports it.
 */
export function parseWalletConfig(
  env: Record<string, string | undefined>,
  mode: 'development' | 'production' | 'test',
  /** The server secret, final (read only to derive keys when BIP_WALLET_KEYS is unset). */
  secret: string,
): { ok: true; config: WalletConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const set = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  let keys: WalletKeys | null = null;
  const rawKeys = set('BIP_WALLET_KEYS');
  if (rawKeys) {
    try {
      keys = parseWalletKeys(rawKeys);
    } catch (err) {
      errors.push(`BIP_WALLET_KEYS: ${(err as Error).message}`);
    }
  } else if (mode !== 'production' && secret) {
    keys = deriveWalletKeys(secret);
  }

  let smtp: WalletConfig['smtp'] = null;
  const smtpUrl = set('BIP_SMTP_URL');
  const from = set('BIP_MAIL_FROM');
  if (smtpUrl) {
    let url: URL | null = null;
    try {
      url = new URL(smtpUrl);
    } catch {}
    if (!url || !/^smtps?:$/.test(url.protocol))
      errors.push(
        'BIP_SMTP_URL: must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example:465',
      );
    if (!from)
      errors.push('BIP_MAIL_FROM: required with BIP_SMTP_URL (the sender of sign-in codes)');
    else if (!/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from))
      errors.push('BIP_MAIL_FROM: must be an address, or "Name <address>"');
    if (url && from) smtp = { url: smtpUrl, from };
  } else if (from) {
    errors.push('BIP_MAIL_FROM: set, but BIP_SMTP_URL is not');
  }

  const issuers = new Map<string, URL>();
  const rawIssuers = set('BIP_BUYER_TOKEN_ISSUERS');
  if (rawIssuers) {
    const problem = parseIssuers(rawIssuers, mode, issuers);
    if (problem) errors.push(`BIP_BUYER_TOKEN_ISSUERS: ${problem}`);
  }

  return errors.length ? { ok: false, errors } : { ok: true, config: { keys, smtp, issuers } };
}

/**
 * `{"https://social.example": "https://social.example/.well-known/jwks.json", …}`: JSON, because
 * issuers are URLs and a hand-rolled `iss=url,…` list would have to guess at `=` and `,` in them.
 */
function parseIssuers(raw: string, mode: string, into: Map<string, URL>): string | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'must be a JSON object of issuer → JWKS URL, e.g. {"https://social.example": "https://social.example/.well-known/jwks.json"}';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return 'must be a JSON object of issuer → JWKS URL';
  const entries = Object.entries(value);
  if (entries.length > MAX_ISSUERS) return `at most ${MAX_ISSUERS} issuers`;
  for (const [iss, jwks] of entries) {
    if (!iss.trim() || iss.length > 500) return 'an issuer is empty or longer than 500 characters';
    let url: URL | null = null;
    try {
      url = typeof jwks === 'string' ? new URL(jwks) : null;
    } catch {}
    if (!url || !/^https?:$/.test(url.protocol))
      return `the JWKS URL of "${iss}" must be an http(s) URL`;
    // A JWKS fetched in clear text can be swapped on the way: anyone could mint buyer tokens.
    if (mode === 'production' && url.protocol !== 'https:')
      return `the JWKS URL of "${iss}" must be https in production`;
    into.set(iss, url);
  }
  return null;
}
