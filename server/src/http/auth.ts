import type { Context } from 'hono';

/** The credential of `Authorization: Bearer <token>` (a checkout's client token, a seller's key). */
export function bearerToken(c: Context): string | undefined {
  const h = c.req.header('Authorization');
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}
