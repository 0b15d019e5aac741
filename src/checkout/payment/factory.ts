import type { PaymentHandoff } from '../../internal/types.ts';
import { RedirectPaymentAdapter } from './redirect-adapter.ts';
import { StripePaymentAdapter } from './stripe-adapter.ts';
import { TestPaymentAdapter } from './test-adapter.ts';
import type { PaymentAdapter } from './types.ts';

/** The adapter for the endpoint's hand-off, or null for a provider this build cannot show. */
export function adapterFor(handoff: PaymentHandoff): PaymentAdapter | null {
  switch (handoff.provider) {
    case 'test':
      return new TestPaymentAdapter();
    case 'redirect':
      return new RedirectPaymentAdapter(handoff.url);
    case 'stripe':
      return new StripePaymentAdapter(handoff);
    default:
      return null;
  }
}
