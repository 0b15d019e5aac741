import { randomBytes } from 'node:crypto';

/** Buyer sessions last 30 days; the element keeps the token only as long as the buyer asks. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;

export const SESSION_PREFIX = 'bip_sess_';

/**
 * An opaque bearer token: 256 random bits, so a hash of it (SHA-256, no key or stretching
 * needed at that entropy) is all the database keeps. The prefix lets secret scanners and the
 * log redactor recognise it.
 */
export function newSessionToken(): string {
  return `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A plausible session token by shape, checked before any database work. */
export function looksLikeSessionToken(token: string | undefined): token is string {
  return !!token && token.length <= 100 && /^bip_sess_[A-Za-z0-9_-]{40,}$/.test(token);
}
