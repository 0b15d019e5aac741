// The OpenAPI document of the reference endpoint, as `GET /v1/openapi.json` serves it, built
// in-process (an in-memory SQLite database, test mode) so no server need be running.
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';

/** The public URL the published document names: the project's own endpoint address. */
export const DOCUMENT_SERVER = 'https://endpoint.buy-in-post.dev';

export async function referenceDocument(publicUrl = DOCUMENT_SERVER): Promise<unknown> {
  const config = loadConfig({
    BIP_MODE: 'test',
    DATABASE_URL: ':memory:',
    BIP_PUBLIC_URL: publicUrl,
  });
  const endpoint = await createApp(config);
  try {
    const res = await endpoint.app.request('/v1/openapi.json');
    if (!res.ok) throw new Error(`GET /v1/openapi.json answered ${res.status}`);
    return await res.json();
  } finally {
    await endpoint.close();
  }
}
