import type { TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Checkout, PaymentHandoff } from '../../internal/types.ts';
import type { PaymentInput } from '../machine.ts';
import { RedirectPaymentAdapter } from './redirect-adapter.ts';
import { TestPaymentAdapter } from './test-adapter.ts';

/** What an adapter gets to render its part of the payment step. */
export interface PaymentContext {
  i18n: I18n;
  checkout: Checkout;
  busy: boolean;
  /** The adapter collected what is needed: move on to review. */
  ready(input: PaymentInput): void;
  requestUpdate(): void;
}

/**
 * The payment seam: one adapter per hand-off `provider` the endpoint may choose. The flow only
 * calls `render`; Stripe plugs in here later without touching the flow.
 */
export interface PaymentAdapter {
  render(ctx: PaymentContext): TemplateResult;
}

export function adapterFor(handoff: PaymentHandoff): PaymentAdapter {
  switch (handoff.provider) {
    case 'test':
      return new TestPaymentAdapter();
    case 'redirect':
      return new RedirectPaymentAdapter(handoff.url);
    default:
      // An endpoint offering a provider this build does not know: the hosted page is the
      // portable fallback, so say so rather than fail silently.
      throw new Error(`Unsupported payment provider "${handoff.provider}"`);
  }
}
