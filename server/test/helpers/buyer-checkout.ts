import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../src/log.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/services/outbox.ts';
import { client, type TestServer } from './server.ts';
import { freshIp, type Issuer, type Smtp, signIn } from './wallet.ts';

/** A signed-in buyer, as the element holds one: the session token and the wallet it opens. */
export interface SignedIn {
  token: string;
  buyerId: string;
  /** The wallet's email, when it has one (a host sign-in alone has none). */
  email: string | null;
  /** `/v1/buyer/*` calls with the session (`Authorization: Bearer`). */
  api: ReturnType<typeof client>;
}

/** The two ways into a wallet: an emailed code, or a host platform's signed buyer token. */
export interface Identity {
  name: 'email code' | 'host token';
  /** Opens the wallet of `who` (the same `who` opens the same wallet again: a returning buyer). */
  signIn(server: TestServer, who: string): Promise<SignedIn>;
}

export function identities(smtp: () => Smtp, host: () => Issuer): Identity[] {
  return [
    {
      name: 'email code',
      async signIn(server, who) {
        const s = await signIn(server, smtp(), `${who}@example.com`);
        return { token: s.token, buyerId: s.buyerId, email: s.email, api: s.api };
      },
    },
    {
      name: 'host token',
      async signIn(server, who) {
        const hostToken = await host().mint(server.url, `user-${who}`);
        const res = await client(server.url, { 'X-Forwarded-For': freshIp() })(
          'POST',
          '/buyer/sessions',
          { hostToken },
        );
        if (res.status !== 201)
          throw new Error(`host sign-in: ${res.status} ${JSON.stringify(res.body)}`);
        const token: string = res.body.sessionToken;
        const { buyerId } = await server.app.services.wallet.authenticate(token);
        return {
          token,
          buyerId,
          email: null,
          api: client(server.url, { Authorization: `Bearer ${token}` }),
        };
      },
    },
  ];
}

/** The server's log lines, kept (JSON, as in production) so a test can read what it says. */
export function capturedLog(): { log: Logger; text: () => string; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ mode: 'production', destination: { write: (l) => lines.push(l) } });
  return { log, lines, text: () => lines.join('') };
}

export interface Delivery {
  body: string;
  verified: boolean;
  event: { id: string; type: string; data: any };
}

/**
 * A seller's webhook receiver: checks each signature with the seller's secret, answers 200, and
 * hands deliveries to whoever waits for an event type (no polling).
 */
export async function webhookReceiver(secret: () => string) {
  const received: Delivery[] = [];
  const waiting: { type: string; resolve: (d: Delivery) => void }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined;
      const delivery = {
        body,
        verified: verifyWebhook(body, signature, secret()),
        event: JSON.parse(body),
      };
      received.push(delivery);
      res.end('ok');
      const i = waiting.findIndex((w) => w.type === delivery.event.type);
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(delivery);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    /** The first delivery of `type` (waits for it). */
    next(type: string): Promise<Delivery> {
      const seen = received.find((d) => d.event.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof webhookReceiver>>;
