/**
 * A stateful fake of Stripe's REST API, on node:http, for tests.
 *
 * The real `stripe` SDK reaches it through its `host`/`port`/`protocol` options, the way
 * stripe-node's own tests reach stripe-mock (a Go program that cannot be installed here). Unlike
 * stripe-mock it keeps state: a PaymentIntent confirmed with a declined test card stays
 * declined, a Checkout Session paid on the hosted page is complete, and every change makes an
 * event that is signed and POSTed to `webhookUrl` under a policy tests control (deliver late,
 * twice, out of order, or never).
 *
 * Covered, with Stripe's shapes and errors: PaymentIntents (create, update, retrieve, confirm,
 * cancel, 3-D Secure through `/_fake/…/authenticate`), refunds, customers (deleting one detaches
 * its cards), card payment methods (attach, detach, list with `allow_redisplay`), customer
 * sessions, saving a card while paying (`setup_future_usage` on a PaymentIntent with a
 * `customer`: the card is attached to it when the payment succeeds), Checkout Sessions with a
 * small hosted page at `/c/pay/:id` (a customer's saved cards and a save box with
 * `saved_payment_method_options`), and events. Events are made only for what a webhook endpoint
 * usually subscribes to (no `*.created`).
 *
 * Stripe Connect (platform mode, docs/stripe.md): connected accounts (made, read, and onboarded by
 * {@link FakeStripe.updateAccount}, which posts `account.updated`), Account Links (a URL to a
 * small onboarding page), destination charges (`transfer_data[destination]`, `on_behalf_of`,
 * `application_fee_amount` on a PaymentIntent or a Checkout Session's `payment_intent_data`):
 * a paid charge makes its transfer and its application fee. Refunds take `amount`,
 * `reverse_transfer` and `refund_application_fee` (reversed in proportion, as Stripe does);
 * transfer reversals and application fee refunds can be made on their own. Every move of money
 * is written to {@link FakeStripe.ledger}, so a test asserts balances: the platform's and each
 * connected account's. Events of connected accounts (`account.updated`) carry `account` and are
 * signed with the Connect endpoint's secret and POSTed to `connectWebhookUrl`.
 * {@link FakeStripe.dashboardRefund} refunds as the Dashboard does, without reversals.
 *
 * What Stripe.js does with a Customer Session (the Payment Element's saved cards), for a fake
 * Stripe.js, with the publishable key and `customer_session_client_secret`:
 * - `GET /v1/elements/sessions`: the customer's cards to show (`allow_redisplay: 'always'`, at
 *   most `payment_method_redisplay_limit`, 3 by default) and the session's features;
 * - `POST /_fake/customer_sessions/payment_methods/:id/detach`: the element's "remove" (only with
 *   `payment_method_remove: 'enabled'`, only the session customer's card);
 * - paying with a saved card: confirm the PaymentIntent with `payment_method=pm_…` (the card
 *   must belong to the PaymentIntent's customer); saving the new card: confirm with
 *   `setup_future_usage=on_session` and `payment_method_data[allow_redisplay]=always`.
 *
 * Browser-facing calls (what Stripe.js does with a publishable key) get CORS headers, so a fake
 * Stripe.js in a test browser can call the fake directly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import qs from 'qs';
import Stripe from 'stripe';

/** Stripe's test cards (https://docs.stripe.com/testing). Any other Luhn-valid number pays. */
export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  authenticationRequired: '4000002500003155',
} as const;

/** The API version events carry: the installed SDK's default, so they parse as the SDK expects. */
export const API_VERSION: string = Stripe.API_VERSION;

/** A Stripe object as JSON, with Stripe's snake_case fields. */
type StripeObject = Record<string, any>;
/** Request parameters as `qs` parses Stripe's bracket notation (`metadata[k]=v`). */
type Params = Record<string, any>;

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: StripeObject };
  /** Set on the events of a connected account (Connect webhook endpoints). */
  account?: string;
}

/** One move of money on the fake's books: `account` is `platform` or a connected account id. */
export interface LedgerEntry {
  account: string;
  /** Positive: money in; negative: money out. */
  amount: number;
  currency: string;
  type:
    | 'charge'
    | 'refund'
    | 'transfer'
    | 'transfer_reversal'
    | 'application_fee'
    | 'application_fee_refund';
  /** The object that moved it (ch_…, re_…, tr_…, trr_…, fee_…, fr_…). */
  source: string;
}

export interface WebhookPolicy {
  mode: 'deliver' | 'drop' | 'hold';
  /** Extra identical deliveries of each event, sent one after the other. */
  duplicates: number;
  /** Wait before sending (0: as soon as the request that made the event has been answered). */
  delayMs: number;
}

export interface Gate {
  arrived(count: number): Promise<void>;
  open(): void;
}

export interface FakeStripe {
  url: string;
  host: '127.0.0.1';
  port: number;
  protocol: 'http';
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** Where signed events are POSTed (null: events are recorded, not sent). */
  webhookUrl: string | null;
  /** Signs the events of connected accounts (a Connect webhook endpoint's own secret). */
  connectWebhookSecret: string;
  /** Where connected accounts' events are POSTed (null: recorded, not sent). */
  connectWebhookUrl: string | null;
  /** How the next events are delivered. Changeable at any time. */
  webhookPolicy: WebhookPolicy;
  /**
   * Makes each new refund's id (default: random, as Stripe's). Stripe's `created` is in whole
   * seconds and its ids are in no order, so refunds made in one second may sort either way by id;
   * tests set ids that sort against the order the refunds were made in.
   */
  refundId: () => string;
  /** The `created` (Unix seconds) of each new refund; tests freeze it to make several in one. */
  refundCreated: () => number;
  /** Sends the held events now, in the order given. Resolves when all deliveries finished. */
  releaseHeld(order?: 'fifo' | 'reverse'): Promise<void>;
  /** Resolves when no delivery is in flight or waiting for its delay. */
  idle(): Promise<void>;
  /**
   * Holds the API requests `matches` picks, before they are handled, until `open()`: a test
   * makes concurrent calls of the endpoint meet at Stripe in the state it wants (two requests
   * made from the same stale row, say). `arrived(n)` resolves once `n` requests are held.
   */
  gate(matches: (method: string, path: string) => boolean): Gate;
  /**
   * Refuses the next `count` API requests `matches` picks with a 400 (an error the SDK does not
   * retry), before they are handled: a Stripe call that fails, for tests of what comes after.
   */
  failNext(matches: (method: string, path: string) => boolean, count?: number): void;
  events: StripeEvent[];
  deliveries: { eventId: string; type: string; status: number | 'error' }[];
  requests: {
    method: string;
    path: string;
    idempotencyKey: string | null;
    body: Record<string, unknown>;
  }[];
  paymentIntents: Map<string, any>;
  checkoutSessions: Map<string, any>;
  customers: Map<string, any>;
  refunds: Map<string, any>;
  paymentMethods: Map<string, any>;
  charges: Map<string, any>;
  /** Customer Sessions by client secret (tests check what was asked for, and expiry). */
  customerSessions: Map<string, any>;
  accounts: Map<string, any>;
  accountLinks: any[];
  transfers: Map<string, any>;
  applicationFees: Map<string, any>;
  /** Every move of money, in order. */
  ledger: LedgerEntry[];
  /** The sum of the ledger for `platform` or a connected account id. */
  balance(account: string): number;
  /**
   * Changes a connected account as Stripe would when its seller onboards (or when Stripe needs
   * more), and posts `account.updated` to the Connect endpoint. Default: fully enabled.
   */
  updateAccount(
    id: string,
    state?: { charges?: boolean; payouts?: boolean; detailsSubmitted?: boolean; due?: string[] },
  ): StripeObject;
  /** A refund made in the Stripe Dashboard: no transfer reversal, no fee refund. */
  dashboardRefund(paymentIntentId: string, amount?: number): StripeObject;
  close(): Promise<void>;
}

/** Starts a fake on a free port of 127.0.0.1. */
/** The endpoint's environment that points its Stripe SDK (and webhook secret) at `fake`. */
export function stripeEnv(fake: FakeStripe, extra: Record<string, string> = {}) {
  return {
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_PUBLISHABLE_KEY: fake.publishableKey,
    STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
    STRIPE_API_HOST: fake.host,
    STRIPE_API_PORT: String(fake.port),
    STRIPE_API_PROTOCOL: fake.protocol,
    ...extra,
  };
}

/** {@link stripeEnv} for platform mode: Connect on, with the Connect endpoint's secret. */
export function connectEnv(fake: FakeStripe, extra: Record<string, string> = {}) {
  return stripeEnv(fake, {
    BIP_STRIPE_CONNECT: 'true',
    BIP_STRIPE_CONNECT_WEBHOOK_SECRET: fake.connectWebhookSecret,
    ...extra,
  });
}

