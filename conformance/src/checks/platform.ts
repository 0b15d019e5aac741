import type { Client } from '../http.ts';
import { must, type Recorder } from '../run.ts';

export async function checkPlatform(client: Client, rec: Recorder) {
  const health = await client.send({ path: '/health' });
  await rec.verify('PLATFORM-HEALTH', async () => {
    must(health.status === 200, `GET /v1/health answered ${health.status}`);
    must(
      health.body?.status === 'ok',
      `status is ${JSON.stringify(health.body?.status)}, not "ok"`,
    );
  });
  await rec.verify('PLATFORM-VERSIONS', async () => {
    const protocols = health.body?.protocols;
    must(Array.isArray(protocols), '/v1/health has no protocols list');
    must(protocols.includes('1'), `protocols is ${JSON.stringify(protocols)}, without "1"`);
    return `protocols ${JSON.stringify(protocols)}`;
  });
  await rec.verify('PLATFORM-OPENAPI', async () => {
    const doc = await client.send({ path: '/openapi.json' });
    must(doc.status === 200, `GET /v1/openapi.json answered ${doc.status}`);
    must(
      /^3\.1\./.test(String(doc.body?.openapi)),
      `openapi is ${JSON.stringify(doc.body?.openapi)}, not 3.1.x`,
    );
    must(doc.body?.paths && typeof doc.body.paths === 'object', 'the document has no paths');
  });
}

/** SCHEMA-ANSWERS, judged on every answer of the run. */
export async function checkObservedSchemas(client: Client, rec: Recorder) {
  await rec.verify('SCHEMA-ANSWERS', async () => {
    const wrong = client.log.filter((e) => !e.verdict.ok);
    must(
      wrong.length === 0,
      `${wrong.length} of ${client.log.length} answers do not match the document: ${wrong
        .slice(0, 3)
        .map((e) => `${e.method} ${e.path} → ${e.status}: ${(e.verdict as { why: string }).why}`)
        .join(' | ')}`,
    );
    return `${client.log.length} answers checked`;
  });
}
