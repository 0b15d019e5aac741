import { randomInt } from 'node:crypto';

/** How long an emailed code stays valid, and how many guesses it allows. */
export const CODE_TTL_SECONDS = 10 * 60;
export const CODE_MAX_ATTEMPTS = 5;
export const CODE_DIGITS = 6;

/** A uniformly random six-digit code (leading zeros kept). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/**
 * What is hashed for a code: bound to its challenge, so the same digits sent twice never hash
 * alike. The hash itself is the wallet's keyed HMAC ({@link KeyRing.index}), not scrypt: a code
 * has only 10^6 values, so a slow hash would cost a database thief seconds at most while costing
 * every honest check CPU (a denial-of-service lever); a key the database does not hold makes
 * the stored hashes useless on their own, and 10 minutes and 5 attempts bound online guessing.
 */
export function codeMaterial(challengeId: string, code: string): string {
  return `${challengeId}:${code}`;
}

/** The form an email is indexed under: trimmed, NFC, lower case (mail hosts ignore case). */
export function normalizeEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

/** `ada@example.com` → `a•••@example.com`: enough to recognise, not to read. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}
