/**
 * The signed-in buyer at the checkout (docs/wallet.md, "At the checkout"). A checkout call may
 * carry a `Buyer-Session`: a new checkout is then bound to that buyer and starts from their
 * saved address and email; a saved address or test card may be chosen by id; the answer shows
 * the wallet, masked (and, with Stripe, a Customer Session for the saved cards); once paid, the
 * address is kept in the wallet and a ticked share-email becomes a consent for that seller.
 *
 * The client token stays the key to a checkout: a session only adds the wallet, and only the
 * session of the buyer the checkout is bound to — another buyer's session gets nothing of it.
 */
import type { Transaction } from 'kysely';
import type { CheckoutRow, Database, OrderRow } from '../../db/schema.ts';
import type { Logger } from '../../log.ts';
import type { PaymentInput, PaymentProvider } from '../../payments/provider.ts';
import type {
  Checkout,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  ShippingAddress,
} from '../../protocol/checkouts.ts';
import type { ProductKind } from '../../protocol/products.ts';
import { grantConsent } from '../../wallet/consents.ts';
import type { BuyerSessionRef, WalletService } from '../../wallet/service.ts';
import type { ServiceContext } from '../context.ts';
import { invalid, ServiceError } from '../errors.ts';
import type { OrderHooks } from '../orders.ts';
import { type Db, findCheckout } from './access.ts';
import { parseAddress } from './presenter.ts';

/** A buyer's session, if the call carried one. */
export type BuyerRef = BuyerSessionRef | null;

/** Where a checkout ships and who it mails, from what was sent and the buyer's wallet. */
export interface Destination {
  email: string | null;
  address: ShippingAddress | null;
  /** The saved address used, when it came from the wallet. */
  savedAddressId: string | null;
}

const sessionRefused = (why: string) =>
  new ServiceError(
    'unauthorized',
    `The Buyer-Session is not valid (${why}); drop it and continue as a guest`,
  );

const noSuchAddress = () =>
  new ServiceError('not_found', 'Saved address not found', {
    errors: [{ field: 'savedAddressId', message: 'no such saved address for this buyer session' }],
  });

/** The Stripe Customer of a checkout's buyer, if it has one (for the payment it sets up). */
export async function paymentCustomerOf(
  db: Db,
  row: Pick<CheckoutRow, 'buyer_id'>,
): Promise<string | null> {
  if (!row.buyer_id) return null;
  const buyer = await db
    .selectFrom('buyers')
    .select('stripe_customer_id')
    .where('id', '=', row.buyer_id)
    .executeTakeFirst();
  return buyer?.stripe_customer_id ?? null;
}

