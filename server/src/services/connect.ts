/**
 * Platform mode (Stripe Connect): each seller has a connected account, onboards through the
 * provider's hosted pages, and is offered for sale only once the provider lets it take charges.
 * The account's state is kept on the seller's row from `account.updated` events (and from each
 * read of `GET /v1/seller/payouts`), so the product look-ups and checkouts read it locally.
 */
import type { SellerRow } from '../db/schema.ts';
import type { ConnectedAccount, ConnectedAccounts, PaymentEvent } from '../payments/provider.ts';
import type { Payouts } from '../protocol/payouts.ts';
import type { Product } from '../protocol/products.ts';
import { iso } from '../util.ts';
import type { ServiceContext } from './context.ts';
import { notFound, ServiceError } from './errors.ts';

/** A refusal of a checkout for a seller who cannot take payments yet. */
export const sellerNotReady = () =>
  new ServiceError(
    'seller_not_ready',
    'This seller is not set up to take payments yet; try again later',
  );

/**
 * A product as buyers see it, for a seller who cannot take payments yet: unavailable, with the
 * reason, and nothing to put in a checkout.
 */
export function withSellerReadiness(product: Product, ready: boolean): Product {
  if (ready) return product;
  return {
    ...product,
    available: false,
    unavailableReason: 'seller_not_ready',
    variants: product.variants.map((v) => ({ ...v, maxQuantity: 0 })),
  };
}

export class ConnectService {
  constructor(
    private readonly ctx: ServiceContext,
    /** The provider's connected accounts; null for a single-seller endpoint. */
    private readonly accounts: ConnectedAccounts | null,
    /** Told when a seller's readiness may have changed (its products show it). */
    private readonly onChange: (sellerId: string) => Promise<void> = async () => {},
  ) {}

  /** True in platform mode. */
  get enabled(): boolean {
    return this.accounts !== null;
  }

  /** The platform's fee for a seller, in basis points: its own if set, else the endpoint's. */
  feeBps(sellerId: string): number {
    const connect = this.ctx.config.stripe?.connect;
    if (!connect) return 0;
    return Object.hasOwn(connect.feeBpsBySeller, sellerId)
      ? (connect.feeBpsBySeller[sellerId] as number)
      : connect.feeBps;
  }

  /**
   * Where a checkout's payment goes: null for a single-seller endpoint; in platform mode the
   * seller's account and the fee, or `seller_not_ready` when it cannot take charges.
   */
  async destinationFor(sellerId: string): Promise<{ account: string; feeBps: number } | null> {
    if (!this.accounts) return null;
    const seller = await this.ctx.db
      .selectFrom('sellers')
      .select(['stripe_account_id', 'connect_charges_enabled'])
      .where('id', '=', sellerId)
      .executeTakeFirst();
    if (!seller?.stripe_account_id || !seller.connect_charges_enabled) throw sellerNotReady();
    return { account: seller.stripe_account_id, feeBps: this.feeBps(sellerId) };
  }

  /** Refuses, in platform mode, a seller who cannot take charges (before anything is held). */
  async assertReady(
    seller: Pick<SellerRow, 'id' | 'stripe_account_id' | 'connect_charges_enabled'>,
  ) {
    if (this.accounts && !(seller.stripe_account_id && seller.connect_charges_enabled))
      throw sellerNotReady();
  }

  /**
   * Where the seller stands (`GET /v1/seller/payouts`): its account is made the first time
   * (once, however many calls race), its state read from the provider and kept, and a fresh
   * onboarding link given while anything is due.
   */
  async payouts(seller: SellerRow, returnUrl?: string): Promise<Payouts> {
    const accounts = this.accounts;
    if (!accounts) throw notFound('Platform mode is off on this endpoint; payouts');
    const { id, state, link } = await this.ask(accounts, seller, returnUrl);
    const due = isDue(state);
    return {
      accountId: id,
      status:
        state.chargesEnabled && state.payoutsEnabled && !due
          ? 'enabled'
          : state.detailsSubmitted && state.currentlyDue.length === 0
            ? 'pending'
            : 'action_required',
      chargesEnabled: state.chargesEnabled,
      payoutsEnabled: state.payoutsEnabled,
      detailsSubmitted: state.detailsSubmitted,
      requirements: state.currentlyDue,
      disabledReason: state.disabledReason,
      onboardingUrl: link?.url ?? null,
      onboardingUrlExpiresAt: link?.expiresAt ?? null,
      platformFeeBps: this.feeBps(seller.id),
    };
  }

  /** The seller's account (made if need be), its state (kept), and a link while anything is due. */
  private async ask(accounts: ConnectedAccounts, seller: SellerRow, returnUrl?: string) {
    try {
      const id = seller.stripe_account_id ?? (await this.createAccount(accounts, seller.id));
      const state = await accounts.retrieve(id);
      await this.apply(state, Math.floor(this.ctx.clock.now().getTime() / 1000));
      const back =
        returnUrl ?? this.ctx.config.stripe?.connect?.returnUrl ?? this.ctx.config.publicUrl;
      const link = isDue(state)
        ? await accounts.onboardingLink(id, { returnUrl: back, refreshUrl: back })
        : null;
      return { id, state, link };
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      this.ctx.log
        .child({ scope: 'connect' })
        .error({ err, seller: seller.id }, 'asking Stripe about the account failed');
      throw new ServiceError('payment_failed', 'Stripe could not be reached; try again');
    }
  }

  /** Makes the seller's account; concurrent first calls get the same one (the provider's key). */
  private async createAccount(accounts: ConnectedAccounts, sellerId: string): Promise<string> {
    const made = await accounts.create(sellerId, `bip_account_${sellerId}`);
    await this.ctx.db
      .updateTable('sellers')
      .set({ stripe_account_id: made.id, updated_at: iso(this.ctx.clock.now()) })
      .where('id', '=', sellerId)
      .where('stripe_account_id', 'is', null)
      .execute();
    const kept = await this.ctx.db
      .selectFrom('sellers')
      .select('stripe_account_id')
      .where('id', '=', sellerId)
      .executeTakeFirstOrThrow();
    return kept.stripe_account_id ?? made.id;
  }

  /** An `account.updated` event (platform mode): the seller's state follows it. */
  async handle(event: PaymentEvent): Promise<string> {
    if (!event.account) return 'ignored';
    return (await this.apply(event.account, event.account.at)) ? 'account_updated' : 'ignored';
  }

  /**
   * Keeps what the provider said of an account on its seller, unless something newer is kept
   * already (events arrive in any order). True when a seller's row was changed.
   */
  private async apply(state: ConnectedAccount, at: number): Promise<boolean> {
    const res = await this.ctx.db
      .updateTable('sellers')
      .set({
        connect_charges_enabled: state.chargesEnabled ? 1 : 0,
        connect_payouts_enabled: state.payoutsEnabled ? 1 : 0,
        connect_details_submitted: state.detailsSubmitted ? 1 : 0,
        connect_requirements: JSON.stringify({
          currentlyDue: state.currentlyDue,
          disabledReason: state.disabledReason,
        }),
        connect_synced_at: at,
      })
      .where('stripe_account_id', '=', state.id)
      .where((eb) =>
        eb.or([eb('connect_synced_at', 'is', null), eb('connect_synced_at', '<=', at)]),
      )
      .returning('id')
      .execute();
    for (const row of res) await this.onChange(row.id);
    return res.length > 0;
  }
}

/** True while the seller has something to do at the provider (an onboarding link is useful). */
function isDue(state: ConnectedAccount): boolean {
  return !state.chargesEnabled || !state.detailsSubmitted || state.currentlyDue.length > 0;
}