export async function startFakeStripe(opts: { webhookUrl?: string } = {}): Promise<FakeStripe> {
  const fake = new StripeDouble(opts.webhookUrl ?? null);
  await fake.listen();
  return fake;
}

// ---------------------------------------------------------------------------------------------
// Errors and replies

interface ErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: StripeObject;
  payment_method?: StripeObject;
}

/** Thrown by handlers; becomes `{error}` with its status, which the SDK maps to its classes. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

const invalid = (message: string, extra: Partial<ErrorBody> = {}, status = 400) =>
  new ApiError(status, { type: 'invalid_request_error', message, ...extra });
const missingParam = (param: string) =>
  invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
const unexpectedState = (pi: StripeObject, message: string) =>
  invalid(message, { code: 'payment_intent_unexpected_state', payment_intent: pi });

/** A response, serialised at once: stored idempotent replies must not follow later changes. */
interface Reply {
  status: number;
  body: string;
  type: 'application/json' | 'text/html; charset=utf-8';
  location?: string;
}
const json = (value: unknown, status = 200): Reply => ({
  status,
  body: JSON.stringify(value, null, 2),
  type: 'application/json',
});
const html = (body: string, status = 200): Reply => ({
  status,
  body,
  type: 'text/html; charset=utf-8',
});

// ---------------------------------------------------------------------------------------------
// Routing

/**
 * Who may call a route. The secret key may call every API route; `client_secret`: also the
 * publishable key with the PaymentIntent's client secret (Stripe.js confirming in the page);
 * `customer_session`: also the publishable key with a live Customer Session's client secret
 * (the Payment Element showing and removing saved cards);
 * `publishable`: also the publishable key alone (Stripe.js making a payment method);
 * `none`: the hosted payment page, opened by the buyer's browser.
 */
type Access = 'secret' | 'client_secret' | 'customer_session' | 'publishable' | 'none';

interface Call {
  params: Params;
  /** The `:id` of the path, if the route has one. */
  id: string;
  key: 'secret' | 'publishable' | null;
}

interface Route {
  method: string;
  pattern: RegExp;
  access: Access;
  handle: (call: Call) => Reply;
}

function route(method: string, path: string, access: Access, handle: Route['handle']): Route {
  return { method, pattern: new RegExp(`^${path.replace(':id', '([^/]+)')}$`), access, handle };
}

const QS_OPTIONS = {
  depth: 10,
  arrayLimit: 1000,
  parameterLimit: 10_000,
} satisfies qs.IParseOptions;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, Idempotency-Key, Stripe-Version',
  'Access-Control-Max-Age': '600',
};

// ---------------------------------------------------------------------------------------------
// The fake

class StripeDouble implements FakeStripe {
  readonly host = '127.0.0.1' as const;
  readonly protocol = 'http' as const;
  port = 0;
  url = '';
  readonly secretKey = `sk_test_fake_${random(24)}`;
  readonly publishableKey = `pk_test_fake_${random(24)}`;
  readonly webhookSecret = `whsec_fake_${random(32)}`;
  readonly connectWebhookSecret = `whsec_fakeconnect_${random(32)}`;
  connectWebhookUrl: string | null = null;
  webhookPolicy: WebhookPolicy = { mode: 'deliver', duplicates: 0, delayMs: 0 };
  refundId = () => `re_${random(24)}`;
  refundCreated = now;

  readonly events: StripeEvent[] = [];
  readonly deliveries: FakeStripe['deliveries'] = [];
  readonly requests: FakeStripe['requests'] = [];
  readonly paymentIntents = new Map<string, any>();
  readonly checkoutSessions = new Map<string, any>();
  readonly customers = new Map<string, any>();
  readonly refunds = new Map<string, any>();
  readonly paymentMethods = new Map<string, any>();
  readonly charges = new Map<string, any>();
  readonly customerSessions = new Map<string, any>();
  readonly accounts = new Map<string, any>();
  readonly accountLinks: any[] = [];
  readonly transfers = new Map<string, any>();
  readonly applicationFees = new Map<string, any>();
  readonly ledger: LedgerEntry[] = [];

