import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from './app.ts';
import type { Config } from './config.ts';

export interface RunningServer {
  url: string;
  port: number;
  app: Awaited<ReturnType<typeof createApp>>;
  /** Stops accepting connections, finishes in-flight requests, stops background work, closes the database. */
  close(): Promise<void>;
}

/** How long a stopping server waits for its connections to end once every answer is made. */
const CLOSE_GRACE_MS = 2_000;

/** `res`, telling its client that its connection closes after it (Node then ends it). */
function lastOnItsConnection(res: Response): Response {
  try {
    res.headers.set('Connection', 'close');
    return res;
  } catch {
    // headers that cannot change (a Response made by fetch): a copy's can
    const copy = new Response(res.body, res);
    copy.headers.set('Connection', 'close');
    return copy;
  }
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
  let stopping = false;
  const fetch: typeof app.app.fetch = (request, ...rest) => {
    const answer = Promise.resolve(app.app.fetch(request, ...rest)).then((res) =>
      stopping ? lastOnItsConnection(res) : res,
    );
    const settled = answer.then(
      () => {},
      () => {},
    );
    handling.add(settled);
    void settled.then(() => handling.delete(settled));
    return answer;
  };
  // (an HTTP/1.1 server: serve() makes one unless told to make another)
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    );
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
        stopping = true;
        // Node's close() waits for every connection to end, and a client that keeps sending
        // requests on its kept-alive connection would hold it open for ever: those requests are
        // still answered, each with `Connection: close` (lastOnItsConnection), so the client
        // leaves after the one it is on, and idle connections are closed now.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        while (handling.size > 0) await Promise.all(handling);
        // Every answer is made; a connection still open after a while (a client slow to read
        // its answer, or one that never finished sending a request) is cut.
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        await closed;
        clearTimeout(grace);
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
