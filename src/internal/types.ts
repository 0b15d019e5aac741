/** Protocol types, imported from the endpoint's zod schemas with `import type` (zero bytes). */
export type {
  Checkout,
  ErrorCode,
  Money,
  PaymentHandoff,
  Product,
  ShippingAddress,
  Variant,
} from '../../server/src/protocol/index.ts';

import type { ErrorCode } from '../../server/src/protocol/index.ts';

export type ProtocolErrorCode = ErrorCode | 'network' | 'aborted';
