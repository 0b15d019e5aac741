import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The value every copy of the source signed download links with until issue 12: it is public,
 * so a server using it lets anyone mint a link to any digital product. Refused in every mode.
 */
export const PUBLISHED_DEV_SECRET = 'development-secret-not-for-production-use-000000';

/** Where a server without `BIP_SECRET` keeps the secret it generated, under its data directory. */
export const SECRET_FILE = 'buy-in-post.secret';

export const MIN_SECRET_BYTES = 32;
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why `secret` is too weak to sign with, or null when it will do. The rule (docs/security.md):
 * at least 32 bytes, at least 8 distinct characters, not one shorter block repeated
 * (`abcdabcd…`, `passwordpassword…`), and not the published development value. Random secrets
 * (`openssl rand -base64 32`) pass with room to spare; anything typed by a person rarely does.
 */
export function secretWeakness(secret: string): string | null {
  if (secret === PUBLISHED_DEV_SECRET)
    return 'is the development value published in the source; generate one (openssl rand -base64 32)';
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES)
    return `must be at least ${MIN_SECRET_BYTES} bytes (openssl rand -base64 32 gives 44)`;
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS)
    return `has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters: it is not random`;
  if (/^(.+?)\1+$/s.test(secret)) return 'is one short sequence repeated: it is not random';
  return null;
}

/**
 * The secret kept in `dir`, made on first use: 32 random bytes, in a file only the owner can
 * read (0600). Several processes starting at once agree on one secret: the file appears whole
 * or not at all (written aside, then hard-linked into place, which fails if another process
 * got there first), and every process reads back the one that won.
 * Throws an Error whose message names the file; the caller names the variable.
 */
export function loadOrCreateSecretFile(dir: string): string {
  const file = join(dir, SECRET_FILE);
  mkdirSync(dir, { recursive: true });
  const aside = join(dir, `.${SECRET_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(aside, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    try {
      unlinkSync(aside);
    } catch {}
  }
  // Windows has no such permission bits; elsewhere a secret others can read is no secret.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0)
    throw new Error(`${file} can be read by other users; run: chmod 600 ${file}`);
  const secret = readFileSync(file, 'utf8').trim();
  const weak = secretWeakness(secret);
  if (weak)
    throw new Error(`the secret in ${file} ${weak}; delete the file to have a new one made`);
  return secret;
}