  /** Card numbers stay here, never in an object a response or an event shows. */
  private readonly cardNumbers = new Map<string, string>();
  /** Cards detached from a customer: Stripe never lets them pay again. */
  private readonly detached = new Set<string>();
  /** What a Checkout Session knows but its API object does not show. */
  private readonly sessionData = new Map<
    string,
    { lineItems: StripeObject[]; piMetadata: Record<string, string>; piConnect: StripeObject }
  >();
  private readonly idempotency = new Map<string, { fingerprint: string; reply: Reply }>();
  private held: { event: StripeEvent; copies: number; url: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly gates = new Set<{
    matches: (method: string, path: string) => boolean;
    held: (() => void)[];
    arrivals: (() => void)[];
  }>();
  private readonly failures: {
    matches: (method: string, path: string) => boolean;
    left: number;
  }[] = [];
  private readonly stop = new AbortController();
  private readonly server = createServer((req, res) => void this.serve(req, res));

  constructor(public webhookUrl: string | null) {}

  async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, this.host, resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${this.host}:${this.port}`;
  }

  async close() {
    // Waiting deliveries are abandoned; a delivery in flight is aborted and recorded as 'error'.
    this.stop.abort();
    this.held = [];
    await this.idle();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private readonly routes: Route[] = [
    route('POST', '/v1/payment_intents', 'secret', (c) => this.createIntent(c)),
    route('GET', '/v1/payment_intents/:id', 'client_secret', (c) => json(this.intent(c.id))),
    route('POST', '/v1/payment_intents/:id', 'secret', (c) => this.updateIntent(c)),
    route('POST', '/v1/payment_intents/:id/confirm', 'client_secret', (c) =>
      this.confirm(this.intent(c.id), c.params),
    ),
    route('POST', '/v1/payment_intents/:id/cancel', 'secret', (c) => this.cancelIntent(c)),
    route('POST', '/_fake/payment_intents/:id/authenticate', 'client_secret', (c) =>
      this.finishAuthentication(c),
    ),
    route('POST', '/v1/refunds', 'secret', (c) => this.createRefund(c)),
    route('GET', '/v1/refunds', 'secret', (c) => this.listRefunds(c)),
    route('GET', '/v1/refunds/:id', 'secret', (c) =>
      json(this.found(this.refunds, 'refund', c.id)),
    ),
    route('GET', '/v1/charges/:id', 'secret', (c) =>
      json(this.found(this.charges, 'charge', c.id)),
    ),
    route('POST', '/v1/accounts', 'secret', (c) => this.createAccount(c)),
    route('GET', '/v1/accounts/:id', 'secret', (c) => json(this.account(c.id))),
    route('POST', '/v1/account_links', 'secret', (c) => this.createAccountLink(c)),
    route('GET', '/v1/transfers/:id', 'secret', (c) =>
      json(this.found(this.transfers, 'transfer', c.id)),
    ),
    route('POST', '/v1/transfers/:id/reversals', 'secret', (c) => this.reverseTransfer(c)),
    route('GET', '/v1/application_fees/:id', 'secret', (c) =>
      json(this.found(this.applicationFees, 'application fee', c.id)),
    ),
    route('POST', '/v1/application_fees/:id/refunds', 'secret', (c) => this.refundFee(c)),
    route('GET', '/connect/onboard/:id', 'none', (c) =>
      html(page('Onboarding', `<h1>Set up payouts for ${esc(c.id)}</h1>`)),
    ),
    route('POST', '/v1/customers', 'secret', (c) => this.createCustomer(c)),
    route('GET', '/v1/customers/:id', 'secret', (c) =>
      json(this.found(this.customers, 'customer', c.id)),
    ),
    route('DELETE', '/v1/customers/:id', 'secret', (c) => this.deleteCustomer(c)),
    route('GET', '/v1/customers/:id/payment_methods', 'secret', (c) =>
      this.listPaymentMethods(
        { ...c.params, customer: c.id },
        `/v1/customers/${c.id}/payment_methods`,
      ),
    ),
    route('POST', '/v1/payment_methods', 'publishable', (c) => this.createPaymentMethod(c)),
    route('GET', '/v1/payment_methods', 'secret', (c) =>
      this.listPaymentMethods(c.params, '/v1/payment_methods'),
    ),
    route('GET', '/v1/payment_methods/:id', 'secret', (c) => json(this.paymentMethod(c.id))),
    route('POST', '/v1/payment_methods/:id/attach', 'secret', (c) => this.attach(c)),
    route('POST', '/v1/payment_methods/:id/detach', 'secret', (c) => this.detach(c)),
    route('POST', '/v1/customer_sessions', 'secret', (c) => this.createCustomerSession(c)),
    route('GET', '/v1/elements/sessions', 'customer_session', (c) => this.elementsSession(c)),
    route('POST', '/_fake/customer_sessions/payment_methods/:id/detach', 'customer_session', (c) =>
      this.removeSavedCard(c),
    ),
    route('POST', '/v1/checkout/sessions', 'secret', (c) => this.createSession(c)),
    route('GET', '/v1/checkout/sessions/:id', 'secret', (c) => json(this.session(c.id))),
    route('POST', '/v1/checkout/sessions/:id/expire', 'secret', (c) => this.expireSession(c)),
    route('GET', '/v1/events/:id', 'secret', (c) =>
      json(this.found(new Map(this.events.map((e) => [e.id, e])), 'event', c.id)),
    ),
    route('GET', '/c/pay/:id', 'none', (c) => this.hostedPage(c)),
    route('POST', '/c/pay/:id', 'none', (c) => this.payHostedPage(c)),
  ];

  private async serve(req: IncomingMessage, res: ServerResponse) {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS).end();
      return;
    }
    let reply: Reply;
    let replayed = false;
    try {
      const url = new URL(req.url ?? '/', this.url);
      const params = { ...qs.parse(url.search.slice(1), QS_OPTIONS), ...(await readBody(req)) };
      await this.passGates(req.method ?? 'GET', url.pathname);
      ({ reply, replayed } = this.dispatch(req, url.pathname, params));
    } catch (error) {
      reply = errorReply(error);
    }
    res.writeHead(reply.status, {
      ...CORS_HEADERS,
      'Content-Type': reply.type,
      'Request-Id': `req_${random(14)}`,
      ...(reply.location ? { Location: reply.location } : {}),
      ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    });
    res.end(reply.body);
  }

  private dispatch(req: IncomingMessage, path: string, params: Params) {
    const method = req.method ?? 'GET';
    const idempotencyKey = headerOf(req, 'idempotency-key');
    this.requests.push({ method, path, idempotencyKey, body: params });
    const failure = this.failures.find((f) => f.left > 0 && f.matches(method, path));
    if (failure) {
      failure.left--;
      return {
        reply: errorReply(invalid('The fake refused this call (failNext).')),
        replayed: false,
      };
    }
    let id = '';
    const found = this.routes.find((r) => {
      const m = r.method === method ? r.pattern.exec(path) : null;
      if (m) id = decodeURIComponent(m[1] ?? '');
      return m !== null;
    });
    if (!found)
      throw invalid(
        `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        {},
        404,
      );
    const call: Call = { params, id, key: this.authenticate(req, found.access, id, params) };
    const run = () => attempt(() => found.handle(call));
    if (method !== 'POST' || !idempotencyKey || found.access === 'none')
      return { reply: run(), replayed: false };
    return this.idempotent(idempotencyKey, JSON.stringify([method, path, params]), run);
  }

  /** Which key made the call; throws 401 (or 400 for a wrong client secret) when it may not. */
  private authenticate(req: IncomingMessage, access: Access, id: string, params: Params) {
    if (access === 'none') return null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(headerOf(req, 'authorization') ?? '')?.[1];
    if (bearer === this.secretKey) return 'secret';
    const key = bearer ?? (typeof params.key === 'string' ? params.key : undefined);
    const fail = (message: string) => new ApiError(401, { type: 'invalid_request_error', message });
    if (!key)
      throw fail(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    if (key !== this.publishableKey) throw fail(`Invalid API Key provided: ${redact(key)}`);
    // Without its client secret, the publishable key may read or confirm no PaymentIntent.
    if (
      access === 'secret' ||
      (access === 'client_secret' && !params.client_secret) ||
      (access === 'customer_session' && !params.customer_session_client_secret)
    )
      throw fail(
        'This API call cannot be made with a publishable API key. Please use a secret API key.',
      );
    if (access === 'customer_session') this.liveCustomerSession(params);
    if (access === 'client_secret' && params.client_secret !== this.intent(id).client_secret)
      throw invalid(
        'The client_secret provided does not match any associated PaymentIntent on this account.',
        { param: 'client_secret' },
      );
    return 'publishable';
  }

  /**
   * Stripe's idempotency: the same key with the same request replays the first reply (errors
   * included, as Stripe saves every result once the endpoint started); another request with
   * that key is refused.
   */
  private idempotent(key: string, fingerprint: string, run: () => Reply) {
    const seen = this.idempotency.get(key);
    if (seen && seen.fingerprint !== fingerprint)
      throw new ApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    if (seen) return { reply: seen.reply, replayed: true };
    const reply = run();
    if (reply.status < 500) this.idempotency.set(key, { fingerprint, reply });
    return { reply, replayed: false };
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  /** The object `id` names; a path ID that does not exist is a 404, a parameter's a 400. */
  private found(map: Map<string, any>, kind: string, id: string, param?: string): StripeObject {
    const object = map.get(id);
    if (object) return object;
    throw invalid(
      `No such ${kind}: '${id}'`,
      { code: 'resource_missing', param: param ?? 'id' },
      param ? 400 : 404,
    );
  }

  private intent(id: string, param?: string) {
    return this.found(this.paymentIntents, 'payment_intent', id, param);
  }

  private paymentMethod(id: string, param?: string) {
    return this.found(this.paymentMethods, 'PaymentMethod', id, param);
  }

  /** A live customer: deleted ones are kept as `{deleted: true}`, as Stripe answers for them. */
  private customer(id: string, param?: string) {
    const customer = this.found(this.customers, 'customer', id, param);
    if (customer.deleted)
      throw invalid(`No such customer: '${id}'`, { code: 'resource_missing', param });
    return customer;
  }

  /** A Checkout Session; one past its `expires_at` expires now, as Stripe's sweeper would. */
  private session(id: string) {
    const session = this.found(this.checkoutSessions, 'checkout session', id);
    if (session.status === 'open' && session.expires_at <= now()) this.expire(session);
    return session;
  }

  // -------------------------------------------------------------------------------------------
  // PaymentIntents

  private createIntent({ params }: Call) {
    const pi = this.newIntent({
      amount: integer(params.amount ?? throwError(missingParam('amount')), 'amount', 1),
      currency: currencyOf(params.currency),
      automatic_payment_methods: flag(params.automatic_payment_methods?.enabled)
        ? { enabled: true }
        : null,
      customer: params.customer ? this.customer(params.customer, 'customer').id : null,
      description: text(params.description),
      metadata: metadataOf(params.metadata),
      receipt_email: text(params.receipt_email),
      setup_future_usage: futureUsage(params.setup_future_usage),
    });
    Object.assign(pi, this.connectFields(params, pi.amount));
    return flag(params.confirm) ? this.confirm(pi, params) : json(pi);
  }

  private newIntent(fields: StripeObject): StripeObject {
    const id = `pi_${random(24)}`;
    const pi = {
      id,
      object: 'payment_intent',
      amount: 0,
      amount_capturable: 0,
      amount_received: 0,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic_async',
      client_secret: `${id}_secret_${random(25)}`,
      confirmation_method: 'automatic',
      created: now(),
      currency: 'usd',
      customer: null,
      description: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      application_fee_amount: null,
      on_behalf_of: null,
      transfer_data: null,
      metadata: {},
      next_action: null,
      payment_method: null,
      payment_method_types: ['card'],
      receipt_email: null,
      setup_future_usage: null,
      status: 'requires_payment_method',
      ...fields,
    };
    this.paymentIntents.set(id, pi);
    return pi;
  }

  private updateIntent({ id, params }: Call) {
    const pi = this.intent(id);
    if (['processing', 'succeeded', 'canceled'].includes(pi.status))
      throw unexpectedState(
        pi,
        `This PaymentIntent could not be updated because it has a status of ${pi.status}. You may only update a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`,
      );
    if (params.amount !== undefined) pi.amount = integer(params.amount, 'amount', 1);
    if (params.application_fee_amount !== undefined) {
      if (!pi.transfer_data)
        throw invalid(
          'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
          { param: 'application_fee_amount' },
        );
      pi.application_fee_amount = integer(params.application_fee_amount, 'application_fee_amount');
    }
    if (pi.application_fee_amount !== null && pi.application_fee_amount > pi.amount)
      throw invalid('The application fee amount must be less than or equal to the amount.', {
        param: 'application_fee_amount',
      });
    if (params.currency !== undefined) pi.currency = currencyOf(params.currency);
    if (params.customer !== undefined)
      pi.customer = params.customer ? this.customer(params.customer, 'customer').id : null;
    for (const field of ['description', 'receipt_email'])
      if (params[field] !== undefined) pi[field] = text(params[field]);
    if (params.setup_future_usage !== undefined)
      pi.setup_future_usage = futureUsage(params.setup_future_usage);
    if (params.payment_method !== undefined)
      pi.payment_method = this.paymentMethod(params.payment_method, 'payment_method').id;
    // Stripe merges metadata; an empty value removes a key, `metadata=` removes them all.
    if (params.metadata === '') pi.metadata = {};
    else if (params.metadata) pi.metadata = metadataOf({ ...pi.metadata, ...params.metadata });
    return json(pi);
  }

  /** Charges the card: the test number decides between paid, declined and 3-D Secure. */
  private confirm(pi: StripeObject, params: Params): Reply {
    if (
      !['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)
    )
      throw unexpectedState(
        pi,
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
      );
    const pm = this.paymentMethodFor(pi, params);
    this.checkUsable(pi, pm);
    // The Payment Element's save box, ticked: Stripe.js sends the session's save usage.
    if (params.setup_future_usage !== undefined)
      pi.setup_future_usage = futureUsage(params.setup_future_usage);
    const outcome = cardOutcome(this.cardNumbers.get(pm.id) ?? '');
    if (outcome.kind === 'decline') {
      const charge = this.newCharge(pi, pm, outcome);
      const error = {
        type: 'card_error' as const,
        code: 'card_declined',
        decline_code: outcome.declineCode,
        message: outcome.message,
        charge: charge.id,
        payment_method: structuredClone(pm),
      };
      Object.assign(pi, {
        status: 'requires_payment_method',
        payment_method: null,
        next_action: null,
        latest_charge: charge.id,
        last_payment_error: error,
      });
      this.emit('payment_intent.payment_failed', pi);
      throw new ApiError(402, { ...error, payment_intent: pi });
    }
    pi.payment_method = pm.id;
    pi.last_payment_error = null;
    if (outcome.kind === 'authenticate') {
      pi.status = 'requires_action';
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect' },
      };
    } else this.succeed(pi, pm);
    return json(pi);
  }

  /** The card to confirm with: `payment_method`, new `payment_method_data`, or the one set. */
  private paymentMethodFor(pi: StripeObject, params: Params) {
    if (params.payment_method) return this.paymentMethod(params.payment_method, 'payment_method');
    if (params.payment_method_data) {
      try {
        return this.newCard(params.payment_method_data, 'payment_method_data[card]');
      } catch (error) {
        if (error instanceof ApiError) error.body.payment_intent = pi;
        throw error;
      }
    }
    if (pi.payment_method) return this.paymentMethod(pi.payment_method);
    throw invalid(
      'You cannot confirm this PaymentIntent because it’s missing a payment method. To confirm the PaymentIntent with a card, provide a `payment_method` or `payment_method_data`.',
      { code: 'payment_intent_unexpected_state', param: 'payment_method', payment_intent: pi },
    );
  }

  /**
   * A card attached to a customer pays only for that customer's PaymentIntents, and a detached
   * card never again (Stripe's rules): one buyer cannot pay with another's saved card.
   */
  private checkUsable(pi: StripeObject, pm: StripeObject) {
    if (this.detached.has(pm.id))
      throw invalid(
        'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
        { param: 'payment_method', payment_intent: pi },
      );
    if (pm.customer && pm.customer !== pi.customer)
      throw invalid(
        `The provided PaymentMethod belongs to a Customer (${pm.customer}) other than the one on this PaymentIntent (${pi.customer ?? 'none'}).`,
        { param: 'payment_method', payment_intent: pi },
      );
  }

  private succeed(pi: StripeObject, pm: StripeObject) {
    // Saving while paying: the card joins the PaymentIntent's customer once the payment went
    // through (a declined card is not saved).
    if (pi.setup_future_usage && pi.customer && !pm.customer) {
      const customer = this.customers.get(pi.customer);
      if (customer && !customer.deleted) pm.customer = pi.customer;
    }
    const charge = this.newCharge(pi, pm, null);
    Object.assign(pi, {
      status: 'succeeded',
      amount_received: pi.amount,
      payment_method: pm.id,
      latest_charge: charge.id,
      last_payment_error: null,
      next_action: null,
    });
    this.emit('payment_intent.succeeded', pi);
  }

  /**
   * The buyer passed or failed the 3-D Secure challenge (the fake Stripe.js calls this). A
   * failure answers 402 with the error, as `confirmPayment` resolves `{error}` for it.
   */
  private finishAuthentication({ id, params }: Call) {
    const pi = this.intent(id);
    if (pi.status !== 'requires_action')
      throw unexpectedState(
        pi,
        `You cannot authenticate this PaymentIntent because it has a status of ${pi.status}.`,
      );
    const pm = this.paymentMethod(pi.payment_method);
    if (params.outcome === 'success') this.succeed(pi, pm);
    else if (params.outcome === 'failure') {
      const error = {
        type: 'invalid_request_error' as const,
        code: 'payment_intent_authentication_failure',
        message:
          'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
        payment_method: structuredClone(pm),
      };
      Object.assign(pi, {
        status: 'requires_payment_method',
        payment_method: null,
        next_action: null,
        last_payment_error: error,
      });
      this.emit('payment_intent.payment_failed', pi);
      // Stripe.js reports a failed challenge as an error carrying the PaymentIntent.
      throw new ApiError(402, { ...error, payment_intent: pi });
    } else throw invalid("outcome must be 'success' or 'failure'.", { param: 'outcome' });
    return json(pi);
  }

  private cancelIntent({ id, params }: Call) {
    const pi = this.intent(id);
    if (pi.status === 'succeeded' || pi.status === 'canceled')
      throw unexpectedState(
        pi,
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      );
    Object.assign(pi, {
      status: 'canceled',
      canceled_at: now(),
      cancellation_reason: text(params.cancellation_reason),
      next_action: null,
    });
    this.emit('payment_intent.canceled', pi);
    return json(pi);
  }

  // -------------------------------------------------------------------------------------------
  // Charges and refunds

  private newCharge(pi: StripeObject, pm: StripeObject, failure: Decline | null) {
    const paid = failure === null;
    const charge = {
      id: `ch_${random(24)}`,
      object: 'charge',
      amount: pi.amount,
      amount_captured: paid ? pi.amount : 0,
      amount_refunded: 0,
      captured: paid,
      created: now(),
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      failure_code: failure ? 'card_declined' : null,
      failure_message: failure?.message ?? null,
      livemode: false,
      metadata: { ...pi.metadata },
      paid,
      payment_intent: pi.id,
      payment_method: pm.id,
      payment_method_details: { type: 'card', card: { ...pm.card } },
      receipt_email: pi.receipt_email,
      refunded: false,
      status: paid ? 'succeeded' : 'failed',
      application_fee: null as string | null,
      application_fee_amount: pi.application_fee_amount,
      on_behalf_of: pi.on_behalf_of,
      transfer: null as string | null,
      transfer_data: pi.transfer_data ? { ...pi.transfer_data } : null,
    };
    this.charges.set(charge.id, charge);
    if (paid) this.book('platform', charge.amount, charge.currency, 'charge', charge.id);
    if (paid && pi.transfer_data) this.settleDestination(charge);
    return charge;
  }

  /**
   * A destination charge, paid, as Stripe books it: the whole amount is transferred to the
   * connected account, and the application fee goes from that account back to the platform.
   */
  private settleDestination(charge: StripeObject) {
    const destination: string = charge.transfer_data.destination;
    const fee: number = charge.application_fee_amount ?? 0;
    const transfer = {
      id: `tr_${random(24)}`,
      object: 'transfer',
      amount: charge.amount,
      amount_reversed: 0,
      created: now(),
      currency: charge.currency,
      destination,
      reversals: { object: 'list', data: [] as StripeObject[] },
      reversed: false,
      source_transaction: charge.id,
    };
    this.transfers.set(transfer.id, transfer);
    charge.transfer = transfer.id;
    this.book('platform', -transfer.amount, charge.currency, 'transfer', transfer.id);
    this.book(destination, transfer.amount, charge.currency, 'transfer', transfer.id);
    if (fee > 0) {
      const applicationFee = {
        id: `fee_${random(24)}`,
        object: 'application_fee',
        account: destination,
        amount: fee,
        amount_refunded: 0,
        charge: charge.id,
        created: now(),
        currency: charge.currency,
        refunded: false,
        refunds: { object: 'list', data: [] as StripeObject[] },
      };
      this.applicationFees.set(applicationFee.id, applicationFee);
      charge.application_fee = applicationFee.id;
      this.book(destination, -fee, charge.currency, 'application_fee', applicationFee.id);
      this.book('platform', fee, charge.currency, 'application_fee', applicationFee.id);
    }
  }

  private book(
    account: string,
    amount: number,
    currency: string,
    type: LedgerEntry['type'],
    source: string,
  ) {
    this.ledger.push({ account, amount, currency, type, source });
  }

  balance(account: string) {
    return this.ledger.filter((e) => e.account === account).reduce((sum, e) => sum + e.amount, 0);
  }

  private createRefund({ params }: Call) {
    if (!params.payment_intent && !params.charge)
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
      );
    const chargeId =
      params.charge ?? this.intent(params.payment_intent, 'payment_intent').latest_charge;
    const charge = chargeId ? this.charges.get(chargeId) : undefined;
    if (charge?.status !== 'succeeded')
      throw invalid('This PaymentIntent does not have a successful charge to refund.', {
        param: params.charge ? 'charge' : 'payment_intent',
      });
    const left = charge.amount - charge.amount_refunded;
    if (left === 0)
      throw invalid(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    const amount = params.amount === undefined ? left : integer(params.amount, 'amount', 1);
    if (amount > left)
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    const before = charge.amount_refunded;
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund = {
      id: this.refundId(),
      object: 'refund',
      amount,
      charge: charge.id,
      created: this.refundCreated(),
      currency: charge.currency,
      metadata: metadataOf(params.metadata),
      payment_intent: charge.payment_intent,
      reason: text(params.reason),
      status: 'succeeded',
      transfer_reversal: null as string | null,
    };
    this.refunds.set(refund.id, refund);
    this.book('platform', -amount, charge.currency, 'refund', refund.id);
    // Stripe reverses in proportion to the part of the charge refunded.
    const share = (whole: number) =>
      Math.round((whole * charge.amount_refunded) / charge.amount) -
      Math.round((whole * before) / charge.amount);
    if (flag(params.reverse_transfer) && charge.transfer) {
      const transfer = this.transfers.get(charge.transfer)!;
      const amount = Math.min(share(transfer.amount), transfer.amount - transfer.amount_reversed);
      if (amount > 0) refund.transfer_reversal = this.newReversal(transfer, amount, {}).id;
    }
    if (flag(params.refund_application_fee) && charge.application_fee) {
      const fee = this.applicationFees.get(charge.application_fee)!;
      const amount = Math.min(share(fee.amount), fee.amount - fee.amount_refunded);
      if (amount > 0) this.newFeeRefund(fee, amount, {});
    }
    this.emit('charge.refunded', charge);
    return json(refund);
  }

  dashboardRefund(paymentIntentId: string, amount?: number) {
    const reply = this.createRefund({
      params: { payment_intent: paymentIntentId, ...(amount ? { amount } : {}) },
      id: '',
      key: 'secret',
    });
    if (reply.status !== 200) throw new Error(`dashboard refund failed: ${reply.body}`);
    return JSON.parse(reply.body);
  }

  private listRefunds({ params }: Call) {
    const chargeId =
      params.charge ??
      (params.payment_intent
        ? this.intent(params.payment_intent, 'payment_intent').latest_charge
        : null);
    const limit = params.limit === undefined ? 10 : integer(params.limit, 'limit', 1);
    const all = [...this.refunds.values()]
      .filter((r) => !chargeId || r.charge === chargeId)
      .reverse(); // newest first, as Stripe lists
    return json({
      object: 'list',
      data: all.slice(0, limit),
      has_more: all.length > limit,
      url: '/v1/refunds',
    });
  }

  // -------------------------------------------------------------------------------------------
  // Connect: connected accounts, account links, transfers and application fees

  /** What a PaymentIntent's Connect parameters ask for, checked as Stripe checks them. */
  private connectFields(params: Params, amount: number): StripeObject {
    const destination = params.transfer_data?.destination;
    const fields: StripeObject = {};
    if (destination) {
      const account = this.account(destination, 'transfer_data[destination]');
      if (account.capabilities.transfers !== 'active')
        throw invalid(
          `Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments`,
          { code: 'insufficient_capabilities_for_transfer', param: 'transfer_data[destination]' },
        );
      fields.transfer_data = { destination: account.id };
    }
    if (params.on_behalf_of) {
      const account = this.account(params.on_behalf_of, 'on_behalf_of');
      if (account.capabilities.card_payments !== 'active')
        throw invalid(
          `The account ${account.id} does not have the card_payments capability enabled and cannot be used as on_behalf_of.`,
          { param: 'on_behalf_of' },
        );
      fields.on_behalf_of = account.id;
    }
    if (params.application_fee_amount !== undefined) {
      if (!destination)
        throw invalid(
          'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
          { param: 'application_fee_amount' },
        );
      const fee = integer(params.application_fee_amount, 'application_fee_amount');
      if (fee > amount)
        throw invalid('The application fee amount must be less than or equal to the amount.', {
          param: 'application_fee_amount',
        });
      fields.application_fee_amount = fee;
    }
    return fields;
  }

  private account(id: string, param?: string) {
    return this.found(this.accounts, 'account', id, param);
  }

  private createAccount({ params }: Call) {
    const type = text(params.type) ?? (params.controller ? 'none' : 'standard');
    if (!['express', 'standard', 'custom', 'none'].includes(type))
      throw invalid(`Invalid type: must be one of custom, express, or standard`, {
        param: 'type',
      });
    const requested = Object.entries(params.capabilities ?? {})
      .filter(([, v]) => flag((v as Params)?.requested))
      .map(([k]) => k);
    const account = {
      id: `acct_${random(16)}`,
      object: 'account',
      type,
      business_type: text(params.business_type),
      capabilities: Object.fromEntries(requested.map((c) => [c, 'inactive'])),
      charges_enabled: false,
      country: text(params.country) ?? 'US',
      created: now(),
      default_currency: 'usd',
      details_submitted: false,
      email: text(params.email),
      metadata: metadataOf(params.metadata),
      payouts_enabled: false,
      requirements: {
        currently_due: ['business_profile.url', 'external_account', 'tos_acceptance.date'],
        disabled_reason: 'requirements.past_due',
        eventually_due: [],
        past_due: ['external_account', 'tos_acceptance.date'],
      },
    };
    this.accounts.set(account.id, account);
    return json(account);
  }

  private createAccountLink({ params }: Call) {
    const account = this.account(params.account ?? throwError(missingParam('account')), 'account');
    for (const field of ['refresh_url', 'return_url'])
      if (!text(params[field])) throw missingParam(field);
    if (!['account_onboarding', 'account_update'].includes(params.type))
      throw params.type
        ? invalid('Invalid type: must be one of account_onboarding or account_update', {
            param: 'type',
          })
        : missingParam('type');
    const created = now();
    const link = {
      object: 'account_link',
      created,
      expires_at: created + 300,
      url: `${this.url}/connect/onboard/${account.id}?link=${random(16)}`,
      // not in Stripe's answer: kept for tests to check what was asked
      _params: {
        refresh_url: params.refresh_url,
        return_url: params.return_url,
        type: params.type,
      },
    };
    this.accountLinks.push(link);
    const { _params, ...answer } = link;
    return json(answer);
  }

  updateAccount(
    id: string,
    state: {
      charges?: boolean;
      payouts?: boolean;
      detailsSubmitted?: boolean;
      due?: string[];
    } = {},
  ) {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    const charges = state.charges ?? true;
    const payouts = state.payouts ?? charges;
    const due = state.due ?? (charges ? [] : ['external_account']);
    Object.assign(account, {
      charges_enabled: charges,
      payouts_enabled: payouts,
      details_submitted: state.detailsSubmitted ?? charges,
      capabilities: Object.fromEntries(
        Object.keys(account.capabilities).map((c) => [c, charges ? 'active' : 'inactive']),
      ),
      requirements: {
        currently_due: due,
        disabled_reason: charges ? null : 'requirements.past_due',
        eventually_due: [],
        past_due: charges ? [] : due,
      },
    });
    this.emit('account.updated', account, account.id);
    return account;
  }

  private reverseTransfer({ id, params }: Call) {
    const transfer = this.found(this.transfers, 'transfer', id);
    const left = transfer.amount - transfer.amount_reversed;
    const amount = params.amount === undefined ? left : integer(params.amount, 'amount', 1);
    if (amount > left || left === 0)
      throw invalid(
        `You have requested a reversal of ${amount}, but only ${left} remains on this transfer.`,
        { param: 'amount' },
      );
    return json(this.newReversal(transfer, amount, metadataOf(params.metadata)));
  }

  private newReversal(transfer: StripeObject, amount: number, metadata: Record<string, string>) {
    const reversal = {
      id: `trr_${random(24)}`,
      object: 'transfer_reversal',
      amount,
      created: now(),
      currency: transfer.currency,
      metadata,
      transfer: transfer.id,
    };
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    transfer.reversals.data.unshift(reversal);
    this.book(transfer.destination, -amount, transfer.currency, 'transfer_reversal', reversal.id);
    this.book('platform', amount, transfer.currency, 'transfer_reversal', reversal.id);
    return reversal;
  }

  private refundFee({ id, params }: Call) {
    const fee = this.found(this.applicationFees, 'application fee', id);
    const left = fee.amount - fee.amount_refunded;
    const amount = params.amount === undefined ? left : integer(params.amount, 'amount', 1);
    if (amount > left || left === 0)
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on fee (${left})`,
        { param: 'amount' },
      );
    return json(this.newFeeRefund(fee, amount, metadataOf(params.metadata)));
  }

  private newFeeRefund(fee: StripeObject, amount: number, metadata: Record<string, string>) {
    const refund = {
      id: `fr_${random(24)}`,
      object: 'fee_refund',
      amount,
      created: now(),
      currency: fee.currency,
      fee: fee.id,
      metadata,
    };
    fee.amount_refunded += amount;
    fee.refunded = fee.amount_refunded === fee.amount;
    fee.refunds.data.unshift(refund);
    // The platform gives its fee back to the connected account.
    this.book('platform', -amount, fee.currency, 'application_fee_refund', refund.id);
    this.book(fee.account, amount, fee.currency, 'application_fee_refund', refund.id);
    return refund;
  }

  // -------------------------------------------------------------------------------------------
  // Customers, payment methods, customer sessions

  private createCustomer({ params }: Call) {
    const customer = {
      id: `cus_${random(14)}`,
      object: 'customer',
      created: now(),
      description: text(params.description),
      email: text(params.email),
      invoice_settings: { default_payment_method: null },
      livemode: false,
      metadata: metadataOf(params.metadata),
      name: text(params.name),
      phone: text(params.phone),
    };
    this.customers.set(customer.id, customer);
    return json(customer);
  }

  private deleteCustomer({ id }: Call) {
    this.customer(id);
    for (const pm of this.paymentMethods.values())
      if (pm.customer === id) {
        pm.customer = null;
        this.detached.add(pm.id);
      }
    const deleted = { id, object: 'customer', deleted: true };
    this.customers.set(id, deleted);
    return json(deleted);
  }

  private createPaymentMethod({ params }: Call) {
    return json(this.newCard(params, 'card'));
  }

  /** A card payment method from `{type: 'card', card: {number, …}, billing_details}`. */
  private newCard(data: Params, param: string) {
    if (data.type !== 'card')
      throw invalid('This fake supports only card payment methods (type=card).', { param: 'type' });
    const card = data.card ?? {};
    const number = String(card.number ?? '').replace(/[\s-]/g, '');
    if (!number) throw missingParam(`${param}[number]`);
    if (!luhnValid(number))
      throw new ApiError(402, {
        type: 'card_error',
        code: 'incorrect_number',
        message: 'Your card number is incorrect.',
        param: 'number',
      });
    const billing = data.billing_details ?? {};
    const pm = {
      id: `pm_${random(24)}`,
      object: 'payment_method',
      billing_details: {
        address: billing.address ?? null,
        email: text(billing.email),
        name: text(billing.name),
        phone: text(billing.phone),
      },
      card: {
        brand: brandOf(number),
        country: 'US',
        exp_month: card.exp_month ? integer(card.exp_month, `${param}[exp_month]`, 1) : 12,
        exp_year: card.exp_year ? integer(card.exp_year, `${param}[exp_year]`) : 2034,
        fingerprint: createHash('sha256').update(number).digest('base64url').slice(0, 16),
        funding: 'credit',
        last4: number.slice(-4),
      },
      allow_redisplay: redisplay(data.allow_redisplay),
      created: now(),
      customer: null,
      livemode: false,
      metadata: metadataOf(data.metadata),
      type: 'card',
    };
    this.paymentMethods.set(pm.id, pm);
    this.cardNumbers.set(pm.id, number);
    return pm;
  }

  private attach({ id, params }: Call) {
    const pm = this.paymentMethod(id);
    const customer = this.customer(
      params.customer ?? throwError(missingParam('customer')),
      'customer',
    );
    if (pm.customer && pm.customer !== customer.id)
      throw invalid('The payment method you provided has already been attached to a customer.');
    pm.customer = customer.id;
    return json(pm);
  }

  private detach({ id }: Call) {
    const pm = this.paymentMethod(id);
    if (!pm.customer)
      throw invalid(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
      );
    pm.customer = null;
    this.detached.add(pm.id);
    return json(pm);
  }

  private listPaymentMethods(params: Params, url: string) {
    if (params.customer) this.customer(params.customer, 'customer');
    const limit = params.limit === undefined ? 10 : integer(params.limit, 'limit', 1);
    if (params.allow_redisplay !== undefined) redisplay(params.allow_redisplay, 'allow_redisplay');
    let all = [...this.paymentMethods.values()]
      .filter((pm) => !params.customer || pm.customer === params.customer)
      .filter((pm) => !params.type || pm.type === params.type)
      .filter((pm) => !params.allow_redisplay || pm.allow_redisplay === params.allow_redisplay)
      .reverse(); // newest first, as Stripe lists
    if (params.starting_after) {
      const at = all.findIndex((pm) => pm.id === params.starting_after);
      all = at < 0 ? [] : all.slice(at + 1);
    }
    return json({ object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url });
  }

  private createCustomerSession({ params }: Call) {
    const customer = this.customer(
      params.customer ?? throwError(missingParam('customer')),
      'customer',
    );
    const created = now();
    const session = {
      object: 'customer_session',
      client_secret: `cuss_secret_${random(40)}`,
      components: booleans(params.components ?? {}),
      created,
      customer: customer.id,
      expires_at: created + 30 * 60,
      livemode: false,
    };
    this.customerSessions.set(session.client_secret, session);
    return json(session);
  }

  /** A live Customer Session of a live customer, named by the page's client secret. */
  private liveCustomerSession(params: Params) {
    const session = this.customerSessions.get(String(params.customer_session_client_secret));
    if (!session || session.expires_at <= now() || this.customers.get(session.customer)?.deleted)
      throw invalid('The customer session client secret is invalid or has expired.', {
        code: 'customer_session_expired',
        param: 'customer_session_client_secret',
      });
    return session;
  }

  /** What the Payment Element may do with the session's customer, as `components` said. */
  private features(session: StripeObject): Record<string, any> {
    const element = session.components?.payment_element;
    return element?.enabled ? (element.features ?? {}) : {};
  }

  /** What Stripe.js loads to draw the Payment Element's saved cards for a Customer Session. */
  private elementsSession({ params }: Call) {
    const session = this.liveCustomerSession(params);
    const features = this.features(session);
    const shown = features.payment_method_redisplay === 'enabled';
    const filters: string[] = listOf(features.payment_method_allow_redisplay_filters);
    const allowed = filters.length ? filters : ['always'];
    const limit = features.payment_method_redisplay_limit
      ? integer(features.payment_method_redisplay_limit, 'payment_method_redisplay_limit', 1)
      : 3;
    const cards = shown
      ? [...this.paymentMethods.values()]
          .filter((pm) => pm.customer === session.customer && allowed.includes(pm.allow_redisplay))
          .reverse()
          .slice(0, limit)
      : [];
    return json({
      object: 'elements_session',
      customer: {
        id: session.customer,
        payment_methods: cards,
        customer_session: { components: session.components, expires_at: session.expires_at },
      },
    });
  }

  /** The Payment Element's "remove" on a saved card: a detach, if the session allows it. */
  private removeSavedCard({ id, params }: Call) {
    const session = this.liveCustomerSession(params);
    if (this.features(session).payment_method_remove !== 'enabled')
      throw invalid('This customer session does not allow removing payment methods.', {
        param: 'components[payment_element][features][payment_method_remove]',
      });
    const pm = this.paymentMethod(id);
    if (pm.customer !== session.customer)
      throw invalid(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param: 'id' });
    pm.customer = null;
    this.detached.add(pm.id);
    return json(pm);
  }

  // -------------------------------------------------------------------------------------------
  // Checkout Sessions

  private createSession({ params }: Call) {
    if (params.mode !== 'payment')
      throw params.mode
        ? invalid('This fake supports only mode=payment.', { param: 'mode' })
        : missingParam('mode');
    const items = listOf(params.line_items);
    if (items.length === 0) throw missingParam('line_items');
    const lineItems = items.map((item, i) => {
      const at = `line_items[${i}]`;
      const price =
        item.price_data ??
        throwError(
          invalid(`This fake supports only ${at}[price_data], not prices.`, {
            param: `${at}[price]`,
          }),
        );
      const unit = integer(price.unit_amount, `${at}[price_data][unit_amount]`, 0);
      const quantity = integer(item.quantity ?? 1, `${at}[quantity]`, 1);
      return {
        object: 'item',
        amount_total: unit * quantity,
        currency: currencyOf(price.currency),
        description:
          text(price.product_data?.name) ??
          throwError(missingParam(`${at}[price_data][product_data][name]`)),
        quantity,
        unit_amount: unit,
      };
    });
    const currency = lineItems[0]!.currency;
    if (lineItems.some((li) => li.currency !== currency))
      throw invalid('All line items must use the same currency.', { param: 'line_items' });
    const rates = listOf(params.shipping_options).map((option, i) => {
      const amount = option.shipping_rate_data?.fixed_amount?.amount;
      if (amount === undefined)
        throw invalid('This fake supports only shipping_rate_data with a fixed_amount.', {
          param: `shipping_options[${i}]`,
        });
      return {
        shipping_amount: integer(amount, `shipping_options[${i}]`, 0),
        shipping_rate: `shr_${random(24)}`,
      };
    });
    const created = now();
    const expiresAt =
      params.expires_at === undefined
        ? created + 24 * 3600
        : integer(params.expires_at, 'expires_at');
    if (expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600)
      throw invalid(
        'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
        { param: 'expires_at' },
      );
    if (params.customer && params.customer_email)
      throw invalid('You may only specify one of these parameters: customer, customer_email.', {
        param: 'customer_email',
      });
    const customer = params.customer ? this.customer(params.customer, 'customer').id : null;
    const saved = params.saved_payment_method_options;
    const subtotal = lineItems.reduce((sum, li) => sum + li.amount_total, 0);
    const shipping = rates[0];
    const countries = params.shipping_address_collection?.allowed_countries;
    const id = `cs_test_${random(40)}`;
    const session = {
      id,
      object: 'checkout.session',
      amount_subtotal: subtotal,
      amount_total: subtotal + (shipping?.shipping_amount ?? 0),
      cancel_url: text(params.cancel_url),
      client_reference_id: text(params.client_reference_id),
      collected_information: null,
      created,
      currency,
      customer,
      customer_details: null,
      customer_email: text(params.customer_email),
      expires_at: expiresAt,
      livemode: false,
      locale: text(params.locale),
      metadata: metadataOf(params.metadata),
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      saved_payment_method_options: saved
        ? {
            allow_redisplay_filters: saved.allow_redisplay_filters
              ? listOf(saved.allow_redisplay_filters)
              : null,
            payment_method_remove: text(saved.payment_method_remove),
            payment_method_save: text(saved.payment_method_save),
          }
        : null,
      shipping_address_collection: countries ? { allowed_countries: listOf(countries) } : null,
      shipping_cost: shipping
        ? {
            amount_subtotal: shipping.shipping_amount,
            amount_tax: 0,
            amount_total: shipping.shipping_amount,
            shipping_rate: shipping.shipping_rate,
          }
        : null,
      shipping_details: null,
      shipping_options: rates,
      status: 'open',
      success_url: text(params.success_url),
      ui_mode: 'hosted',
      url: `${this.url}/c/pay/${id}`,
    };
    const piConnect = this.connectFields(params.payment_intent_data ?? {}, session.amount_total);
    this.checkoutSessions.set(id, session);
    this.sessionData.set(id, {
      lineItems,
      piMetadata: metadataOf(params.payment_intent_data?.metadata),
      piConnect,
    });
    return json(session);
  }

  private expireSession({ id }: Call) {
    const session = this.session(id);
    if (session.status !== 'open')
      throw invalid(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      );
    this.expire(session);
    return json(session);
  }

  private expire(session: StripeObject) {
    session.status = 'expired';
    this.emit('checkout.session.expired', session);
  }

  private hostedPage({ id }: Call) {
    const session = this.checkoutSessions.has(id) ? this.session(id) : null;
    if (session?.status !== 'open') return closedPage(session);
    return html(
      renderPayPage(session, this.sessionData.get(id)!.lineItems, {}, this.savedCards(session)),
    );
  }

  /** A session customer's cards the hosted page offers (`allow_redisplay` by the filters). */
  private savedCards(session: StripeObject): StripeObject[] {
    if (!session.customer) return [];
    const filters: string[] = session.saved_payment_method_options?.allow_redisplay_filters ?? [
      'always',
    ];
    return [...this.paymentMethods.values()]
      .filter((pm) => pm.customer === session.customer && filters.includes(pm.allow_redisplay))
      .reverse();
  }

  /**
   * The buyer pressed Pay on the hosted page. A card that needs 3-D Secure passes at once: the
   * hosted page has no challenge to fail.
   */
  private payHostedPage({ id, params }: Call) {
    const session = this.checkoutSessions.has(id) ? this.session(id) : null;
    if (session?.status !== 'open') return closedPage(session);
    const { lineItems, piMetadata, piConnect } = this.sessionData.get(id)!;
    const form: Record<string, string> = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : '']),
    );
    const offered = this.savedCards(session);
    const again = (error: string, status: number) =>
      html(renderPayPage(session, lineItems, form, offered, error), status);
    const allowed: string[] | undefined = session.shipping_address_collection?.allowed_countries;
    if (allowed) {
      if (!form.name || !form.line1 || !form.city || !form.postal_code)
        return again('Enter the full shipping address.', 400);
      if (!allowed.includes(form.country ?? ''))
        return again('We cannot ship to that country.', 400);
    }
    // A saved card of the session's customer, or a new one (saved if the box was ticked).
    const chosen =
      form.saved && form.saved !== 'new' ? offered.find((c) => c.id === form.saved) : null;
    if (form.saved && form.saved !== 'new' && !chosen)
      return again('That saved card is not available.', 400);
    const number = chosen
      ? (this.cardNumbers.get(chosen.id) ?? '')
      : (form.card ?? '').replace(/[\s-]/g, '');
    const outcome = cardOutcome(number);
    if (outcome.kind === 'invalid') return again('Your card number is incorrect.', 402);
    if (outcome.kind === 'decline') return again(outcome.message, 402);

    const save =
      !chosen &&
      form.save === 'on' &&
      session.customer !== null &&
      session.saved_payment_method_options?.payment_method_save === 'enabled';
    const pm =
      chosen ??
      this.newCard(
        {
          type: 'card',
          card: { number },
          billing_details: { name: form.name },
          allow_redisplay: save ? 'always' : undefined,
        },
        'card',
      );
    const pi = this.newIntent({
      amount: session.amount_total,
      currency: session.currency,
      metadata: { ...piMetadata },
      ...structuredClone(piConnect),
      receipt_email: session.customer_email,
      customer: session.customer,
      setup_future_usage: save ? 'on_session' : null,
    });
    this.succeed(pi, pm);
    const shipping = allowed
      ? {
          name: form.name,
          address: {
            line1: form.line1,
            line2: text(form.line2),
            city: form.city,
            state: text(form.state),
            postal_code: form.postal_code,
            country: form.country,
          },
        }
      : null;
    Object.assign(session, {
      status: 'complete',
      payment_status: 'paid',
      payment_intent: pi.id,
      customer_details: {
        email: session.customer_email,
        name: text(form.name),
        address: shipping?.address ?? null,
      },
      collected_information: { shipping_details: shipping },
      shipping_details: shipping, // the field before API version 2025-03-31
    });
    this.emit('checkout.session.completed', session);
    if (!session.success_url)
      return html(page('Paid', '<h1>Thank you</h1><p>Your payment went through.</p>'));
    return {
      ...html('', 303),
      location: session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', id),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Events and webhooks

  /** Records an event with a copy of the object as it is now, and delivers it by the policy. */
  private emit(type: string, object: StripeObject, account?: string) {
    const event: StripeEvent = {
      id: `evt_${random(24)}`,
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: structuredClone(object) },
      ...(account ? { account } : {}),
    };
    this.events.push(event);
    const url = account ? this.connectWebhookUrl : this.webhookUrl;
    const { mode, duplicates, delayMs } = this.webhookPolicy;
    if (!url || mode === 'drop' || this.stop.signal.aborted) return;
    const copies = 1 + Math.max(0, duplicates);
    if (mode === 'hold') this.held.push({ event, copies, url });
    // Even with no delay the delivery waits for a timer, so the request that made the event is
    // answered first, as with Stripe.
    else
      this.track(
        sleep(delayMs, undefined, { signal: this.stop.signal }).then(
          () => this.deliverCopies(event, copies, url),
          () => {}, // closed while waiting
        ),
      );
  }

  async releaseHeld(order: 'fifo' | 'reverse' = 'fifo') {
    const batch = this.held.splice(0);
    if (order === 'reverse') batch.reverse();
    const done = (async () => {
      for (const { event, copies, url } of batch) await this.deliverCopies(event, copies, url);
    })();
    this.track(done);
    await done;
  }

  async idle() {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  failNext(matches: (method: string, path: string) => boolean, count = 1) {
    this.failures.push({ matches, left: count });
  }

  gate(matches: (method: string, path: string) => boolean): Gate {
    const gate = { matches, held: [] as (() => void)[], arrivals: [] as (() => void)[] };
    this.gates.add(gate);
    return {
      arrived: async (count) => {
        while (gate.held.length < count) await new Promise<void>((r) => gate.arrivals.push(r));
      },
      open: () => {
        this.gates.delete(gate);
        for (const release of gate.held.splice(0)) release();
      },
    };
  }

  private async passGates(method: string, path: string) {
    for (const gate of this.gates) {
      if (!gate.matches(method, path)) continue;
      await new Promise<void>((release) => {
        gate.held.push(release);
        for (const arrived of gate.arrivals.splice(0)) arrived();
      });
    }
  }

  private track(delivery: Promise<void>) {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliverCopies(event: StripeEvent, copies: number, url: string) {
    for (let i = 0; i < copies; i++) await this.deliver(event, url);
  }

  /** One signed POST, as Stripe sends it; no retries (tests replay what they need). */
  private async deliver(event: StripeEvent, url: string) {
    const payload = JSON.stringify(event, null, 2);
    let status: number | 'error';
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({
            payload,
            secret: event.account ? this.connectWebhookSecret : this.webhookSecret,
          }),
        },
        body: payload,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(10_000)]),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 'error';
    }
    this.deliveries.push({ eventId: event.id, type: event.type, status });
  }
}

// ---------------------------------------------------------------------------------------------
// The hosted payment page

function renderPayPage(
  session: StripeObject,
  lineItems: StripeObject[],
  form: Record<string, string>,
  saved: StripeObject[],
  error?: string,
) {
  // The page's words are English, so its numbers and country names are too (`lang="en"`); the
  // session keeps the `locale` it was given for tests to check.
  const money = (amount: number) => formatAmount(amount, session.currency);
  const items = lineItems.map(
    (li) =>
      `<li>${esc(li.description)} × ${li.quantity} <span>${money(li.amount_total)}</span></li>`,
  );
  if (session.shipping_cost)
    items.push(`<li>Shipping <span>${money(session.shipping_cost.amount_total)}</span></li>`);
  const field = (name: string, label: string, autocomplete: string, required = true) =>
    `<label for="${name}">${label}</label>
      <input id="${name}" name="${name}" autocomplete="${autocomplete}" value="${esc(form[name])}"${required ? ' required' : ''}>`;
  const countries: string[] = session.shipping_address_collection?.allowed_countries ?? [];
  const regions = new Intl.DisplayNames('en', { type: 'region' });
  const shipping = countries.length
    ? `<fieldset><legend>Shipping address</legend>
      ${field('name', 'Full name', 'shipping name')}
      ${field('line1', 'Address', 'shipping address-line1')}
      ${field('line2', 'Address line 2 (optional)', 'shipping address-line2', false)}
      ${field('city', 'City', 'shipping address-level2')}
      ${field('state', 'State or region (optional)', 'shipping address-level1', false)}
      ${field('postal_code', 'Postal code', 'shipping postal-code')}
      <label for="country">Country</label>
      <select id="country" name="country" autocomplete="shipping country">${countries
        .map(
          (c) =>
            `<option value="${esc(c)}"${form.country === c ? ' selected' : ''}>${esc(regions.of(c) ?? c)}</option>`,
        )
        .join('')}</select>
    </fieldset>`
    : '';
  const choice = (value: string, label: string, checked: boolean) =>
    `<label><input type="radio" name="saved" value="${esc(value)}"${checked ? ' checked' : ''}> ${label}</label>`;
  const savedCards = saved.length
    ? `<fieldset><legend>Your saved cards</legend>
      ${saved
        .map((pm, i) =>
          choice(
            pm.id,
            `${esc(pm.card.brand)} ending in ${esc(pm.card.last4)}`,
            form.saved ? form.saved === pm.id : i === 0,
          ),
        )
        .join('')}
      ${choice('new', 'A new card', form.saved === 'new')}
    </fieldset>`
    : '';
  const saveBox =
    session.customer && session.saved_payment_method_options?.payment_method_save === 'enabled'
      ? `<label><input type="checkbox" name="save" value="on"${form.save === 'on' ? ' checked' : ''}> Save my card for next time</label>`
      : '';
  const title = lineItems[0]?.description ?? 'Payment';
  return page(
    `Pay ${title}`,
    `<h1>${esc(title)}</h1>
    <p>Total due <strong>${money(session.amount_total)}</strong></p>
    <ul>${items.join('')}</ul>
    ${error ? `<p role="alert" id="error">${esc(error)}</p>` : ''}
    <form method="post" action="/c/pay/${esc(session.id)}">
      ${shipping}
      ${savedCards}
      <label for="card">Card number</label>
      <input id="card" name="card" inputmode="numeric" autocomplete="cc-number"
        value="${esc(form.card ?? '4242 4242 4242 4242')}"${saved.length ? '' : ' required'}${error ? ' aria-describedby="error"' : ''}>
      ${saveBox}
      <button type="submit">Pay</button>
    </form>
    ${session.cancel_url ? `<p><a href="${esc(session.cancel_url)}">Cancel</a></p>` : ''}`,
  );
}

function closedPage(session: StripeObject | null) {
  if (!session) return html(page('Not found', '<h1>This payment page does not exist</h1>'), 404);
  const why = session.status === 'complete' ? 'has already been paid' : 'has expired';
  return html(page('Unavailable', `<h1>This checkout ${why}</h1>`), 410);
}

function page(title: string, main: string) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(title)}</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-inline-size: 32rem; margin: 2rem auto; padding: 0 1rem; }
    label, input, select, button { display: block; inline-size: 100%; box-sizing: border-box; }
    input, select { margin-block: 0.25rem 0.75rem; padding: 0.5rem; }
    button { padding: 0.75rem; font-weight: bold; }
    [role=alert] { color: #b00020; font-weight: bold; }
  </style>
</head>
<body><main>${main}</main></body>
</html>`;
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Decline = { kind: 'decline'; declineCode: string; message: string };
type CardOutcome = { kind: 'success' } | { kind: 'authenticate' } | { kind: 'invalid' } | Decline;

function cardOutcome(number: string): CardOutcome {
  switch (number) {
    case TEST_CARDS.declined:
      return {
        kind: 'decline',
        declineCode: 'generic_decline',
        message: 'Your card was declined.',
      };
    case TEST_CARDS.insufficientFunds:
      return {
        kind: 'decline',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      };
    case TEST_CARDS.authenticationRequired:
      return { kind: 'authenticate' };
    default:
      return luhnValid(number) ? { kind: 'success' } : { kind: 'invalid' };
  }
}

function luhnValid(number: string) {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string) {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65)/.test(number)) return 'discover';
  return 'unknown';
}

/** Amounts are in the currency's minor unit: Intl knows how many digits that is. */
function formatAmount(amount: number, currency: string) {
  const format = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

async function readBody(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  if (!req.headers['content-type']?.includes('application/json')) return qs.parse(raw, QS_OPTIONS);
  try {
    return JSON.parse(raw);
  } catch {
    throw invalid('Invalid JSON body.');
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) return json({ error: error.body }, error.status);
  return json({ error: { type: 'api_error', message: `The fake failed: ${String(error)}` } }, 500);
}

/** Runs a handler, turning what it throws into the reply Stripe would give. */
function attempt(handle: () => Reply): Reply {
  try {
    return handle();
  } catch (error) {
    return errorReply(error);
  }
}

function throwError(error: Error): never {
  throw error;
}

function headerOf(req: IncomingMessage, name: string) {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** A positive (or at least `min`) integer, given as a number or a form string. */
function integer(value: unknown, param: string, min = 0): number {
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n))
    throw invalid(`Invalid integer: ${String(value)}`, {
      code: 'parameter_invalid_integer',
      param,
    });
  if (n < min)
    throw invalid(`This value must be greater than or equal to ${min}.`, {
      code: 'parameter_invalid_integer',
      param,
    });
  return n;
}

function currencyOf(value: unknown) {
  if (value === undefined || value === '') throw missingParam('currency');
  if (typeof value !== 'string' || !/^[a-z]{3}$/i.test(value))
    throw invalid(`Invalid currency: ${String(value)}.`, { param: 'currency' });
  return value.toLowerCase();
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** A PaymentMethod's `allow_redisplay`: whether it may be shown to its customer again. */
function redisplay(value: unknown, param = 'allow_redisplay') {
  if (value === undefined || value === '') return 'unspecified';
  if (value === 'always' || value === 'limited' || value === 'unspecified') return value;
  throw invalid(`Invalid ${param}: must be one of always, limited, or unspecified`, { param });
}

/** `setup_future_usage`: a card to keep for later, with or without the buyer present. */
function futureUsage(value: unknown) {
  if (value === undefined || value === '') return null;
  if (value === 'on_session' || value === 'off_session') return value;
  throw invalid('Invalid setup_future_usage: must be one of on_session or off_session', {
    param: 'setup_future_usage',
  });
}
const flag = (value: unknown) => value === true || value === 'true';
const now = () => Math.floor(Date.now() / 1000);

/** Metadata as Stripe keeps it: string values, empty ones removed. */
function metadataOf(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
    ),
  );
}

/** A form list (`a[0]=…`) as an array, also when `qs` made it an object. */
function listOf(value: unknown): any[] {
  if (Array.isArray(value)) return value;
  return value && typeof value === 'object' ? Object.values(value) : [];
}

/** `'true'`/`'false'` from a form body as booleans, deeply. */
function booleans(value: unknown): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (Array.isArray(value)) return value.map(booleans);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, booleans(v)]));
  return value;
}

function esc(value: unknown) {
  const entities: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
  };
  return String(value ?? '').replace(/[&<>"']/g, (c) => entities[c]!);
}

const redact = (key: string) => `${key.slice(0, 8)}${'*'.repeat(8)}${key.slice(-4)}`;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function random(length: number) {
  return Array.from(randomBytes(length), (b) => ALPHABET[b % ALPHABET.length]).join('');
}
