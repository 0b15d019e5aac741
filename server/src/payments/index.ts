import { type Config, ConfigError } from '../config.ts';
import type { PaymentProvider } from './provider.ts';
import { StripePaymentProvider } from './stripe-provider.ts';
import { TestPaymentProvider } from './test-provider.ts';

/** Chooses the payment provider from configuration: Stripe when its keys are set. */
export function createPaymentProvider(config: Config): PaymentProvider {
  if (config.stripe) return new StripePaymentProvider(config.stripe);
  if (config.mode === 'production' && !config.allowTestPayments) {
    throw new ConfigError(
      'Invalid configuration:\n  BIP_ALLOW_TEST_PAYMENTS: no payment provider is configured and the test provider is refused in production; set Stripe keys, or BIP_ALLOW_TEST_PAYMENTS=true to take test payments on purpose',
    );
  }
  return new TestPaymentProvider();
}
