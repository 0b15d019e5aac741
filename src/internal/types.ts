/** Protocol types, imported from the endpoint's zod schemas with `import type` (zero bytes). */
export type {
  Checkout,
  CreateCheckoutBody,
  ErrorCode,
  Money,
  PaymentHandoff,
  Product,
  ShippingAddress,
  UpdateCheckoutBody,
  Variant,
} from '../../server/src/protocol/index.ts';

import type { ErrorCode } from '../../server/src/protocol/index.ts';

export type ProtocolErrorCode = ErrorCode | 'network' | 'aborted';
