import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Config } from '../config.ts';
import { ServiceError } from '../services/errors.ts';
import type { OriginPolicy } from '../services/origins.ts';

/** The paths of protocol v1 that pages embedding the element call (the seller API is not). */
export const PUBLIC_PATHS = [
  '/products',
  '/products/*',
  '/checkouts',
  '/checkouts/*',
  '/downloads/*',
  '/buyer',
  '/buyer/*',
  '/health',
  '/openapi.json',
] as const;

/** CORS for the public protocol: the origins OriginPolicy grants, nothing else. */
export function publicCors(origins: OriginPolicy): MiddlewareHandler {
  return cors({
    origin: (origin) => origins.corsOrigin(origin),
    allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    exposeHeaders: ['ETag', 'Idempotent-Replayed', 'Retry-After'],
    maxAge: 600,
  });
}

/**
 * Bodies are JSON, and small: a body of another type is refused (415) and one over
 * `BIP_BODY_LIMIT_BYTES` too (413), before any handler reads it.
 */
export function jsonBodies(config: Pick<Config, 'bodyLimitBytes'>): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      throw new ServiceError(
        'payload_too_large',
        `Bodies are limited to ${config.bodyLimitBytes} bytes`,
      );
    },
  });
  return async (c, next) => {
    if (c.req.method !== 'POST' && c.req.method !== 'PATCH' && c.req.method !== 'PUT')
      return next();
    if (c.req.path.endsWith('/file')) return next(); // raw upload, its own limit
    const type = c.req.header('Content-Type') ?? '';
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      throw new ServiceError(
        'unsupported_media_type',
        'Send the body as JSON with "Content-Type: application/json"',
      );
    }
    return limit(c, next);
  };
}
