import { stripeClient } from '../payments/stripe-client.ts';
import type { ServiceContext } from '../services/context.ts';
import { DevMailbox, type Mailer, SmtpMailer } from './mailer.ts';
import { type PaymentMethodStore, TestPaymentMethodStore } from './payment-methods.ts';
import { WalletService } from './service.ts';
import { StripePaymentMethodStore } from './stripe-payment-methods.ts';

export type { WalletConfig } from './config.ts';
export type {
  PaymentMethodStore,
  SavedPaymentMethod,
  SavedTestCard,
  WalletOwner,
} from './payment-methods.ts';
export type { BuyerSessionRef, RotationReport } from './service.ts';
export { WalletService };

export interface Wallet {
  service: WalletService;
  /** The development mailbox, when codes are kept in memory instead of mailed. */
  mailbox: DevMailbox | null;
  /** Where sign-in codes go (the seller dashboard's too); null: nowhere (production without SMTP). */
  mailer: Mailer | null;
}

/**
 * The wallet as configured: SMTP when `BIP_SMTP_URL` is set; otherwise, outside production, an
 * in-memory mailbox (logged in development); in production without SMTP, no email codes.
 * Saved cards live with Stripe (a Customer per buyer) when Stripe is configured, otherwise in
 * the test provider's store (docs/wallet.md).
 */
export function createWallet(ctx: ServiceContext, hooks: { onEvent?: () => void } = {}): Wallet {
  const { config } = ctx;
  const log = ctx.log.child({ scope: 'wallet' });
  let mailer: Mailer | null = null;
  if (config.wallet.smtp) mailer = new SmtpMailer(config.wallet.smtp.url, config.wallet.smtp.from);
  else if (config.mode !== 'production')
    mailer = new DevMailbox(ctx.clock, config.mode === 'development' ? log : null);
  const service = new WalletService(ctx, {
    keys: config.wallet.keys,
    mailer,
    issuers: config.wallet.issuers,
    paymentMethods: paymentMethodStore(ctx),
    audience: () => config.publicUrl,
    log,
    ...(hooks.onEvent ? { onEvent: hooks.onEvent } : {}),
  });
  if (!service.enabled)
    log.warn('saved details are off: BIP_WALLET_KEYS is not set (required in production)');
  return { service, mailbox: mailer instanceof DevMailbox ? mailer : null, mailer };
}

function paymentMethodStore(ctx: ServiceContext): PaymentMethodStore {
  const stripe = ctx.config.stripe;
  return stripe
    ? new StripePaymentMethodStore(stripeClient(stripe), ctx.db, ctx.clock)
    : new TestPaymentMethodStore(ctx.db, ctx.clock);
}
