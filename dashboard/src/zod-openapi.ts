// What the server's protocol schemas (server/src/protocol/*.ts) need from @hono/zod-openapi, for
// the browser: zod itself, with the `.openapi()` method they call to document themselves. Vite
// aliases @hono/zod-openapi here for the dashboard build (dashboard/vite.config.ts), so the page
// validates with the server's own schemas without bundling Hono or an OpenAPI generator: in the
// browser `.openapi()` documents nothing and returns the schema as it is. (This module's side
// effect is declared in dashboard/package.json, or the bundler would drop it.)
import { ZodType, z } from 'zod';

const proto = ZodType.prototype as { openapi?: (this: unknown) => unknown };
proto.openapi ??= function (this: unknown) {
  return this;
};

export { z };
