// A host platform for the browser tests: it signs buyer tokens for its signed-in readers with an
// ES256 key and serves the public half as a JWKS on 127.0.0.1, the way a social network or a CMS
// would (docs/wallet.md, "Host tokens"). Both test endpoints trust it (BIP_BUYER_TOKEN_ISSUERS).
//
// Runs in the web-test-runner process (Node), once for the run.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const KID = 'wtr-host-1';
let started = null;

/** The host issuer, started on first use: `{ iss, jwksUrl, env, mint }`. */
export function hostIssuer() {
  started ??= start();
  return started;
}

async function start() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  server.unref(); // nothing to close: it ends with the run
  const iss = 'https://social.test';
  const jwksUrl = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  return {
    iss,
    jwksUrl,
    /** What an endpoint's environment needs to trust this host. */
    env: { BIP_BUYER_TOKEN_ISSUERS: JSON.stringify({ [iss]: jwksUrl }) },
    /**
     * A fresh token for reader `sub`, for the endpoint at `aud` (its public URL). `email` is
     * the optional claim that only pre-fills.
     */
    mint: ({ sub, aud, email }) =>
      new SignJWT(email ? { email } : {})
        .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'bip-buyer+jwt' })
        .setIssuer(iss)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('2m')
        .setJti(randomUUID())
        .sign(privateKey),
  };
}

/**
 * The wallet's server commands for one test endpoint: buyer tokens for it, the development
 * mailbox's last code for an email, and the code limits reset (every test signs in from
 * 127.0.0.1, which the per-network limits would otherwise count across the whole run).
 *
 * @param {string} prefix the command prefix ('bip' or 'stripe')
 * @param {() => Promise<{ url: string, app: any }>} running the endpoint's running server
 */
export function walletCommands(prefix, running) {
  return {
    [`${prefix}-buyer-token`]: async ({ sub, email }) => {
      const server = await running();
      return (await hostIssuer()).mint({ sub, email, aud: server.app.config.publicUrl });
    },
    /** The six digits last mailed to `email` (development mailbox), or null. */
    [`${prefix}-mailbox-code`]: async ({ email }) => {
      const server = await running();
      const mail = server.app.services.devMailbox
        ?.list()
        .find((m) => m.to.toLowerCase() === email.toLowerCase());
      return mail ? (/\b(\d{6})\b/.exec(mail.subject)?.[1] ?? null) : null;
    },
    [`${prefix}-wallet-limits-reset`]: async () => {
      const server = await running();
      await server.app.db.kysely.deleteFrom('rate_limit_counters').execute();
      return true;
    },
    /** Every live sign-in code lapses now (as if ten minutes had passed). */
    [`${prefix}-wallet-codes-expire`]: async () => {
      const server = await running();
      await server.app.db.kysely
        .updateTable('buyer_codes')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .execute();
      return true;
    },
    /** How many wallets the endpoint holds (erasure removes one). */
    [`${prefix}-buyers`]: async () => {
      const server = await running();
      const row = await server.app.db.kysely
        .selectFrom('buyers')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
