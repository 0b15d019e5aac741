// Every requirement of protocol v1 the kit checks: its id, its level (RFC 2119) and where
// docs/protocol.md states it. The ids are the anchors of the requirement list at the end of
// docs/protocol.md (`#req-lookup-order`), so a report links each one to its text.

export type Level = 'MUST' | 'SHOULD';

export const GROUPS = [
  'platform',
  'lookups',
  'checkouts',
  'idempotency',
  'stock',
  'errors',
  'cors',
  'webhooks',
  'downloads',
] as const;
export type Group = (typeof GROUPS)[number];

export interface Requirement {
  id: string;
  level: Level;
  group: Group;
  /** The requirement in one sentence. */
  text: string;
}

const r = (id: string, level: Level, group: Group, text: string): Requirement => ({
  id,
  level,
  group,
  text,
});

export const REQUIREMENTS: readonly Requirement[] = [
  r('PLATFORM-HEALTH', 'MUST', 'platform', 'GET /v1/health answers 200 with status "ok"'),
  r(
    'PLATFORM-VERSIONS',
    'SHOULD',
    'platform',
    '/v1/health lists the protocol versions served (protocols, with "1")',
  ),
  r(
    'PLATFORM-OPENAPI',
    'SHOULD',
    'platform',
    'GET /v1/openapi.json serves an OpenAPI 3.1 document',
  ),
  r(
    'SCHEMA-ANSWERS',
    'MUST',
    'platform',
    'every answer matches the OpenAPI document (status, media type, schema)',
  ),
  r(
    'LOOKUP-ORDER',
    'MUST',
    'lookups',
    'a batch look-up lists the products found in the order asked, repeats collapsed',
  ),
  r(
    'LOOKUP-MISSING',
    'MUST',
    'lookups',
    'unknown ids of a batch are listed in missing, not an error',
  ),
  r(
    'LOOKUP-LIMIT',
    'MUST',
    'lookups',
    'a batch takes up to 50 ids; more is 422 validation_failed on query.ids',
  ),
  r(
    'LOOKUP-ONE',
    'MUST',
    'lookups',
    'GET /v1/products/{id} answers the product; an unknown id is 404 not_found',
  ),
  r(
    'LOOKUP-ETAG',
    'MUST',
    'lookups',
    'look-ups send an ETag; a matching If-None-Match is 304 with no body',
  ),
  r(
    'LOOKUP-CACHE',
    'SHOULD',
    'lookups',
    'look-ups are cacheable: Cache-Control public with a max-age',
  ),
  r(
    'LOOKUP-FRESH',
    'MUST',
    'lookups',
    'a look-up sent with Cache-Control: no-cache shows a seller’s change at once',
  ),
  r(
    'CHECKOUT-CREATE',
    'MUST',
    'checkouts',
    'POST /v1/checkouts answers 201: open, a clientToken, an expiry, the units reserved',
  ),
  r(
    'CHECKOUT-TOTALS',
    'MUST',
    'checkouts',
    'totals are computed by the endpoint and add up (subtotal, shipping, tax, total)',
  ),
  r(
    'CHECKOUT-AUTH',
    'MUST',
    'checkouts',
    'checkout calls need the clientToken: none is 401, a wrong one 404',
  ),
  r(
    'CHECKOUT-QUANTITY',
    'MUST',
    'checkouts',
    'PATCH quantity recomputes the totals and moves the reservation',
  ),
  r(
    'CHECKOUT-OPTIONS',
    'MUST',
    'checkouts',
    'PATCH variantId (another option) reprices; another product’s variant is 422 variant_unavailable',
  ),
  r(
    'CHECKOUT-ADDRESS',
    'MUST',
    'checkouts',
    'a shipping address prices shipping and tax; an unserved country is 422 does_not_ship and changes nothing',
  ),
  r('CHECKOUT-NO-STORE', 'MUST', 'checkouts', 'checkout answers are Cache-Control: no-store'),
  r(
    'CHECKOUT-EXPIRY',
    'MUST',
    'checkouts',
    'past expiresAt the checkout reads expired, a change is 410 checkout_expired, the units are back',
  ),
  r(
    'CHECKOUT-CANCEL',
    'MUST',
    'checkouts',
    'DELETE cancels and releases the units; cancelling again answers it unchanged',
  ),
  r(
    'CHECKOUT-CONFIRM',
    'MUST',
    'checkouts',
    'confirm with 4242 4242 4242 4242 pays: an order number, the units sold, no more changes (409)',
  ),
  r(
    'CHECKOUT-DECLINE',
    'MUST',
    'checkouts',
    'the declining test cards are 402 payment_declined with their declineCode; the checkout stays open',
  ),
  r(
    'IDEMPOTENCY-REQUIRED',
    'MUST',
    'idempotency',
    'POST /v1/checkouts without Idempotency-Key is 400 idempotency_key_required',
  ),
  r(
    'IDEMPOTENCY-REPLAY',
    'MUST',
    'idempotency',
    'the same key and body get the same answer with Idempotent-Replayed: true, and nothing runs twice',
  ),
  r(
    'IDEMPOTENCY-CONFLICT',
    'MUST',
    'idempotency',
    'the same key with another body is 422 idempotency_conflict',
  ),
  r(
    'IDEMPOTENCY-IN-FLIGHT',
    'MUST',
    'idempotency',
    'repeats sent at once never run twice: each is replayed, or 409 idempotency_in_progress with Retry-After while the first runs',
  ),
  r(
    'STOCK-NO-OVERSELL',
    'MUST',
    'stock',
    '50 concurrent buyers of a variant with 5 units: exactly 5 checkouts, the rest 409 out_of_stock',
  ),
  r(
    'ERROR-PROBLEM',
    'MUST',
    'errors',
    'every error is application/problem+json with type, title, status and a documented code',
  ),
  r(
    'ERROR-CODES',
    'MUST',
    'errors',
    'documented failures answer their documented status and code (404, 415, 400, 422 with errors[])',
  ),
  r(
    'ERROR-STRICT',
    'MUST',
    'errors',
    'request bodies are strict: an unknown field (a price) is 422 validation_failed',
  ),
  r(
    'CORS-ALLOWED',
    'MUST',
    'cors',
    'an allowed origin is echoed with Vary: Origin and the protocol’s headers exposed',
  ),
  r(
    'CORS-PREFLIGHT',
    'MUST',
    'cors',
    'a preflight from an allowed origin allows the protocol’s methods and headers',
  ),
  r(
    'CORS-REFUSED',
    'MUST',
    'cors',
    'an origin no seller allows gets no Access-Control-Allow-Origin, and its checkouts are 403 origin_not_allowed',
  ),
  r(
    'WEBHOOK-DELIVERY',
    'MUST',
    'webhooks',
    'a paid order is POSTed to the seller’s webhookUrl as order.paid, with its event id and type headers',
  ),
  r(
    'WEBHOOK-SIGNATURE',
    'MUST',
    'webhooks',
    'BuyInPost-Signature is t=<seconds>,v1=HMAC-SHA256(secret, t.body), t current',
  ),
  r(
    'WEBHOOK-RETRY',
    'MUST',
    'webhooks',
    'a failed delivery is retried: the same event id again, freshly signed',
  ),
  r(
    'DOWNLOAD-SIGNED',
    'MUST',
    'downloads',
    'a paid digital order’s downloadUrl serves the file privately; an altered link is 404 not_found',
  ),
  r(
    'DOWNLOAD-EXPIRING',
    'MUST',
    'downloads',
    'download links expire (the signed token carries an expiry)',
  ),
];

export const byId = new Map(REQUIREMENTS.map((q) => [q.id, q]));

/** The anchor of a requirement in docs/protocol.md. */
export const anchor = (id: string) => `req-${id.toLowerCase()}`;
