import { type ServerType, serve } from '@hono/node-server';
import { type AppOptions, createApp } from './app.ts';
import type { Config } from './config.ts';

export interface RunningServer {
  url: string;
  port: number;
  app: Awaited<ReturnType<typeof createApp>>;
  /** Stops accepting connections, finishes in-flight requests, stops background work, closes the database. */
  close(): Promise<void>;
}

/** Builds the app and listens. `port: 0` picks a free port (tests). */
export async function startServer(
  config: Config,
  options: AppOptions = {},
): Promise<RunningServer> {
  const app = await createApp(config, options);
  // Requests being handled, awaited before the database closes: Node's server.close() waits
  // for connections, and one whose client left (a closed tab, a proxy's timeout) is closed while
  // its request is still at work — a checkout half made, its answer never stored.
  const handling = new Set<Promise<unknown>>();
  const fetch: typeof app.app.fetch = (request, ...rest) => {
    const answer = Promise.resolve(app.app.fetch(request, ...rest));
    const settled = answer.then(
      () => {},
      () => {},
    );
    handling.add(settled);
    void settled.then(() => handling.delete(settled));
    return answer;
  };
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  app.startBackground();
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Idle keep-alive sockets would hold close() open forever.
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        while (handling.size > 0) await Promise.all(handling);
        await app.close();
      })();
      return closing;
    },
  };
}

/** Closes the server on SIGINT/SIGTERM; a second signal exits at once. */
export function closeOnSignals(server: RunningServer) {
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) process.exit(1);
    signalled = true;
    server.app.log.info({ signal }, 'finishing in-flight requests before exiting');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'closing failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
