// What the server's protocol schemas (server/src/protocol/*.ts) need from @hono/zod-openapi, for
// the browser: zod itself plus the `.openapi()` method, which only records documentation. Vite
// aliases @hono/zod-openapi here for the dashboard build (dashboard/vite.config.ts), so the page
// validates with the server's own schemas without bundling Hono.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
