import type { MiddlewareHandler } from 'hono';

/**
 * How a route of the protocol is retired within a major version (docs/versioning.md): the route
 * keeps working, and every answer says so — `Deprecation` (RFC 9745: since when, as `@<unix
 * seconds>`), `Sunset` (RFC 8594: when it may stop answering, an HTTP date) and a `Link` to what
 * to use instead (`rel="deprecation"`, plus `rel="successor-version"` when there is one).
 */
export interface DeprecationNotice {
  /** When the route was deprecated. */
  since: Date;
  /** When it may stop answering (never before the next major version's release). */
  sunset?: Date;
  /** A page that explains the deprecation and what replaces the route. */
  link: string;
  /** The route that replaces it, if any. */
  successor?: string;
}

/** The headers a deprecated route answers with. */
export function deprecationHeaders(notice: DeprecationNotice): Record<string, string> {
  const links = [`<${notice.link}>; rel="deprecation"; type="text/html"`];
  if (notice.successor) links.push(`<${notice.successor}>; rel="successor-version"`);
  return {
    Deprecation: `@${Math.floor(notice.since.getTime() / 1000)}`,
    ...(notice.sunset ? { Sunset: notice.sunset.toUTCString() } : {}),
    Link: links.join(', '),
  };
}

/**
 * Mounted before a deprecated route (`v1.use('/old', deprecation({...}))`): its answers, errors
 * included, carry the notice. The route's `createRoute` says `...deprecatedOperation(notice)` so
 * the OpenAPI document marks it too.
 */
export function deprecation(notice: DeprecationNotice): MiddlewareHandler {
  const headers = deprecationHeaders(notice);
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headers)) {
      if (name === 'Link') c.res.headers.append(name, value);
      else c.res.headers.set(name, value);
    }
  };
}

/** The OpenAPI side of a deprecation: spread into the route's `createRoute({...})`. */
export function deprecatedOperation(notice: DeprecationNotice) {
  const sunset = notice.sunset
    ? ` It may stop answering after ${notice.sunset.toUTCString()}.`
    : '';
  return {
    deprecated: true,
    description: `Deprecated since ${notice.since.toISOString().slice(0, 10)}.${sunset} See ${notice.link}.`,
  } as const;
}
