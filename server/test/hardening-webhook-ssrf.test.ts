// Issue 12, defect 10: a seller could point its webhook at the endpoint's own network — loopback,
// private ranges, the cloud metadata address — and have the server post there (SSRF). The
// defences: refuse such URLs when they are set, and again when each delivery connects, to the
// address that was checked (a host name that resolved to a public address at registration may
// resolve to an internal one later: DNS rebinding).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { AddressGuard, postGuarded } from '../src/net/ssrf.ts';
import { waitFor } from './helpers/processes.ts';
import {
  ADDRESS_US,
  buyer,
  createCheckout,
  dialects,
  makeSeller,
  makeTee,
  startTestServer,
  type TestServer,
} from './helpers/server.ts';

const PRODUCTION = {
  BIP_MODE: 'production',
  BIP_SECRET: randomBytes(32).toString('base64url'),
  BIP_ALLOW_TEST_PAYMENTS: 'true',
};

/** URLs that reach the endpoint's own machine or network, in the spellings attackers use. */
const INTERNAL = [
  'http://127.0.0.1:8787/v1/health',
  'http://localhost:8787/hooks', // a name that resolves to loopback
  'http://2130706433/hooks', // 127.0.0.1 as one decimal number
  'http://0x7f.1/hooks', // …in hex, shortened
  'http://0177.0.0.1/hooks', // …in octal
  'http://0.0.0.0:8787/hooks', // "this host": Linux connects it to loopback
  'http://10.0.0.5/hooks',
  'http://172.16.3.4/hooks',
  'http://192.168.1.10/hooks',
  'http://169.254.169.254/latest/meta-data/iam/', // the cloud metadata service
  'http://100.64.0.1/hooks', // carrier-grade NAT
  'http://224.0.0.1/hooks',
  'http://255.255.255.255/hooks',
  'http://[::1]:8787/hooks',
  'http://[::]/hooks',
  'http://[fe80::1]/hooks',
  'http://[fc00::1]/hooks',
  'http://[fd12:3456::1]/hooks',
  'http://[::ffff:127.0.0.1]:8787/hooks', // IPv4-mapped IPv6
  'http://[::ffff:a9fe:a9fe]/latest/meta-data/', // 169.254.169.254, mapped
  'http://[::ffff:10.0.0.1]/hooks',
  'http://[::127.0.0.1]/hooks', // IPv4-compatible (deprecated) IPv6
  'https://[64:ff9b::a9fe:a9fe]/hooks', // NAT64 prefix around the metadata address
];

/** A seller's receiver on loopback that counts what reaches it. */
async function receiver() {
  const received: { host: string | undefined; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ host: req.headers.host, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function buyTee(server: TestServer, seller: Awaited<ReturnType<typeof makeSeller>>) {
  const tee = await makeTee(seller, { stock: 5 });
  const c = await createCheckout(server.url, {
    productId: tee.id,
    variantId: tee.medium,
    quantity: 1,
    shippingAddress: ADDRESS_US,
  });
  const paid = await buyer(server.url, c.body.clientToken)(
    'POST',
    `/checkouts/${c.body.id}/confirm`,
    {
      payment: { provider: 'test', card: '4242424242424242' },
    },
  );
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
}

function assertForbidden(res: { status: number; headers: Headers; body: any }, url: string) {
  assert.equal(res.status, 422, `${url}: ${JSON.stringify(res.body)}`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json', url);
  assert.equal(res.body.code, 'webhook_url_forbidden', url);
  assert.equal(res.body.errors?.[0]?.field, 'webhookUrl', url);
}

for (const { name, skip } of dialects()) {
  describe(`seller webhooks never reach internal addresses (${name}) (issue 12, defect 10)`, {
    skip,
  }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(name, PRODUCTION);
    });
    after(() => server?.close());

    test('production refuses an internal webhook URL when it is set, with a stable code', async () => {
      const seller = await makeSeller(server);
      for (const url of INTERNAL) {
        assertForbidden(await seller.api('PATCH', '/seller/me', { webhookUrl: url }), url);
      }
      const me = await seller.api('GET', '/seller/me');
      assert.equal(me.body.webhookUrl, null, 'nothing was stored');
      // a seller made by the operator's tools is held to the same rule
      await assert.rejects(
        server.app.services.sellers.create({
          name: 'Sneaky',
          kind: 'brand',
          webhookUrl: 'http://169.254.169.254/latest/meta-data/',
        }),
        (e: unknown) => (e as { code?: string }).code === 'webhook_url_forbidden',
      );
    });

    for (const stored of ['http://localhost:PORT/hooks', 'http://[::ffff:127.0.0.1]:PORT/hooks']) {
      test(`a URL that has become internal since it was set is refused at delivery: ${stored}`, async () => {
        const seller = await makeSeller(server);
        const hook = await receiver();
        try {
          // Written past the API, as if the name had resolved to a public address when it was
          // set and to loopback now (DNS rebinding).
          await server.app.db.kysely
            .updateTable('sellers')
            .set({ webhook_url: stored.replace('PORT', String(hook.port)) })
            .where('id', '=', seller.id)
            .execute();
          await buyTee(server, seller);
          const log = await waitFor(
            async () => {
              const res = await seller.api('GET', '/seller/webhook-deliveries');
              return res.body.deliveries.length >= 1 ? res.body.deliveries : null;
            },
            10_000,
            'the refused attempt in the delivery log',
          );
          assert.equal(hook.received.length, 0, 'nothing reached the internal address');
          assert.equal(log[0].ok, false);
          assert.equal(log[0].statusCode, null);
          assert.match(log[0].error, /refused/);
          assert.match(log[0].error, /loopback/);
          const event = await server.app.db.kysely
            .selectFrom('outbox_events')
            .select(['status', 'attempts'])
            .where('seller_id', '=', seller.id)
            .executeTakeFirstOrThrow();
          assert.equal(
            event.status,
            'pending',
            'kept for a retry: the name may resolve publicly again',
          );
          assert.ok(event.attempts >= 1);
          assert.equal((await fetch(`${server.url}/v1/health`)).status, 200, 'the server is fine');
        } finally {
          await hook.close();
        }
      });
    }
  });
}

