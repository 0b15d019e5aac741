import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Config } from '../config.ts';

/**
 * The address a request came from: the connection's, or behind a trusted proxy
 * (`BIP_TRUST_PROXY`) the first of `X-Forwarded-For`. What rate limits count by.
 */
export function clientIp(config: Pick<Config, 'trustProxy'>): (c: Context) => string {
  return (c) =>
    (config.trustProxy ? c.req.header('X-Forwarded-For')?.split(',')[0]?.trim() : undefined) ??
    getConnInfo(c).remote.address ??
    'unknown';
}
