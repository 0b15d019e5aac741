import type Stripe from 'stripe';
import type { ConnectConfig } from '../config.ts';
import type { ConnectedAccount, ConnectedAccounts, PaymentEvents, Reversal } from './provider.ts';
import { accountState, readEvent } from './stripe-outcomes.ts';

/** The platform's fee on `total` at `bps` basis points, in minor units (rounded half up). */
export function applicationFee(total: number, bps: number): number {
  return Math.round((total * bps) / 10_000);
}

/**
 * The Connect parameters of a destination charge (docs/stripe.md, "Platform mode"): the seller's
 * account is the merchant of record (`on_behalf_of`: its statement descriptor, its country's
 * rules), the money goes to it (`transfer_data`), and the platform keeps its fee. The fee's rate
 * rides in the metadata so a later change of the amount keeps it (see StripePaymentProvider).
 */
export function destinationCharge(total: number, d: { account: string; feeBps: number }) {
  const fee = applicationFee(total, d.feeBps);
  return {
    on_behalf_of: d.account,
    transfer_data: { destination: d.account },
    ...(fee > 0 ? { application_fee_amount: fee } : {}),
  };
}

/**
 * Connected accounts and their onboarding through Stripe-hosted Account Links. Express by
 * default: Stripe hosts onboarding and a light dashboard for the seller, the platform keeps
 * control of charges and refunds (docs/stripe.md says what Standard would change).
 */
export class StripeConnectedAccounts implements ConnectedAccounts {
  readonly events: PaymentEvents | null;

  constructor(
    private readonly stripe: Stripe,
    private readonly config: ConnectConfig,
  ) {
    const secret = config.webhookSecret;
    this.events = secret
      ? {
          // A Connect endpoint signs with a secret of its own: the platform endpoint's secret
          // does not verify here, nor this one there.
          verify: async (rawBody, signature) =>
            readEvent(await this.stripe.webhooks.constructEventAsync(rawBody, signature, secret)),
        }
      : null;
  }

  async create(sellerId: string, key: string): Promise<ConnectedAccount> {
    const account = await this.stripe.accounts.create(
      {
        type: this.config.accountType,
        metadata: { seller_id: sellerId },
        // Destination charges on the seller's behalf need both (card_payments for on_behalf_of).
        ...(this.config.accountType === 'express'
          ? {
              capabilities: {
                card_payments: { requested: true },
                transfers: { requested: true },
              },
            }
          : {}),
      },
      { idempotencyKey: key },
    );
    return accountState(account);
  }

  async retrieve(id: string): Promise<ConnectedAccount> {
    return accountState(await this.stripe.accounts.retrieve(id));
  }

  async onboardingLink(id: string, urls: { returnUrl: string; refreshUrl: string }) {
    const link = await this.stripe.accountLinks.create({
      account: id,
      type: 'account_onboarding',
      return_url: urls.returnUrl,
      refresh_url: urls.refreshUrl,
    });
    return { url: link.url, expiresAt: new Date(link.expires_at * 1000).toISOString() };
  }
}

/**
 * The refunds of a charge or PaymentIntent that stand (not failed, not canceled), every page of
 * them, oldest first in the order they were made. Stripe lists newest first in that order, while
 * `created` is in whole seconds and ids are in no order: refunds made in one second keep the
 * list's order (a stable sort), never their ids'.
 */
export async function refundsInOrder(
  stripe: Stripe,
  of: { charge: string } | { payment_intent: string },
): Promise<Stripe.Refund[]> {
  const listed: Stripe.Refund[] = [];
  for await (const r of stripe.refunds.list({ ...of, limit: 100 })) listed.push(r);
  return listed
    .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
    .reverse()
    .sort((a, b) => a.created - b.created);
}

/**
 * Reverses, for one refund of a destination charge, the same share of the seller's transfer and
 * of the platform's fee as the refund is of the charge. Shares are computed on the running total
 * of the charge's refunds in the order they were made (refundsInOrder), so rounding never drifts:
 * once every refund is reversed, what is reversed is the rounded proportion of what is refunded. Never more than that
 * proportion of all refunds so far is reversed (a refund made with `reverse_transfer`, in the
 * Dashboard, was reversed by Stripe already). The caller makes sure one refund is reversed by
 * one call at a time (services/refunds.ts); the key names the refund and the amount, so a retry
 * of the same call is the same reversal.
 */
export async function reverseForRefund(
  stripe: Stripe,
  paymentIntentId: string,
  refundId: string,
): Promise<Reversal> {
  const pi = await stripe.paymentIntents.retrieve(paymentIntentId);
  const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : pi.latest_charge?.id;
  if (!chargeId) return { transferReversal: null, feeRefund: null };
  const charge = await stripe.charges.retrieve(chargeId);
  const transferId = typeof charge.transfer === 'string' ? charge.transfer : charge.transfer?.id;
  const feeId =
    typeof charge.application_fee === 'string'
      ? charge.application_fee
      : charge.application_fee?.id;
  if (!transferId && !feeId) return { transferReversal: null, feeRefund: null };

  // A refund made after this one must never count before it, or the shares stop adding up to
  // the whole (one fee unit short, seen in CI).
  const refunds = await refundsInOrder(stripe, { charge: chargeId });
  const at = refunds.findIndex((r) => r.id === refundId);
  if (at < 0) throw new Error(`refund ${refundId} is not one of charge ${chargeId}'s`);
  const before = refunds.slice(0, at).reduce((sum, r) => sum + r.amount, 0);
  const after = before + refunds[at]!.amount;
  const all = refunds.reduce((sum, r) => sum + r.amount, 0);
  const part = (whole: number, refunded: number) => Math.round((whole * refunded) / charge.amount);
  /** The part of `whole` this refund stands for, and the most `whole` may be reversed now. */
  const share = (whole: number) => ({
    target: part(whole, all),
    amount: part(whole, after) - part(whole, before),
  });

  let transferReversal: string | null = null;
  if (transferId) {
    const transfer = await stripe.transfers.retrieve(transferId);
    const { target, amount } = share(transfer.amount);
    const left = Math.min(amount, target - transfer.amount_reversed);
    if (left > 0)
      transferReversal = (
        await stripe.transfers.createReversal(
          transferId,
          { amount: left, metadata: { refund_id: refundId } },
          { idempotencyKey: `bip_reversal_${refundId}_${left}` },
        )
      ).id;
  }
  let feeRefund: string | null = null;
  if (feeId) {
    const fee = await stripe.applicationFees.retrieve(feeId);
    const { target, amount } = share(fee.amount);
    const left = Math.min(amount, target - fee.amount_refunded);
    if (left > 0)
      feeRefund = (
        await stripe.applicationFees.createRefund(
          feeId,
          { amount: left, metadata: { refund_id: refundId } },
          { idempotencyKey: `bip_fee_refund_${refundId}_${left}` },
        )
      ).id;
  }
  return { transferReversal, feeRefund };
}
