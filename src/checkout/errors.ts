import type { I18n } from '../i18n/locale.ts';
import type { Messages } from '../i18n/messages.ts';
import { ProtocolError } from '../internal/client.ts';
import type { FlowError } from './machine.ts';

/** Any failure of a protocol call as a ProtocolError (a thrown TypeError is the network). */
export function asProtocolError(err: unknown): ProtocolError {
  return err instanceof ProtocolError ? err : new ProtocolError('network', 0, String(err));
}

/**
 * The reader's view of a failure: the endpoint's stable code, and a translated message that
 * says what to do next. The endpoint's own wording (English, for developers) is never shown,
 * except a decline reason this build has no translation for.
 */
export function describeError(err: unknown, i18n: I18n<Messages>, hasCheckout: boolean): FlowError {
  const e = asProtocolError(err);
  const { t } = i18n;
  // A checkout the endpoint no longer knows (or no longer lets us read) is, for the reader,
  // an expired one: the way forward is the same.
  const gone = e.code === 'not_found' || e.code === 'unauthorized';
  const code = gone && hasCheckout ? 'checkout_expired' : e.code;
  const decline = typeof e.problem?.declineCode === 'string' ? e.problem.declineCode : '';
  // The endpoint names the codes: own keys only (a `constructor` code is not a message).
  const own = <T>(table: Partial<Record<string, T>>, key: string) =>
    Object.hasOwn(table, key) ? table[key] : undefined;
  const messages: Partial<Record<string, string>> = {
    out_of_stock: t.errors.out_of_stock,
    variant_unavailable: t.errors.variant_unavailable,
    checkout_expired: t.errors.checkout_expired,
    payment_declined: t.errors.payment_declined(own(t.declines, decline) ?? e.message),
    payment_failed: t.errors.payment_failed,
    network: t.errors.network,
    internal_error: t.errors.network,
    does_not_ship: t.errors.does_not_ship,
    rate_limited: t.errors.rate_limited,
    origin_not_allowed: t.errors.origin_not_allowed,
    seller_not_ready: t.errors.seller_not_ready,
  };
  const fields = Object.fromEntries(e.fieldErrors.map((f) => [f.field, f.message]));
  const available = typeof e.problem?.available === 'number' ? e.problem.available : undefined;
  return {
    code,
    message: own(messages, code) ?? t.errors.generic,
    ...(Object.keys(fields).length ? { fields } : {}),
    ...(available !== undefined ? { available } : {}),
  };
}
