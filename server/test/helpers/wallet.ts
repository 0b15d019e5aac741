import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { SMTPServer } from 'smtp-server';
import type { Clock } from '../../src/util.ts';
import { client, type TestServer } from './server.ts';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private t = Date.now();
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

export interface ReceivedMail {
  to: string;
  raw: string;
  subject: string;
  /** The six-digit code read out of the mail's body. */
  code: string;
}

/**
 * A real SMTP server in the test process (smtp-server): the endpoint mails through nodemailer
 * to it, and the test reads codes out of what arrived — nothing of the mailer is stubbed.
 */
export async function startSmtp() {
  const received: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (m: ReceivedMail) => void }[] = [];
  const taken = new Set<ReceivedMail>();
  const deliver = (mail: ReceivedMail) => {
    received.push(mail);
    const i = waiting.findIndex((w) => w.to === mail.to);
    if (i >= 0) {
      taken.add(mail);
      waiting.splice(i, 1)[0]!.resolve(mail);
    }
  };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo[0]?.address ?? '';
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        const code = /Your code: (\d{6})/.exec(raw)?.[1] ?? '';
        deliver({ to, raw, subject, code });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** The next mail to `to` not yet read (waits for it). */
    next(to: string): Promise<ReceivedMail> {
      const ready = received.find((m) => m.to === to && !taken.has(m));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push({ to, resolve }));
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
export type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/** The environment a wallet test server needs: SMTP, and X-Forwarded-For trusted (test IPs). */
export function walletEnv(smtp: Smtp, extra: Record<string, string> = {}) {
  return {
    BIP_SMTP_URL: smtp.url,
    BIP_MAIL_FROM: 'Shop <codes@shop.example>',
    BIP_TRUST_PROXY: 'true',
    ...extra,
  };
}

let ipSeq = 0;
/** A client address of its own, so tests do not share rate-limit windows. */
export const freshIp = () => `198.51.100.${(ipSeq++ % 250) + 1}`;
export const freshEmail = (name = 'reader') => `${name}.${randomUUID().slice(0, 8)}@example.com`;

/** Asks for a code and reads it out of the mail. */
export async function askCode(server: TestServer, smtp: Smtp, email: string, ip = freshIp()) {
  const api = client(server.url, { 'X-Forwarded-For': ip });
  const res = await api('POST', '/buyer/codes', { email });
  if (res.status !== 202) throw new Error(`askCode: ${res.status} ${JSON.stringify(res.body)}`);
  return (await smtp.next(email)).code;
}

/** Signs in by email code; returns the session's token and a client carrying it. */
export async function signIn(server: TestServer, smtp: Smtp, email = freshEmail()) {
  const code = await askCode(server, smtp, email);
  const res = await client(server.url, { 'X-Forwarded-For': freshIp() })(
    'POST',
    '/buyer/sessions',
    {
      email,
      code,
    },
  );
  if (res.status !== 201) throw new Error(`signIn: ${res.status} ${JSON.stringify(res.body)}`);
  const token: string = res.body.sessionToken;
  const buyerId = (await server.app.services.wallet.authenticate(token)).buyerId;
  return {
    email,
    token,
    buyerId,
    body: res.body,
    api: client(server.url, { Authorization: `Bearer ${token}` }),
  };
}

export const WALLET_TABLES = [
  'buyers',
  'buyer_identities',
  'buyer_addresses',
  'buyer_payment_methods',
  'buyer_sessions',
  'buyer_codes',
  'buyer_token_uses',
  'rate_limit_counters',
] as const;

/** Every row of every wallet table, in a stable order: equal snapshots = nothing written. */
export async function walletSnapshot(server: TestServer) {
  const out: Record<string, unknown[]> = {};
  for (const table of WALLET_TABLES) {
    const rows = await server.app.db.kysely.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/**
 * A host platform that signs buyer tokens: an ES256 and an EdDSA key, its JWKS served over
 * HTTP on a free port (the endpoint fetches it with jose's createRemoteJWKSet).
 */
export async function startIssuer() {
  const es = await generateKeyPair('ES256', { extractable: true });
  const ed = await generateKeyPair('EdDSA', { extractable: true });
  const jwks: { keys: JWK[] } = {
    keys: [
      { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
    ],
  };
  let fetches = 0;
  const http = createServer((req, res) => {
    if (req.url !== '/jwks.json') return res.writeHead(404).end();
    fetches++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const issuer = `${base}/`;

  interface Mint {
    claims?: Record<string, unknown>;
    alg?: 'ES256' | 'EdDSA';
    typ?: string;
    /** Seconds since the epoch; the token's iat. */
    iat?: number;
    /** Claim another issuer than this one (a forgery). */
    iss?: string;
    lifetime?: number;
  }
  return {
    issuer,
    jwksUrl: `${base}/jwks.json`,
    publicPem: await exportSPKI(es.publicKey),
    fetches: () => fetches,
    /** A buyer token, valid unless the options say otherwise. */
    async mint(audience: string, sub: string, opts: Mint = {}) {
      const alg = opts.alg ?? 'ES256';
      const iat = opts.iat ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ ...opts.claims })
        .setProtectedHeader({
          alg,
          kid: alg === 'ES256' ? 'es-1' : 'ed-1',
          typ: opts.typ ?? 'bip-buyer+jwt',
        })
        .setIssuer(opts.iss ?? issuer)
        .setSubject(sub)
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + (opts.lifetime ?? 120))
        .sign(alg === 'ES256' ? es.privateKey : ed.privateKey);
    },
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
export type Issuer = Awaited<ReturnType<typeof startIssuer>>;
