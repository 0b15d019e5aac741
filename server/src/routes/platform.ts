import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { json, problem, router, z } from '../http/openapi.ts';
import type { Logger } from '../log.ts';
import { ServiceError } from '../services/errors.ts';

/** The endpoint's version, as the health check reports it. */
export const VERSION = '0.1.0';

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness and database reachability',
  responses: {
    200: json(
      z.object({
        status: z.literal('ok'),
        version: z.string(),
        database: z.string(),
        payments: z.string(),
      }),
      'Healthy',
    ),
    503: problem('The database cannot be reached'),
  },
});

export interface PlatformDeps {
  /** Resolves when the database answers a query. */
  ping(): Promise<unknown>;
  /** The database's dialect and the payment provider's name, as reported. */
  database: string;
  payments: string;
  log: Logger;
}

/** What operators and load balancers call: the health check. */
export function platformRoutes(deps: PlatformDeps) {
  const app = router();
  app.openapi(health, async (c) => {
    try {
      await deps.ping();
    } catch (err) {
      deps.log.error({ err }, 'health: the database check failed');
      throw new ServiceError('internal_error', 'The database cannot be reached', { status: 503 });
    }
    const { database, payments } = deps;
    return c.json({ status: 'ok' as const, version: VERSION, database, payments }, 200);
  });
  return app;
}

/**
 * Serves `/openapi.json` on `v1`: the document of every route mounted on it, generated from the
 * same zod schemas that validate the requests.
 */
export function serveOpenApiDocument<E extends Env>(v1: OpenAPIHono<E>, publicUrl: string) {
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
  });
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Commerce Endpoint Protocol',
      version: '1',
      description: 'The HTTP protocol <buy-in-post> speaks. See docs/protocol.md.',
    },
    servers: [{ url: `${publicUrl}/v1` }],
  });
}
