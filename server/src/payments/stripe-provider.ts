import { createHash, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { StripeConfig } from '../config.ts';
import type { PaymentHandoff, PaymentMode, ShippingAddress } from '../protocol/checkouts.ts';
import { withReturnParams } from '../protocol/rules.ts';
import type {
  ConnectedAccounts,
  PaymentCheckout,
  PaymentContext,
  PaymentEvents,
  PaymentOutcome,
  PaymentProvider,
  PreparedPayment,
  ProviderRefund,
  Reversal,
} from './provider.ts';
import { stripeClient } from './stripe-client.ts';
import {
  applicationFee,
  destinationCharge,
  refundsInOrder,
  reverseForRefund,
  StripeConnectedAccounts,
} from './stripe-connect.ts';
import { intentOutcome, readEvent, sessionOutcome } from './stripe-outcomes.ts';

/** Stripe's minimum lifetime of a Checkout Session, in seconds (the maximum is 24 hours). */
const SESSION_MIN_SECONDS = 30 * 60 + 60;
/** Session expiries are rounded up to this step (see {@link sessionExpiry}). */
const SESSION_EXPIRY_STEP = 10 * 60;

/**
 * When a new Checkout Session expires: at least {@link SESSION_MIN_SECONDS} from now, rounded up
 * to a ten-minute step. Stripe refuses an idempotency key reused with other parameters, so the
 * expiry must not change from one call to the next: two calls for the same state of a checkout
 * (concurrent changes, a read catching up) within a step send the same request and get the same
 * session, and the step is named in the key.
 */
function sessionExpiry(nowMs: number): number {
  const earliest = Math.floor(nowMs / 1000) + SESSION_MIN_SECONDS;
  return Math.ceil(earliest / SESSION_EXPIRY_STEP) * SESSION_EXPIRY_STEP;
}

/**
 * An idempotency key for a Stripe call that must happen once per state of a checkout: a retry
 * (ours, or the SDK's) of the same call gets Stripe's first answer instead of a second object.
 */
function key(checkout: PaymentCheckout, what: string, ...parts: (string | number | null)[]) {
  const h = createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 16);
  return `bip_${checkout.id}_${what}_${h}`;
}

