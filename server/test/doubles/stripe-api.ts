/**
 * A stateful fake of the Stripe REST API on node:http, for tests on machines that cannot reach
 * api.stripe.com. The real `stripe` SDK reaches it through its `host`/`port`/`protocol` options
 * (as stripe-node's own tests use stripe-mock); the fake Stripe.js in the test browser
 * (test/doubles/stripe-js.js) calls its browser-facing routes with the publishable key.
 *
 * It keeps payment intents, customers, payment methods, checkout sessions and refunds in memory,
 * honours Idempotency-Key like Stripe, decides card outcomes by Stripe's test card numbers, and
 * posts signed webhook events (`stripe.webhooks.generateTestHeaderString`) to `webhookUrl` — which
 * it can also delay, drop, duplicate, or hold and release in another order.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import Stripe from 'stripe';

/** Stripe's test card numbers the fake knows (any other Luhn-valid number succeeds). */
export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  authenticationRequired: '4000002500003155',
} as const;

const DECLINES: Record<string, { decline_code: string; message: string }> = {
  [TEST_CARDS.declined]: { decline_code: 'generic_decline', message: 'Your card was declined.' },
  [TEST_CARDS.insufficientFunds]: {
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};
const AUTHENTICATION = new Set([TEST_CARDS.authenticationRequired, '4000002760003184']);
const AUTH_FAILED_MESSAGE =
  'We are unable to authenticate your payment method. Please choose a different payment method and try again.';

/** The API version the installed SDK speaks: events say they were rendered in it. */
const API_VERSION =
  (Stripe as unknown as { API_VERSION?: string }).API_VERSION ?? '2026-10-28.endive';

type Obj = Record<string, any>;

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
  data: { object: Obj };
}

export interface WebhookPolicy {
  /** `deliver` as they happen; `drop` never; `hold` until {@link FakeStripe.releaseHeld}. */
  mode: 'deliver' | 'drop' | 'hold';
  /** Extra identical deliveries of each event. */
  duplicates: number;
  delayMs: number;
}

export interface FakeStripe {
  url: string;
  host: '127.0.0.1';
  port: number;
  protocol: 'http';
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  webhookUrl: string | null;
  webhookPolicy: WebhookPolicy;
  releaseHeld(order?: 'fifo' | 'reverse'): Promise<void>;
  idle(): Promise<void>;
  events: StripeEvent[];
  deliveries: { eventId: string; type: string; status: number | 'error' }[];
  requests: {
    method: string;
    path: string;
    idempotencyKey: string | null;
    body: Record<string, unknown>;
  }[];
  paymentIntents: Map<string, Obj>;
  checkoutSessions: Map<string, Obj>;
  customers: Map<string, Obj>;
  paymentMethods: Map<string, Obj>;
  refunds: Map<string, Obj>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Obj,
  ) {
    super(error.message);
  }
}

const invalid = (message: string, extra: Obj = {}) =>
  new ApiError(400, { type: 'invalid_request_error', message, ...extra });
