import { createHmac } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import ipaddr from 'ipaddr.js';
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

/**
 * The network one client stands for: an IPv4 address (an IPv4-mapped IPv6 one too), or the /64
 * of an IPv6 address — a single host is handed a whole /64, so counting by the full address
 * would let it be as many clients as it likes.
 */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return `other:${ip}`;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return `ipv4:${addr.toString()}`;
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `ipv6:${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/**
 * Who a request is, for the bounds on what one client may hold and do: its network
 * ({@link clientNetwork}) as a keyed hash — stable across the endpoint's processes (they share
 * `BIP_SECRET`), and no address is ever stored.
 */
export function clientKey(config: Pick<Config, 'trustProxy' | 'secret'>): (c: Context) => string {
  const ipOf = clientIp(config);
  // Worked out once per request: the rate limit and the checkout's bounds both ask.
  const keys = new WeakMap<Request, string>();
  return (c) => {
    let key = keys.get(c.req.raw);
    if (key === undefined) {
      key = createHmac('sha256', config.secret)
        .update(`client|${clientNetwork(ipOf(c))}`)
        .digest('base64url')
        .slice(0, 22);
      keys.set(c.req.raw, key);
    }
    return key;
  };
}