describe('the operator allow-list (BIP_WEBHOOK_ALLOW_HOSTS)', () => {
  test('listed host names and ranges are allowed in production; nothing else is', async () => {
    const server = await startTestServer('sqlite', {
      ...PRODUCTION,
      BIP_WEBHOOK_ALLOW_HOSTS: 'localhost, 10.20.0.0/16',
    });
    const hook = await receiver();
    try {
      const seller = await makeSeller(server);
      const ok = await seller.api('PATCH', '/seller/me', { webhookUrl: 'http://10.20.3.4/hooks' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      for (const url of [
        'http://10.21.0.1/hooks',
        `http://127.0.0.1:${hook.port}/hooks`, // the name is listed, not its address
        'http://169.254.169.254/latest/meta-data/',
      ])
        assertForbidden(await seller.api('PATCH', '/seller/me', { webhookUrl: url }), url);
      const local = `http://localhost:${hook.port}/hooks`;
      const set = await seller.api('PATCH', '/seller/me', { webhookUrl: local });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      await buyTee(server, seller);
      await waitFor(() => hook.received.length === 1, 10_000, 'the delivery to the listed host');
    } finally {
      await hook.close();
      await server.close();
    }
  });

  test('a malformed entry stops the start, naming the variable', () => {
    for (const value of ['10.0.0.0/33', 'not a host!', 'http://example.com', '::1/129']) {
      assert.throws(
        () => loadConfig({ BIP_WEBHOOK_ALLOW_HOSTS: value, BIP_SECRET: PRODUCTION.BIP_SECRET }),
        (e: unknown) => e instanceof ConfigError && e.message.includes('BIP_WEBHOOK_ALLOW_HOSTS'),
        value,
      );
    }
  });
});

describe('outside production', () => {
  test('loopback and private receivers are allowed; link-local and the metadata address are not', async () => {
    const server = await startTestServer('sqlite'); // test mode
    try {
      const seller = await makeSeller(server);
      for (const url of [
        'http://127.0.0.1:8787/hooks',
        'http://localhost:8787/hooks',
        'http://10.0.0.5/hooks',
        'http://[fd00::5]/hooks',
      ]) {
        const res = await seller.api('PATCH', '/seller/me', { webhookUrl: url });
        assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
      }
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://[::ffff:169.254.169.254]/latest/meta-data/',
        'http://[fe80::1]/hooks',
        'http://0.0.0.0:8787/hooks',
      ])
        assertForbidden(await seller.api('PATCH', '/seller/me', { webhookUrl: url }), url);
    } finally {
      await server.close();
    }
  });
});

describe('the address guard', () => {
  /** A resolver that answers from a script, one answer per call, instead of the system's DNS. */
  function scripted(...answers: string[][]) {
    let call = 0;
    const calls: string[] = [];
    const resolve = async (host: string): Promise<LookupAddress[]> => {
      calls.push(host);
      const answer = answers[Math.min(call++, answers.length - 1)]!;
      return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return { resolve, calls };
  }

  test('every address a name resolves to is checked, not only the first', async () => {
    const dns = scripted(['93.184.216.34', '10.0.0.7']);
    const guard = new AddressGuard({
      allowPrivateNetworks: false,
      allowList: [],
      resolve: dns.resolve,
    });
    await assert.rejects(guard.check('https://hooks.example/x'), /10\.0\.0\.7.*private/);
  });

  test('a name that resolves publicly when checked and to loopback when delivering reaches nothing (DNS rebinding)', async () => {
    const hook = await receiver();
    try {
      const dns = scripted(['93.184.216.34'], ['127.0.0.1']);
      const guard = new AddressGuard({
        allowPrivateNetworks: false,
        allowList: [],
        resolve: dns.resolve,
      });
      const url = `http://rebind.invalid:${hook.port}/hooks`;
      await guard.check(url); // registration: public
      await assert.rejects(
        postGuarded(url, { headers: {}, body: '{}', signal: AbortSignal.timeout(5_000) }, guard),
        /refused.*127\.0\.0\.1.*loopback/,
      );
      assert.equal(hook.received.length, 0);
      assert.deepEqual(dns.calls, ['rebind.invalid', 'rebind.invalid']);
    } finally {
      await hook.close();
    }
  });

  test('the delivery connects to the address that was checked, with the host name kept for the request', async () => {
    const hook = await receiver();
    try {
      // `.invalid` never resolves in real DNS: reaching the receiver proves the connection used
      // the guard's answer, not a second look-up.
      const dns = scripted(['127.0.0.1']);
      const guard = new AddressGuard({
        allowPrivateNetworks: true,
        allowList: [],
        resolve: dns.resolve,
      });
      const status = await postGuarded(
        `http://hooks.invalid:${hook.port}/hooks`,
        {
          headers: { 'Content-Type': 'application/json' },
          body: '{"a":1}',
          signal: AbortSignal.timeout(5_000),
        },
        guard,
      );
      assert.equal(status, 200);
      assert.deepEqual(hook.received, [{ host: `hooks.invalid:${hook.port}`, body: '{"a":1}' }]);
    } finally {
      await hook.close();
    }
  });
});
