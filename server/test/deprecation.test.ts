// Deprecation and Sunset headers (docs/versioning.md): a deprecated route keeps answering, and
// every answer of it — errors included — says since when, until when and where to read why;
// the OpenAPI document marks the operation deprecated. Over HTTP, on a real server.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createRoute } from '@hono/zod-openapi';
import { deprecatedOperation, deprecation } from '../src/http/deprecation.ts';
import { errorProblem } from '../src/http/errors.ts';
import { json, problem, router, security, tag, z } from '../src/http/openapi.ts';
import { createLogger } from '../src/log.ts';
import { ServiceError } from '../src/services/errors.ts';

const notice = {
  since: new Date('2026-12-01T00:00:00Z'),
  sunset: new Date('2027-06-30T00:00:00Z'),
  link: 'https://buy-in-post.dev/docs/versioning#deprecations',
  successor: '/v1/things',
};

const oldThing = createRoute({
  method: 'get',
  path: '/old-things/{id}',
  operationId: 'getOldThing',
  tags: tag('Platform'),
  security: security.none,
  summary: 'A thing, the old way',
  ...deprecatedOperation(notice),
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: json(z.object({ id: z.string() }), 'The thing'),
    404: problem('No such thing'),
  },
});

describe('a deprecated route', () => {
  let url = '';
  let server: ReturnType<typeof serve>;
  before(async () => {
    const v1 = router();
    v1.use('/old-things/*', deprecation(notice));
    v1.openapi(oldThing, (c) => {
      const { id } = c.req.valid('param');
      if (id === 'missing') throw new ServiceError('not_found', 'No such thing');
      return c.json({ id }, 200);
    });
    v1.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 't', version: '1' } });
    const app = router();
    app.route('/v1', v1);
    app.onError(errorProblem(createLogger({ mode: 'test' })));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('still answers, with Deprecation, Sunset and Link', async () => {
    const res = await fetch(`${url}/old-things/a`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 'a' });
    assert.equal(res.headers.get('Deprecation'), `@${Date.parse('2026-12-01T00:00:00Z') / 1000}`);
    assert.equal(res.headers.get('Sunset'), 'Wed, 30 Jun 2027 00:00:00 GMT');
    assert.equal(
      res.headers.get('Link'),
      '<https://buy-in-post.dev/docs/versioning#deprecations>; rel="deprecation"; type="text/html", </v1/things>; rel="successor-version"',
    );
  });

  test('says so on its errors too', async () => {
    const res = await fetch(`${url}/old-things/missing`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('Content-Type'), 'application/problem+json');
    assert.ok(res.headers.get('Deprecation'));
    assert.ok(res.headers.get('Sunset'));
  });

  test('is marked deprecated in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { deprecated?: boolean; description: string }>>;
    };
    const op = doc.paths['/old-things/{id}']?.get;
    assert.ok(op, 'the route is in the document');
    assert.equal(op.deprecated, true);
    assert.match(
      op.description,
      /Deprecated since 2026-12-01\. It may stop answering after Wed, 30 Jun 2027/,
    );
  });
});
