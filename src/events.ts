import type { Money, ProtocolErrorCode } from './internal/types.ts';

/**
 * Every event <buy-in-post> fires: prefix `buy-in-post-`, bubbling and composed (they cross
 * shadow roots, so a host page can listen on `document`), typed fields.
 */
abstract class BuyInPostEvent extends Event {
  constructor(type: string, init: EventInit = {}) {
    super(type, { bubbles: true, composed: true, ...init });
  }
}

/** The checkout dialog opened (the reader pressed Buy). */
export class BuyInPostOpenEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-open';
  constructor(readonly productId: string) {
    super(BuyInPostOpenEvent.type);
  }
}

/** The reader chose another option (size, colour…) or quantity. */
export class BuyInPostOptionChangeEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-option-change';
  constructor(
    readonly productId: string,
    readonly variantId: string | null,
    readonly options: Record<string, string>,
    readonly quantity: number,
  ) {
    super(BuyInPostOptionChangeEvent.type);
  }
}

/** A checkout was created on the endpoint (stock reserved). */
export class BuyInPostCheckoutStartEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-checkout-start';
  constructor(
    readonly productId: string,
    readonly variantId: string,
    readonly quantity: number,
    readonly checkoutId: string,
  ) {
    super(BuyInPostCheckoutStartEvent.type);
  }
}

/** The order is paid and sent to the seller. */
export class BuyInPostPurchaseEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-purchase';
  constructor(
    readonly orderNumber: string,
    readonly total: Money,
    readonly productId: string,
    readonly variantId: string,
    readonly quantity: number,
  ) {
    super(BuyInPostPurchaseEvent.type);
  }
}

/** Something failed; `code` is the endpoint's stable error code (or `network`). */
export class BuyInPostErrorEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-error';
  constructor(
    readonly code: ProtocolErrorCode,
    readonly message: string,
  ) {
    super(BuyInPostErrorEvent.type);
  }
}

/** The dialog closed (the reader may come back: an open checkout is kept). */
export class BuyInPostCloseEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-close';
  constructor(readonly productId: string) {
    super(BuyInPostCloseEvent.type);
  }
}

/** The reader signed in to their saved details: with an emailed code, or the host's buyer token. */
export class BuyInPostSignedInEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-signed-in';
  constructor(readonly method: 'code' | 'host-token') {
    super(BuyInPostSignedInEvent.type);
  }
}

/**
 * The reader deleted saved details from the "Saved details" panel: one address, one card, or
 * everything (the whole wallet, at the endpoint).
 */
export class BuyInPostDetailsDeletedEvent extends BuyInPostEvent {
  static readonly type = 'buy-in-post-details-deleted';
  constructor(readonly what: 'address' | 'payment-method' | 'everything') {
    super(BuyInPostDetailsDeletedEvent.type);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'buy-in-post-open': BuyInPostOpenEvent;
    'buy-in-post-option-change': BuyInPostOptionChangeEvent;
    'buy-in-post-checkout-start': BuyInPostCheckoutStartEvent;
    'buy-in-post-purchase': BuyInPostPurchaseEvent;
    'buy-in-post-error': BuyInPostErrorEvent;
    'buy-in-post-close': BuyInPostCloseEvent;
    'buy-in-post-signed-in': BuyInPostSignedInEvent;
    'buy-in-post-details-deleted': BuyInPostDetailsDeletedEvent;
  }
}
