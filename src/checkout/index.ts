import type { CreateCheckout } from '../internal/checkout-port.ts';
import { CheckoutDialogView } from './view.ts';

/**
 * The checkout chunk's entry: the one module the core imports (dynamically, on the reader's
 * first sign of interest). Everything else in checkout/ is reached from here.
 */
export const createCheckout: CreateCheckout = (host) => new CheckoutDialogView(host);