/**
 * Payments through Stripe, with the real SDK. The endpoint alone sets the amount: a
 * PaymentIntent (Payment Element in the page) or a Checkout Session (Stripe's hosted page) is
 * made for the server-computed total and changed with it; the page only ever gets the client
 * secret or the hosted page's URL. A checkout is paid when Stripe says so — by a signed
 * webhook, or when a read of the checkout asks Stripe (a webhook may be late or lost).
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  /** The page confirms the PaymentIntent with Stripe.js; Stripe says how it went. */
  readonly confirmsInPage = true;
  readonly preparesLocally = false;
  /** Stripe's webhooks, when their signing secret is set (otherwise they are refused). */
  readonly events: PaymentEvents | null;
  /** Platform mode (Stripe Connect): the sellers' connected accounts. */
  readonly connect: ConnectedAccounts | null;
  private readonly stripe: Stripe;

  constructor(private readonly config: StripeConfig) {
    this.stripe = stripeClient(config);
    this.connect = config.connect ? new StripeConnectedAccounts(this.stripe, config.connect) : null;
    const secret = config.webhookSecret;
    this.events = secret
      ? {
          // The signature covers the exact bytes Stripe sent: checked before anything is parsed.
          verify: async (rawBody, signature) =>
            readEvent(await this.stripe.webhooks.constructEventAsync(rawBody, signature, secret)),
        }
      : null;
  }

  paymentMode(requested: PaymentMode | undefined): PaymentMode {
    return this.config.mode === 'hosted' ? 'hosted' : (requested ?? 'elements');
  }

  async prepare(c: PaymentCheckout, ctx: PaymentContext): Promise<PreparedPayment> {
    const current = {
      reference: c.payment_ref,
      secret: c.payment_secret,
      amount: c.payment_amount,
    };
    if (c.payment_mode === 'hosted') return this.prepareSession(c, ctx, current);
    const destination = ctx.destination ?? null;
    if (!c.payment_ref) {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: c.total,
          currency: c.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          description: ctx.title,
          metadata: {
            checkout_id: c.id,
            seller_id: c.seller_id,
            product_id: c.product_id,
            ...(destination ? { platform_fee_bps: String(destination.feeBps) } : {}),
          },
          // Platform mode: a destination charge on the seller's behalf (docs/stripe.md).
          ...(destination ? destinationCharge(c.total, destination) : {}),
          ...(c.email ? { receipt_email: c.email } : {}),
          // A signed-in buyer's: the card they choose to save (the Payment Element's box, shown
          // by the Customer Session of the handoff) stays on their Customer.
          ...(ctx.customer ? { customer: ctx.customer } : {}),
        },
        { idempotencyKey: key(c, 'pi') },
      );
      return { reference: pi.id, secret: pi.client_secret, amount: pi.amount };
    }
    if (c.payment_amount === c.total) return current;
    const pi = await this.stripe.paymentIntents.update(
      c.payment_ref,
      {
        amount: c.total,
        ...(destination
          ? { application_fee_amount: applicationFee(c.total, destination.feeBps) }
          : {}),
      },
      // A key of its own per update: setting an amount is idempotent by itself (the SDK's own
      // retries of this call still share it). A key made from the total and the change's time
      // was shared by a change back to an earlier total in the same millisecond, and Stripe
      // replayed the first answer without setting the amount: the buyer paid the total before.
      { idempotencyKey: key(c, 'amount', c.total, randomUUID()) },
    );
    return { reference: pi.id, secret: pi.client_secret ?? c.payment_secret, amount: pi.amount };
  }

  /**
   * A Checkout Session cannot change its amount: a changed total expires the old session and
   * makes a new one. Made only once the checkout is ready to pay (the address prices shipping).
   */
  private async prepareSession(
    c: PaymentCheckout,
    ctx: PaymentContext,
    current: PreparedPayment,
  ): Promise<PreparedPayment> {
    if (!ctx.ready || (c.payment_ref && c.payment_amount === c.total)) return current;
    if (!c.return_url) throw new Error(`checkout ${c.id}: hosted payment without a return URL`);
    // The session it replaces is not expired here but once this one is stored (the settlement
    // closes it): a change that loses its race must leave the stored session open.
    const currency = c.currency.toLowerCase();
    const evenUnits = c.subtotal % c.quantity === 0;
    const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [
      {
        price_data: {
          currency,
          unit_amount: evenUnits ? c.subtotal / c.quantity : c.subtotal,
          product_data: { name: evenUnits ? ctx.title : `${ctx.title} × ${c.quantity}` },
        },
        quantity: evenUnits ? c.quantity : 1,
      },
    ];
    if (c.tax > 0)
      lineItems.push({
        price_data: { currency, unit_amount: c.tax, product_data: { name: 'Tax' } },
        quantity: 1,
      });
    const address = c.shipping_address ? (JSON.parse(c.shipping_address) as ShippingAddress) : null;
    const expiresAt = sessionExpiry(Date.now());
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: lineItems,
      client_reference_id: c.id,
      metadata: { checkout_id: c.id, seller_id: c.seller_id },
      payment_intent_data: {
        metadata: { checkout_id: c.id, seller_id: c.seller_id },
        // Platform mode: the same destination charge as on the page (docs/stripe.md).
        ...(ctx.destination ? destinationCharge(c.total, ctx.destination) : {}),
      },
      success_url: withReturnParams(c.return_url, c.id, 'done'),
      cancel_url: withReturnParams(c.return_url, c.id, 'canceled'),
      expires_at: expiresAt,
      // A signed-in buyer's Customer: Stripe's page offers its saved cards, and a box to save
      // the new one (the buyer's consent). Stripe takes `customer` or `customer_email`.
      ...(ctx.customer
        ? {
            customer: ctx.customer,
            saved_payment_method_options: {
              payment_method_save: 'enabled' as const,
              payment_method_remove: 'enabled' as const,
              allow_redisplay_filters: ['always' as const],
            },
          }
        : c.email
          ? { customer_email: c.email }
          : {}),
      ...(address
        ? {
            // The shipping price was computed for this country: Stripe collects the street
            // address, in that country only.
            shipping_address_collection: {
              allowed_countries: [
                address.country as Stripe.Checkout.SessionCreateParams.ShippingAddressCollection.AllowedCountry,
              ],
            },
            shipping_options: [
              {
                shipping_rate_data: {
                  type: 'fixed_amount',
                  display_name: 'Shipping',
                  fixed_amount: { amount: c.shipping ?? 0, currency },
                },
              },
            ],
          }
        : {}),
    };
    // The whole request is in the key: two changes stamped in one millisecond (same total,
    // another address or email) must not meet on one key, which Stripe refuses.
    const made = key(c, 'session', c.updated_at, JSON.stringify(params));
    let session = await this.stripe.checkout.sessions.create(params, { idempotencyKey: made });
    // A key Stripe has seen answers the session first made for it, as it was then; expired
    // since (a change made for this same row lost its race, or the row came back to it within
    // the millisecond), it must not be handed out: another one, under a key naming it.
    while (
      session.lastResponse.headers['idempotent-replayed'] === 'true' &&
      (await this.stripe.checkout.sessions.retrieve(session.id)).status !== 'open'
    )
      session = await this.stripe.checkout.sessions.create(params, {
        idempotencyKey: key(c, 'session', made, session.id),
      });
    return { reference: session.id, secret: session.url, amount: session.amount_total ?? c.total };
  }

  handoff(c: PaymentCheckout): PaymentHandoff {
    // A hosted page made for another total is not shown (it is replaced on the next change).
    if (c.payment_mode === 'hosted')
      return { provider: 'redirect', url: c.payment_amount === c.total ? c.payment_secret : null };
    return {
      provider: 'stripe',
      publishableKey: this.config.publishableKey,
      clientSecret: c.payment_secret ?? '',
    };
  }

  /**
   * The page is about to confirm the PaymentIntent with Stripe.js. The checkout is held; make
   * sure Stripe will charge its total (a change whose update to Stripe failed is caught here).
   */
  async confirm(c: PaymentCheckout): Promise<PaymentOutcome> {
    if (!c.payment_ref) throw new Error(`checkout ${c.id} has no PaymentIntent`);
    // `payment_amount` is what Stripe answered to the last create or update: no need to ask.
    if (c.payment_amount === c.total) return { status: 'processing' };
    const pi = await this.stripe.paymentIntents.retrieve(c.payment_ref);
    if (pi.status === 'succeeded') return intentOutcome(pi);
    if (pi.amount !== c.total && pi.status === 'requires_payment_method') {
      // A destination charge keeps its fee's rate (kept in its metadata when it was made).
      const bps = pi.transfer_data ? Number(pi.metadata?.platform_fee_bps ?? 0) : null;
      await this.stripe.paymentIntents.update(
        c.payment_ref,
        {
          amount: c.total,
          ...(bps !== null ? { application_fee_amount: applicationFee(c.total, bps) } : {}),
        },
        { idempotencyKey: key(c, 'amount', c.total, c.updated_at) },
      );
    }
    return { status: 'processing' };
  }

  async status(c: PaymentCheckout): Promise<PaymentOutcome> {
    if (!c.payment_ref) return { status: 'open' };
    if (c.payment_mode === 'hosted') {
      const session = await this.stripe.checkout.sessions.retrieve(c.payment_ref);
      return sessionOutcome(session);
    }
    return intentOutcome(await this.stripe.paymentIntents.retrieve(c.payment_ref));
  }

  async refund(reference: string, checkoutId: string) {
    await this.stripe.refunds.create(
      {
        payment_intent: reference,
        metadata: { checkout_id: checkoutId },
        // Platform mode: a payment that is no order's is wholly undone, the seller's transfer
        // and the platform's fee with it (Stripe reverses both for a whole refund).
        ...(this.connect ? { reverse_transfer: true, refund_application_fee: true } : {}),
      },
      { idempotencyKey: `bip_${checkoutId}_refund_${reference}` },
    );
  }

  /**
   * A seller's refund of an order. Made without Stripe's own reversal flags: the transfer and
   * the fee are reversed by {@link reverseFor} for every refund alike, whether made here or in
   * the Dashboard, so the proportion is computed one way.
   */
  async refundPart(
    reference: string,
    amount: number,
    opts: { key: string; orderId: string; currency: string; reason?: string | null },
  ): Promise<ProviderRefund> {
    const refund = await this.stripe.refunds.create(
      {
        payment_intent: reference,
        amount,
        // What the seller API knows of it rides with the refund: its event may be recorded first.
        metadata: {
          order_id: opts.orderId,
          bip_source: 'api',
          ...(opts.reason ? { bip_reason: opts.reason } : {}),
        },
      },
      { idempotencyKey: `bip_${opts.orderId}_refund_${opts.key}` },
    );
    return toRefund(refund);
  }

  async refundsOf(reference: string): Promise<ProviderRefund[]> {
    return (await refundsInOrder(this.stripe, { payment_intent: reference })).map(toRefund);
  }

  reverseFor(reference: string, refundId: string): Promise<Reversal> {
    return reverseForRefund(this.stripe, reference, refundId);
  }

  async cancel(c: PaymentCheckout) {
    if (!c.payment_ref) return;
    if (c.payment_mode === 'hosted') return this.expireSession(c.payment_ref);
    const pi = await this.stripe.paymentIntents.retrieve(c.payment_ref);
    // A succeeded one is handled by its webhook (refunded: the checkout is gone).
    if (pi.status !== 'succeeded' && pi.status !== 'canceled')
      await this.stripe.paymentIntents.cancel(c.payment_ref);
  }

  /**
   * A Customer Session for the Payment Element: the buyer's saved cards shown, removable, and a
   * box to save the new one — the box is the buyer's consent (WALLET.md §2; with saving
   * disabled Stripe would hide the saved cards too). Its secret is short-lived and must not be
   * stored or logged: the checkout service asks for one per answer and never caches it.
   */
  async customerSession(customer: string): Promise<string> {
    const session = await this.stripe.customerSessions.create({
      customer,
      components: {
        payment_element: {
          enabled: true,
          features: {
            payment_method_redisplay: 'enabled',
            payment_method_allow_redisplay_filters: ['always'],
            payment_method_save: 'enabled',
            payment_method_save_usage: 'on_session',
            payment_method_remove: 'enabled',
          },
        },
      },
    });
    return session.client_secret;
  }

  private async expireSession(id: string) {
    const s = await this.stripe.checkout.sessions.retrieve(id);
    if (s.status !== 'open') return;
    await this.stripe.checkout.sessions.expire(id).catch(async (err) => {
      // Expired (or paid) meanwhile by a concurrent change or the buyer: closed either way; a
      // payment made on it is settled by its event (refunded if it is not the order).
      if ((await this.stripe.checkout.sessions.retrieve(id)).status === 'open') throw err;
    });
  }
}

function toRefund(r: Stripe.Refund): ProviderRefund {
  return {
    id: r.id,
    amount: r.amount,
    currency: r.currency.toUpperCase(),
    created: r.created,
    ...(r.metadata?.bip_source === 'api'
      ? { viaApi: { reason: r.metadata.bip_reason ?? null } }
      : {}),
  };
}