const missing = (kind: string, id: string) =>
  new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
  });

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const copy = <T>(v: T): T => structuredClone(v);
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function luhn(digits: string) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export async function startFakeStripe(opts: { webhookUrl?: string } = {}): Promise<FakeStripe> {
  const suffix = randomBytes(8).toString('hex');
  const signer = new Stripe('sk_test_signer');
  const paymentIntents = new Map<string, Obj>();
  const checkoutSessions = new Map<string, Obj>();
  const customers = new Map<string, Obj>();
  const paymentMethods = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const idempotency = new Map<string, { body: string; status: number; response: Obj }>();
  const held: StripeEvent[] = [];
  const inFlight = new Set<Promise<void>>();

  const fake: FakeStripe = {
    url: '',
    host: '127.0.0.1',
    port: 0,
    protocol: 'http',
    secretKey: `sk_test_fake_${suffix}`,
    publishableKey: `pk_test_fake_${suffix}`,
    webhookSecret: `whsec_fake_${suffix}`,
    webhookUrl: opts.webhookUrl ?? null,
    webhookPolicy: { mode: 'deliver', duplicates: 0, delayMs: 0 },
    events: [],
    deliveries: [],
    requests: [],
    paymentIntents,
    checkoutSessions,
    customers,
    paymentMethods,
    refunds,
    async releaseHeld(order = 'fifo') {
      const batch = held.splice(0, held.length);
      if (order === 'reverse') batch.reverse();
      // one after the other, in the chosen order
      for (const event of batch) await deliver(event);
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  // ---- events and webhooks -----------------------------------------------------------------

  function emit(type: string, object: Obj) {
    const event: StripeEvent = {
      id: id('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: copy(object) },
    };
    fake.events.push(event);
    const { mode, duplicates, delayMs } = fake.webhookPolicy;
    if (!fake.webhookUrl || mode === 'drop') return;
    if (mode === 'hold') {
      held.push(event);
      return;
    }
    // never inside the request that caused it: the API answers first, as Stripe's does
    for (let i = 0; i <= duplicates; i++) {
      const p = new Promise<void>((r) => setTimeout(r, delayMs)).then(() => deliver(event));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }

  async function deliver(event: StripeEvent) {
    if (!fake.webhookUrl) return;
    const payload = JSON.stringify(event, null, 2);
    const signature = signer.webhooks.generateTestHeaderString({
      payload,
      secret: fake.webhookSecret,
    });
    try {
      const res = await fetch(fake.webhookUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
        body: payload,
      });
      await res.arrayBuffer();
      fake.deliveries.push({ eventId: event.id, type: event.type, status: res.status });
    } catch {
      fake.deliveries.push({ eventId: event.id, type: event.type, status: 'error' });
    }
  }

  // ---- payment intents ---------------------------------------------------------------------

  function intent(piId: string) {
    const pi = paymentIntents.get(piId);
    if (!pi) throw missing('payment_intent', piId);
    return pi;
  }

  function createIntent(p: Obj) {
    const amount = Number(p.amount);
    if (!Number.isInteger(amount) || amount < 1)
      throw invalid('Invalid integer: amount', { param: 'amount' });
    if (!p.currency) throw invalid('Missing required param: currency.', { param: 'currency' });
    const piId = id('pi');
    const pi: Obj = {
      id: piId,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      automatic_payment_methods: p.automatic_payment_methods
        ? { enabled: String(p.automatic_payment_methods.enabled) === 'true' }
        : null,
      client_secret: `${piId}_secret_${randomBytes(10).toString('hex')}`,
      created: now(),
      currency: String(p.currency).toLowerCase(),
      customer: p.customer ?? null,
      description: p.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: p.metadata ?? {},
      next_action: null,
      payment_method: null,
      receipt_email: p.receipt_email ?? null,
      setup_future_usage: p.setup_future_usage ?? null,
      status: 'requires_payment_method',
    };
    paymentIntents.set(piId, pi);
    return pi;
  }

  function updateIntent(pi: Obj, p: Obj) {
    if (['processing', 'succeeded', 'canceled'].includes(pi.status))
      throw invalid(
        `You cannot update this PaymentIntent because it has a status of ${pi.status}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: copy(pi) },
      );
    if (p.amount !== undefined) pi.amount = Number(p.amount);
    if (p.metadata) pi.metadata = { ...pi.metadata, ...p.metadata };
    for (const k of ['description', 'receipt_email', 'customer', 'setup_future_usage'])
      if (p[k] !== undefined) pi[k] = p[k];
    return pi;
  }

  function succeed(pi: Obj) {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.latest_charge = id('ch');
    pi.next_action = null;
    pi.last_payment_error = null;
    emit('payment_intent.succeeded', pi);
  }

  function decline(pi: Obj, error: Obj) {
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.last_payment_error = error;
    emit('payment_intent.payment_failed', pi);
    return new ApiError(402, { ...error, payment_intent: copy(pi) });
  }

  /** The card behind a confirmation: a payment method id, or raw test numbers from Stripe.js. */
  function cardOf(p: Obj): { pm: Obj; number: string } {
    if (typeof p.payment_method === 'string') {
      const pm = paymentMethods.get(p.payment_method);
      if (!pm) throw missing('payment_method', p.payment_method);
      return { pm, number: pm._number };
    }
    const number = String(p.payment_method_data?.card?.number ?? '').replace(/\D/g, '');
    if (!number)
      throw invalid('A payment method is required to confirm.', { param: 'payment_method' });
    return { pm: createPaymentMethod({ type: 'card', card: { number } }), number };
  }

  function confirmIntent(pi: Obj, p: Obj) {
    if (pi.status === 'succeeded' || pi.status === 'canceled')
      throw invalid(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: copy(pi) },
      );
    const { pm, number } = cardOf(p);
    pi.payment_method = pm.id;
    if (!/^\d{12,19}$/.test(number) || !luhn(number)) {
      throw decline(pi, {
        type: 'card_error',
        code: 'incorrect_number',
        message: 'Your card number is incorrect.',
        payment_method: copy(publicPm(pm)),
      });
    }
    const refused = DECLINES[number];
    if (refused)
      throw decline(pi, {
        type: 'card_error',
        code: 'card_declined',
        ...refused,
        payment_method: copy(publicPm(pm)),
      });
    if (AUTHENTICATION.has(number)) {
      pi.status = 'requires_action';
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect' },
      };
      return pi;
    }
    succeed(pi);
    return pi;
  }

  function authenticate(pi: Obj, outcome: string) {
    if (pi.status !== 'requires_action')
      throw invalid('This PaymentIntent does not require authentication.', {
        code: 'payment_intent_unexpected_state',
      });
    if (outcome === 'success') {
      succeed(pi);
      return pi;
    }
    throw decline(pi, {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      message: AUTH_FAILED_MESSAGE,
    });
  }

  // ---- customers, payment methods, refunds -------------------------------------------------

  function createPaymentMethod(p: Obj) {
    const number = String(p.card?.number ?? '').replace(/\D/g, '');
    const pm: Obj = {
      id: id('pm'),
      object: 'payment_method',
      type: p.type ?? 'card',
      card: { brand: number.startsWith('5') ? 'mastercard' : 'visa', last4: number.slice(-4) },
      customer: null,
      billing_details: p.billing_details ?? {},
      created: now(),
      livemode: false,
      _number: number,
    };
    paymentMethods.set(pm.id, pm);
    return pm;
  }
  const publicPm = (pm: Obj) => {
    const { _number, ...rest } = pm;
    return rest;
  };
  const list = (data: Obj[], url: string) => ({ object: 'list', data, has_more: false, url });

  function refund(p: Obj) {
    const pi = intent(String(p.payment_intent ?? ''));
    if (pi.status !== 'succeeded') throw invalid('This PaymentIntent has not succeeded.');
    const amount = p.amount ? Number(p.amount) : pi.amount_received;
    const re: Obj = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: pi.currency,
      payment_intent: pi.id,
      charge: pi.latest_charge,
      metadata: p.metadata ?? {},
      status: 'succeeded',
      created: now(),
    };
    refunds.set(re.id, re);
    emit('charge.refunded', {
      id: pi.latest_charge,
      object: 'charge',
      amount_refunded: amount,
      payment_intent: pi.id,
      refunded: true,
    });
    return re;
  }

  // ---- checkout sessions -------------------------------------------------------------------

  function createSession(p: Obj) {
    if (p.mode !== 'payment') throw invalid('Only mode=payment is supported by the fake.');
    if (!p.success_url) throw invalid('Missing required param: success_url.');
    const items: Obj[] = Object.values(p.line_items ?? {});
    const currency = String(items[0]?.price_data?.currency ?? 'usd').toLowerCase();
    const shipping = Number(
      (Object.values(p.shipping_options ?? {})[0] as Obj | undefined)?.shipping_rate_data
        ?.fixed_amount?.amount ?? 0,
    );
    const subtotal = items.reduce(
      (sum, i) => sum + Number(i.price_data?.unit_amount ?? 0) * Number(i.quantity ?? 1),
      0,
    );
    const csId = `cs_test_${randomBytes(12).toString('hex')}`;
    const session: Obj = {
      id: csId,
      object: 'checkout.session',
      amount_subtotal: subtotal,
      amount_total: subtotal + shipping,
      cancel_url: p.cancel_url ?? null,
      client_reference_id: p.client_reference_id ?? null,
      collected_information: null,
      currency,
      customer_email: p.customer_email ?? null,
      expires_at: Number(p.expires_at ?? now() + 24 * 3600),
      line_items_input: items,
      livemode: false,
      metadata: p.metadata ?? {},
      mode: 'payment',
      payment_intent: null,
      payment_intent_data: p.payment_intent_data ?? {},
      payment_status: 'unpaid',
      shipping_address_collection: p.shipping_address_collection
        ? {
            allowed_countries: Object.values(p.shipping_address_collection.allowed_countries ?? {}),
          }
        : null,
      shipping_cost: shipping ? { amount_total: shipping } : null,
      shipping_details: null,
      status: 'open',
      success_url: p.success_url,
      url: `${fake.url}/c/pay/${csId}`,
    };
    checkoutSessions.set(csId, session);
    return session;
  }

  function session(csId: string) {
    const s = checkoutSessions.get(csId);
    if (!s) throw missing('checkout.session', csId);
    return s;
  }

  function expireSession(s: Obj) {
    if (s.status !== 'open')
      throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired.`);
    s.status = 'expired';
    s.url = null;
    emit('checkout.session.expired', s);
    return s;
  }

  /** The buyer pays on the hosted page. Returns an error message, or null once paid. */
  function payHosted(s: Obj, form: Obj): string | null {
    const number = String(form.card ?? '').replace(/\D/g, '');
    if (!/^\d{12,19}$/.test(number) || !luhn(number)) return 'Your card number is incorrect.';
    if (DECLINES[number]) return DECLINES[number].message;
    const shipping = s.shipping_address_collection
      ? {
          name: String(form.name ?? ''),
          address: {
            line1: String(form.line1 ?? ''),
            line2: form.line2 ? String(form.line2) : null,
            city: String(form.city ?? ''),
            state: form.state ? String(form.state) : null,
            postal_code: String(form.postal_code ?? ''),
            country: String(form.country ?? ''),
          },
        }
      : null;
    if (shipping) {
      const allowed: string[] = s.shipping_address_collection.allowed_countries;
      if (!shipping.name || !shipping.address.line1 || !shipping.address.city)
        return 'Enter a complete shipping address.';
      if (!allowed.includes(shipping.address.country)) return 'We do not ship to this country.';
    }
    const pi = createIntent({
      amount: s.amount_total,
      currency: s.currency,
      metadata: s.payment_intent_data?.metadata ?? {},
    });
    pi.payment_method = createPaymentMethod({ type: 'card', card: { number } }).id;
    succeed(pi);
    s.status = 'complete';
    s.payment_status = 'paid';
    s.payment_intent = pi.id;
    s.collected_information = shipping ? { shipping_details: shipping } : null;
    s.shipping_details = shipping;
    emit('checkout.session.completed', s);
    return null;
  }

  function hostedPage(s: Obj, error: string | null) {
    const money = new Intl.NumberFormat('en', { style: 'currency', currency: s.currency }).format(
      s.amount_total / 100,
    );
    const name = escapeHtml(
      String(s.line_items_input?.[0]?.price_data?.product_data?.name ?? 'Order'),
    );
    const countries: string[] = s.shipping_address_collection?.allowed_countries ?? [];
    const field = (n: string, label: string, auto: string) =>
      `<p><label for="${n}">${label}</label><br><input id="${n}" name="${n}" autocomplete="${auto}" required></p>`;
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay ${escapeHtml(money)} — fake Stripe Checkout</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<h1>${name}</h1><p>Total: <strong>${escapeHtml(money)}</strong></p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
<p><label for="card">Card number</label><br><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4242 4242 4242 4242"></p>
${
  countries.length
    ? `<fieldset><legend>Shipping address</legend>${field('name', 'Full name', 'name')}${field('line1', 'Address', 'address-line1')}${field('city', 'City', 'address-level2')}${field('postal_code', 'Postal code', 'postal-code')}
<p><label for="country">Country</label><br><select id="country" name="country">${countries.map((c) => `<option>${escapeHtml(c)}</option>`).join('')}</select></p></fieldset>`
    : ''
}
<button type="submit">Pay ${escapeHtml(money)}</button>
${s.cancel_url ? `<p><a href="${escapeHtml(s.cancel_url)}">Cancel</a></p>` : ''}
</form></main></body></html>`;
  }

  // ---- HTTP --------------------------------------------------------------------------------

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        data += c;
      });
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });

  /** Secret-key routes: the server's SDK. */
  function requireSecret(req: IncomingMessage) {
    if (req.headers.authorization !== `Bearer ${fake.secretKey}`)
      throw new ApiError(401, {
        type: 'invalid_request_error',
        message: 'Invalid API Key provided.',
      });
  }

  /** Browser routes: the publishable key and the object's client secret (what Stripe.js has). */
  function requireClient(req: IncomingMessage, params: Obj, pi: Obj) {
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    const key = params.key ?? bearer;
    if (key === fake.secretKey) return;
    if (key !== fake.publishableKey)
      throw new ApiError(401, {
        type: 'invalid_request_error',
        message: 'Invalid API Key provided.',
      });
    if (params.client_secret !== pi.client_secret)
      throw invalid(
        'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
      );
  }

  function route(req: IncomingMessage, method: string, path: string, params: Obj): Obj {
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') {
      requireSecret(req);
      return createIntent(params);
    }
    m = path.match(/^\/v1\/payment_intents\/(pi_\w+?)(\/\w+)?$/);
    if (m) {
      const pi = intent(m[1]!);
      const action = m[2];
      if (method === 'GET' && !action) {
        if (params.client_secret) requireClient(req, params, pi);
        else requireSecret(req);
        return pi;
      }
      if (method === 'POST' && !action) {
        requireSecret(req);
        return updateIntent(pi, params);
      }
      if (method === 'POST' && action === '/confirm') {
        requireClient(req, params, pi);
        return confirmIntent(pi, params);
      }
      if (method === 'POST' && action === '/cancel') {
        requireSecret(req);
        if (pi.status === 'succeeded' || pi.status === 'canceled')
          throw invalid(
            `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
            { code: 'payment_intent_unexpected_state' },
          );
        pi.status = 'canceled';
        pi.canceled_at = now();
        emit('payment_intent.canceled', pi);
        return pi;
      }
    }
    m = path.match(/^\/_fake\/payment_intents\/(pi_\w+)\/authenticate$/);
    if (m && method === 'POST') {
      const pi = intent(m[1]!);
      requireClient(req, params, pi);
      return authenticate(pi, String(params.outcome));
    }
    if (method === 'POST' && path === '/v1/refunds') {
      requireSecret(req);
      return refund(params);
    }
    if (path === '/v1/customers' && method === 'POST') {
      requireSecret(req);
      const c = {
        id: id('cus'),
        object: 'customer',
        created: now(),
        email: params.email ?? null,
        name: params.name ?? null,
        metadata: params.metadata ?? {},
        livemode: false,
      };
      customers.set(c.id, c);
      return c;
    }
    m = path.match(/^\/v1\/customers\/(cus_\w+)$/);
    if (m) {
      requireSecret(req);
      const c = customers.get(m[1]!);
      if (!c) throw missing('customer', m[1]!);
      if (method === 'DELETE') {
        customers.delete(c.id);
        return { id: c.id, object: 'customer', deleted: true };
      }
      return c;
    }
    m = path.match(/^\/v1\/customers\/(cus_\w+)\/payment_methods$/);
    if (m && method === 'GET') {
      requireSecret(req);
      const customer = m[1];
      return list(
        [...paymentMethods.values()].filter((p) => p.customer === customer).map(publicPm),
        path,
      );
    }
    if (path === '/v1/payment_methods') {
      requireSecret(req);
      if (method === 'POST') return publicPm(createPaymentMethod(params));
      return list(
        [...paymentMethods.values()].filter((p) => p.customer === params.customer).map(publicPm),
        path,
      );
    }
    m = path.match(/^\/v1\/payment_methods\/(pm_\w+)\/(attach|detach)$/);
    if (m && method === 'POST') {
      requireSecret(req);
      const pm = paymentMethods.get(m[1]!);
      if (!pm) throw missing('payment_method', m[1]!);
      pm.customer = m[2] === 'attach' ? String(params.customer) : null;
      return publicPm(pm);
    }
    if (path === '/v1/customer_sessions' && method === 'POST') {
      requireSecret(req);
      return {
        object: 'customer_session',
        client_secret: `cuss_secret_${randomBytes(12).toString('hex')}`,
        customer: params.customer,
        components: params.components ?? {},
        created: now(),
        expires_at: now() + 1800,
        livemode: false,
      };
    }
    if (path === '/v1/checkout/sessions' && method === 'POST') {
      requireSecret(req);
      return createSession(params);
    }
    m = path.match(/^\/v1\/checkout\/sessions\/(cs_test_\w+?)(\/expire)?$/);
    if (m) {
      requireSecret(req);
      const s = session(m[1]!);
      if (method === 'POST' && m[2]) return expireSession(s);
      if (method === 'GET' && !m[2]) return s;
    }
    m = path.match(/^\/v1\/events\/(evt_\w+)$/);
    if (m && method === 'GET') {
      requireSecret(req);
      const e = fake.events.find((x) => x.id === m[1]);
      if (!e) throw missing('event', m[1]!);
      return e;
    }
    throw new ApiError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  }

  function send(res: ServerResponse, status: number, body: Obj) {
    const { line_items_input, _number, ...shown } = body;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': '*',
      'Request-Id': id('req'),
    });
    res.end(JSON.stringify(shown));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', fake.url);
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, POST, DELETE',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    const raw = await readBody(req);
    const params: Obj = { ...qs.parse(url.search.slice(1)), ...qs.parse(raw) };

    // The hosted payment page (Stripe Checkout), for the buyer's browser.
    const page = url.pathname.match(/^\/c\/pay\/(cs_test_\w+)$/);
    if (page) {
      const s = checkoutSessions.get(page[1]!);
      if (!s) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('No such checkout session');
      }
      const html = (status: number, error: string | null) => {
        res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(hostedPage(s, error));
      };
      if (s.status !== 'open')
        return html(
          410,
          `This payment page has ${s.status === 'complete' ? 'already been paid' : 'expired'}.`,
        );
      if (method === 'GET') return html(200, null);
      const error = payHosted(s, params);
      if (error) return html(402, error);
      res.writeHead(303, {
        Location: String(s.success_url).replace('{CHECKOUT_SESSION_ID}', s.id),
      });
      return res.end();
    }

    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    fake.requests.push({ method, path: url.pathname, idempotencyKey: key, body: params });
    const scope = key ? `${method} ${url.pathname} ${key}` : null;
    if (scope && method === 'POST') {
      const seen = idempotency.get(scope);
      if (seen) {
        if (seen.body !== raw)
          return send(res, 400, {
            error: {
              type: 'idempotency_error',
              message:
                'Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than the one used for the original request.',
            },
          });
        res.setHeader('Idempotent-Replayed', 'true');
        return send(res, seen.status, seen.response);
      }
    }
    let status = 200;
    let response: Obj;
    try {
      response = copy(route(req, method, url.pathname, params));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status = err.status;
      response = { error: err.error };
    }
    if (scope && method === 'POST') idempotency.set(scope, { body: raw, status, response });
    send(res, status, response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('[fake stripe]', err);
      if (!res.headersSent) send(res, 500, { error: { type: 'api_error', message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}