export class CheckoutBuyers {
  private readonly log: Logger;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly wallet: WalletService,
    private readonly payments: PaymentProvider,
  ) {
    this.log = ctx.log.child({ scope: 'wallet' });
  }

  /** The buyer a `Buyer-Session` header names: null without one, `401` for a bad one. */
  async session(token: string | undefined): Promise<BuyerRef> {
    if (token === undefined) return null;
    if (!this.wallet.enabled) throw sessionRefused('saved details are off on this endpoint');
    try {
      return await this.wallet.authenticate(token.trim());
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'unauthorized')
        throw sessionRefused('unknown or expired');
      throw err;
    }
  }

  /**
   * What a new checkout starts with. A chosen `savedAddressId` (or a typed address) wins; a
   * signed-in buyer who sent neither gets their most recently used address, and the wallet's
   * email when none was typed, so a returning buyer's checkout opens ready to pay.
   */
  async starting(
    body: CreateCheckoutBody,
    buyer: BuyerRef,
    kind: ProductKind,
  ): Promise<Destination> {
    const typed: Destination = {
      email: body.email ?? null,
      address: kind === 'physical' ? (body.shippingAddress ?? null) : null,
      savedAddressId: null,
    };
    if (!buyer) {
      if (body.savedAddressId !== undefined) throw noSuchAddress();
      return typed;
    }
    const chosen =
      body.savedAddressId !== undefined
        ? await this.savedAddress(buyer.buyerId, body.savedAddressId)
        : body.shippingAddress === undefined && kind === 'physical'
          ? await this.wallet.latestAddress(buyer.buyerId)
          : null;
    return {
      email: typed.email ?? (await this.wallet.email(buyer.buyerId)),
      address: kind === 'physical' ? (chosen?.address ?? typed.address) : null,
      savedAddressId: kind === 'physical' ? (chosen?.id ?? null) : null,
    };
  }

  /**
   * A change that picks a saved address: it must be a saved address of the buyer the checkout
   * is bound to, and the call must carry that buyer's session. The wallet's email comes along
   * when the checkout has none yet.
   */
  async chosen(row: CheckoutRow, buyer: BuyerRef, savedAddressId: string) {
    if (!this.mine(row, buyer)) throw noSuchAddress();
    const found = await this.savedAddress(buyer.buyerId, savedAddressId);
    const email = row.email ?? (await this.wallet.email(buyer.buyerId));
    return { ...found, email };
  }

  /** The payment provider's customer for a new checkout of this buyer (made on first need). */
  async paymentCustomer(buyer: BuyerRef): Promise<string | null> {
    if (!buyer || !this.payments.customerSession) return null;
    return this.wallet.paymentCustomer(buyer.buyerId);
  }

  /**
   * The page's payment input, with a saved test card resolved to what paying with it does.
   * Saving a card, or paying with a saved one, takes the session of the checkout's buyer.
   */
  async paymentInput(
    row: CheckoutRow,
    buyer: BuyerRef,
    input: ConfirmCheckoutBody['payment'],
  ): Promise<PaymentInput> {
    if (input.provider !== 'test') return input;
    const mine = this.mine(row, buyer);
    if (input.saveCard && !mine)
      throw invalid(
        [
          {
            field: 'payment.saveCard',
            message: 'needs the Buyer-Session of this checkout’s buyer',
          },
        ],
        'Only a signed-in buyer can save a card',
      );
    if (input.savedPaymentMethodId === undefined) return input;
    const saved = mine
      ? await this.wallet.savedTestCard(buyer.buyerId, input.savedPaymentMethodId)
      : null;
    if (!saved)
      throw new ServiceError('not_found', 'Saved payment method not found', {
        errors: [
          { field: 'payment.savedPaymentMethodId', message: 'no such saved card for this buyer' },
        ],
      });
    return { ...input, savedOutcome: saved.outcome };
  }

  /** After a confirmation: a test card that paid is saved when the buyer ticked "save". */
  async afterPayment(row: CheckoutRow, buyer: BuyerRef, input: ConfirmCheckoutBody['payment']) {
    if (input.provider !== 'test' || !input.saveCard || !input.card || row.status !== 'paid')
      return;
    if (!this.mine(row, buyer)) return;
    try {
      await this.wallet.saveTestCard(buyer.buyerId, input.card);
      this.log.info({ buyer: buyer.buyerId, checkout: row.id }, 'a test card is saved');
    } catch (err) {
      // The order stands; only the card is not remembered.
      this.log.error({ err, checkout: row.id }, 'saving the test card failed');
    }
  }

  /**
   * The answer for this call: with the wallet (masked) when the call carried the session of the
   * buyer the checkout is bound to, and with Stripe a fresh Customer Session secret for an open
   * checkout. Never part of what is stored for idempotent replays: applied to each answer.
   */
  async present(checkout: Checkout, buyer: BuyerRef): Promise<Checkout> {
    if (!buyer) return checkout;
    const row = await findCheckout(this.ctx.db, checkout.id);
    if (!row || !this.mine(row, buyer)) return checkout;
    let wallet: Awaited<ReturnType<WalletService['wallet']>>;
    try {
      wallet = await this.wallet.wallet(buyer.buyerId);
    } catch (err) {
      // A wallet that cannot be opened, or Stripe unreachable: the checkout still works.
      this.log.error({ err, checkout: row.id }, 'reading the wallet for a checkout failed');
      return checkout;
    }
    const out: Checkout = {
      ...checkout,
      buyer: {
        email: wallet.email,
        addresses: wallet.addresses,
        paymentMethods: wallet.paymentMethods,
        emailSharedWithSeller: wallet.consents.some((c) => c.sellerId === row.seller_id),
        savedAddressId: row.buyer_address_id ?? null,
      },
    };
    if (out.payment.provider === 'stripe' && row.status === 'open' && this.payments.customerSession)
      try {
        const customer = await this.wallet.paymentCustomer(buyer.buyerId);
        if (customer)
          out.payment = {
            ...out.payment,
            customerSessionClientSecret: await this.payments.customerSession(customer),
          };
      } catch (err) {
        // Without it the Payment Element shows no saved cards; paying still works.
        this.log.error({ err, checkout: row.id }, 'making a customer session failed');
      }
    return out;
  }

  /**
   * What the order's writing does for the wallet: in its transaction, a ticked share-email
   * becomes the buyer's consent for that seller (so a consent exists exactly when an order
   * carried the email); once committed, the address shipped to is kept in the wallet.
   */
  orderHooks(): OrderHooks {
    return {
      written: async (trx: Transaction<Database>, c: CheckoutRow, order: OrderRow, now: Date) => {
        if (!c.buyer_id || order.email === null) return;
        await grantConsent(trx, c.buyer_id, c.seller_id, now);
        this.log.info(
          { buyer: c.buyer_id, seller: c.seller_id, order: order.id },
          'the buyer lets this seller see their email',
        );
      },
      committed: async (c: CheckoutRow) => {
        const address = parseAddress(c.shipping_address);
        if (!c.buyer_id || !address || !this.wallet.enabled) return;
        await this.wallet.rememberAddress(c.buyer_id, {
          savedAddressId: c.buyer_address_id ?? null,
          address,
        });
        // Ids only: the address itself never reaches a log.
        this.log.info(
          { buyer: c.buyer_id, checkout: c.id, fromWallet: !!c.buyer_address_id },
          'the shipping address is kept in the wallet',
        );
      },
    };
  }

  private mine(row: Pick<CheckoutRow, 'buyer_id'>, buyer: BuyerRef): buyer is BuyerSessionRef {
    return buyer !== null && !!row.buyer_id && row.buyer_id === buyer.buyerId;
  }

  private async savedAddress(buyerId: string, id: string) {
    try {
      return { id, address: await this.wallet.shippingAddress(buyerId, id) };
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') throw noSuchAddress();
      throw err;
    }
  }
}
