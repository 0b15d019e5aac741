// A broken endpoint for the kit's own tests: the reference endpoint behind a small proxy that
// breaks one requirement (a Breakage) and passes everything else through unchanged.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Req {
  method: string;
  /** The path and query, `/v1/products?ids=a`. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Res {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export interface Breakage {
  /** The requirement it breaks. */
  id: string;
  /** Checks to run with it, whose traffic shows the breakage (for the requirements on every answer). */
  with?: string[];
  /** The kit's --wait for it (3 s: the endpoint retries webhooks within a second). */
  wait?: number;
  /** Answers a request; `forward` asks the reference endpoint. */
  handle?(req: Req, forward: (req: Req) => Promise<Res>): Promise<Res>;
  /**
   * A webhook delivery on its way to the kit's receiver (the proxy stands between them when a
   * breakage has this): what to pass on (null: nothing) and what to answer the endpoint.
   */
  relay?(delivery: Delivery, pass: (d: Delivery) => Promise<number>): Promise<number>;
}

export const json = (res: Res) => JSON.parse(res.body.toString('utf8'));
export const withJson = (res: Res, change: (body: any) => unknown): Res => {
  if (!res.body.length || !/json/.test(res.headers['content-type'] ?? '')) return res;
  const body = json(res);
  const changed = change(body) ?? body;
  return { ...res, body: Buffer.from(JSON.stringify(changed)) };
};
export const jsonRequest = (req: Req, change: (body: any) => unknown): Req => {
  if (!req.body.length) return req;
  const body = JSON.parse(req.body.toString('utf8'));
  const changed = change(body) ?? body;
  return { ...req, body: Buffer.from(JSON.stringify(changed)) };
};

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Starts the proxy in front of `upstream` (the endpoint's address, without /v1). */
export async function startProxy(upstream: string, breakage: Breakage) {
  let self = '';
  const forward = async (req: Req): Promise<Res> => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    delete headers.connection;
    const res = await fetch(upstream + req.path, {
      method: req.method,
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: req.body }),
      redirect: 'manual',
    });
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    });
    return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
  };
  const relays = new Map<string, string>();
  const server = createServer(async (incoming, outgoing) => {
    try {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(incoming.headers))
        if (typeof v === 'string') headers[k] = v;
      const body = await read(incoming);
      const path = incoming.url ?? '/';
      if (path.startsWith('/__relay/')) {
        const target = relays.get(path.slice('/__relay/'.length));
        const pass = async (d: Delivery) => {
          const h = { ...d.headers };
          delete h.host;
          delete h['content-length'];
          const res = await fetch(target!, { method: 'POST', headers: h, body: d.body });
          await res.arrayBuffer();
          return res.status;
        };
        const delivery = { headers, body: body.toString('utf8') };
        const status = breakage.relay ? await breakage.relay(delivery, pass) : await pass(delivery);
        outgoing.writeHead(status).end();
        return;
      }
      let req: Req = { method: incoming.method ?? 'GET', path, headers, body };
      // Webhooks reach the kit through the proxy only for the breakages that change them.
      if (breakage.relay && req.method === 'PATCH' && path === '/v1/seller/me')
        req = jsonRequest(req, (b) => {
          if (typeof b.webhookUrl === 'string') {
            const id = randomUUID();
            relays.set(id, b.webhookUrl);
            b.webhookUrl = `${self}/__relay/${id}`;
          }
        });
      const res = breakage.handle ? await breakage.handle(req, forward) : await forward(req);
      outgoing.writeHead(res.status, res.headers).end(res.body);
    } catch (err) {
      outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
