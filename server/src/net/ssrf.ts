/**
 * Outbound requests to addresses that others choose (sellers' webhook URLs), kept away from the
 * endpoint's own machine and network: loopback, private and link-local ranges, the cloud
 * metadata address, and the IPv6 spellings of all of them. A host name is resolved, every
 * address it resolves to is checked, and the connection goes to an address that was checked —
 * never to the answer of a second look-up, which a hostile DNS server could change in between
 * (DNS rebinding).
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** Resolves a host name to every address it has (tests script one; the system's otherwise). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** Ranges a development or test server may reach: receivers on the same machine or network. */
const LOCAL_RANGES = new Set(['loopback', 'private', 'uniqueLocal']);

/** How each refused range is named in errors (the seller's 422, the delivery log). */
const RANGE_WORDS = new Map<string, string>([
  ['loopback', 'a loopback address'],
  ['private', 'a private (RFC 1918) address'],
  ['uniqueLocal', 'a unique local (fc00::/7) address'],
  ['linkLocal', 'a link-local address, where cloud metadata services answer'],
  ['carrierGradeNat', 'a shared (carrier-grade NAT, 100.64.0.0/10) address'],
  ['unspecified', 'the unspecified address, which reaches this host'],
  ['broadcast', 'the broadcast address'],
  ['multicast', 'a multicast address'],
  ['ipv4Compatible', 'an IPv4-compatible IPv6 address'],
  ['rfc6052', 'a NAT64 address'],
]);

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** `[::1]` (a URL's hostname) → `::1`; `Example.COM.` → `example.com`. */
const bareHost = (host: string) =>
  host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();

/** The range an address belongs to, by ipaddr.js's names; IPv4-mapped IPv6 as its IPv4. */
function rangeOf(ip: Address): string {
  if (ip.kind() === 'ipv4') return ip.range();
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range();
  const range = v6.range();
  // ::a.b.c.d, deprecated since 2006, which ipaddr.js calls unicast: it embeds any IPv4.
  if (range === 'unicast' && v6.parts.slice(0, 6).every((p) => p === 0)) return 'ipv4Compatible';
  return range;
}

/** A connection refused because of where it would go. */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'ERR_ADDRESS_FORBIDDEN';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly why: string,
  ) {
    super(
      `refused: ${host === address ? address : `${host} resolves to ${address}`}, ${why}; webhooks reach only public addresses unless BIP_WEBHOOK_ALLOW_HOSTS lists the host`,
    );
  }
}

/** A host name with no address. */
export class UnresolvableHostError extends Error {
  override name = 'UnresolvableHostError';
  readonly code = 'ENOTFOUND';
  constructor(
    readonly host: string,
    cause?: unknown,
  ) {
    super(
      `${host} does not resolve${cause instanceof Error ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : ''}`,
    );
  }
}

/**
 * Reads an allow-list: host names (exact, any case) and IP addresses or CIDR ranges. Throws an
 * Error naming the first entry that is none of these.
 */
export function parseAllowList(entries: readonly string[]): {
  hosts: Set<string>;
  ranges: Range[];
} {
  const hosts = new Set<string>();
  const ranges: Range[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${raw}" is not a CIDR range`);
      ranges.push(ipaddr.parseCIDR(entry));
    } else if (isIP(bareHost(entry))) {
      const ip = ipaddr.parse(bareHost(entry));
      ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOST_NAME.test(bareHost(entry))) {
      hosts.add(bareHost(entry));
    } else {
      throw new Error(`"${raw}" is not a host name, an IP address or a CIDR range`);
    }
  }
  return { hosts, ranges };
}

export interface GuardOptions {
  /** Loopback, private and unique-local addresses are allowed (development and test). */
  allowPrivateNetworks: boolean;
  /** Operator's exceptions: host names, addresses, CIDR ranges (see {@link parseAllowList}). */
  allowList: readonly string[];
  resolve?: Resolver;
}

/** Decides which addresses outbound requests may reach, and hands out only those. */
export class AddressGuard {
  private readonly hosts: Set<string>;
  private readonly ranges: Range[];
  private readonly allowPrivate: boolean;
  private readonly resolve: Resolver;

  constructor(options: GuardOptions) {
    ({ hosts: this.hosts, ranges: this.ranges } = parseAllowList(options.allowList));
    this.allowPrivate = options.allowPrivateNetworks;
    this.resolve = options.resolve ?? systemResolver;
  }

  /** Why `address` may not be reached, in words; null when it may. */
  refusal(address: string): string | null {
    let ip: Address;
    try {
      ip = ipaddr.parse(bareHost(address));
    } catch {
      return 'not an IP address';
    }
    const forms =
      ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
        ? [ip, (ip as ipaddr.IPv6).toIPv4Address()]
        : [ip];
    if (
      this.ranges.some(([net, bits]) =>
        forms.some((f) => f.kind() === net.kind() && f.match(net, bits)),
      )
    )
      return null;
    const range = rangeOf(ip);
    if (range === 'unicast' || (this.allowPrivate && LOCAL_RANGES.has(range))) return null;
    return RANGE_WORDS.get(range) ?? `a ${range} address, not a public one`;
  }

  /**
   * Every address of `host` (a name, or an address as is), each one checked. Throws
   * {@link ForbiddenAddressError} if any is refused — a name with one internal address among
   * public ones is refused whole — or {@link UnresolvableHostError}.
   */
  async vet(host: string): Promise<LookupAddress[]> {
    const name = bareHost(host);
    const family = isIP(name);
    if (family) {
      const why = this.refusal(name);
      if (why) throw new ForbiddenAddressError(name, name, why);
      return [{ address: name, family }];
    }
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(name);
    } catch (err) {
      throw new UnresolvableHostError(name, err);
    }
    if (addresses.length === 0) throw new UnresolvableHostError(name);
    if (this.hosts.has(name)) return addresses; // the operator vouches for this name
    for (const { address } of addresses) {
      const why = this.refusal(address);
      if (why) throw new ForbiddenAddressError(name, address, why);
    }
    return addresses;
  }

  /** Checks where `url` leads now (registration); delivery checks again as it connects. */
  async check(url: string): Promise<void> {
    await this.vet(new URL(url).hostname);
  }

  /**
   * A `lookup` for `net.connect` / `http.request`: the socket connects to an address this guard
   * has just checked, so no second resolution can slip another one in.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.vet(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = wanted ? all.filter((a) => a.family === wanted) : all;
        const first = addresses[0];
        if (!first) callback(new UnresolvableHostError(hostname), '', 0);
        else if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export interface GuardedPost {
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/**
 * POSTs `body` to `url` through `guard` and resolves with the HTTP status (redirects are not
 * followed: a 3xx is the answer). Rejects with {@link ForbiddenAddressError} before any byte is
 * sent to a refused address.
 */
export async function postGuarded(
  url: string,
  init: GuardedPost,
  guard: AddressGuard,
): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new Error(`refused: ${target.protocol} URLs are not delivered to`);
  // Node connects to an IP literal without calling `lookup`, so that case is checked here.
  if (isIP(bareHost(target.hostname))) await guard.vet(target.hostname);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...init.headers, 'Content-Length': String(Buffer.byteLength(init.body)) },
        signal: init.signal,
        lookup: guard.lookup,
        // A fresh connection each time: a pooled socket would skip the look-up, and the check.
        agent: false,
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy(); // the receiver's body is not read
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
