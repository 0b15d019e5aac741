import { type Logger, pino } from 'pino';

/**
 * The server's one logger. Everything the endpoint logs goes through here, so one place decides
 * what may reach a log file: secrets (Stripe client secrets and keys, tokens, passwords) and
 * buyers' personal data (emails, addresses, card details) never do. Stripe's error objects carry
 * the whole PaymentIntent — client secret and receipt email included — so errors are reduced to
 * what helps an operator (type, code, message, Stripe's request id, stack) and every string is
 * scrubbed of anything shaped like a secret or an email address.
 *
 * Production writes one JSON object a line (for a log shipper); development and test write a
 * short human line with the same redaction.
 */
export type { Logger };

/** Keys whose values are never logged, at any depth. */
const SECRET_KEY =
  /secret|password|passcode|token|authorization|cookie|api_?key|e_?mail|phone|address|billing|shipping|card|cvc|iban/i;

/** Values shaped like a secret or an email address, wherever they appear in a string. */
const SECRET_TEXT: [RegExp, string][] = [
  [/\b(pi|seti|cs|cuss|cs_test|cs_live)_[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g, '[client secret]'],
  [/\b(sk|rk|pk)_(test|live)_[A-Za-z0-9]+/g, '[stripe key]'],
  [/\bwhsec_[A-Za-z0-9]+/g, '[webhook secret]'],
  [/\bbip_(sk|ct|sess)_[A-Za-z0-9_-]+/g, '[token]'],
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g, '[email]'],
];

/** `text` with every secret-shaped or email-shaped part replaced by a label. */
export function scrub(text: string): string {
  let out = text;
  for (const [pattern, label] of SECRET_TEXT) out = out.replace(pattern, label);
  return out;
}

/** A copy of `value` safe to log: secret keys censored, strings scrubbed, errors reduced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (value instanceof Error) return serializeError(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  // No prototype: a key named `__proto__` is then an ordinary field, not the copy's prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && v !== null && v !== undefined ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

/**
 * What an operator needs of an error, and nothing that could hold a secret: Stripe's errors keep
 * the raw API answer (`raw`, `payment_intent`, `headers`), which are dropped.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrub(String(err)) };
  const e = err as Error & {
    code?: unknown;
    type?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    decline_code?: unknown;
    cause?: unknown;
  };
  const out: Record<string, unknown> = { name: e.name, message: scrub(e.message) };
  for (const key of ['code', 'type', 'statusCode', 'requestId', 'decline_code'] as const) {
    if (typeof e[key] === 'string' || typeof e[key] === 'number') out[key] = e[key];
  }
  if (e.stack) out.stack = scrub(e.stack);
  if (e.cause !== undefined) out.cause = serializeError(e.cause);
  return out;
}

export interface LoggerOptions {
  /** `production`: JSON lines. Otherwise one readable line an entry. */
  mode: 'development' | 'production' | 'test';
  /** Defaults to `info`; `BIP_LOG_LEVEL` sets it. */
  level?: string;
  /** Where lines go (stdout by default; tests pass a collector). */
  destination?: { write(line: string): void };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A human line (`error [stripe] refund failed {…}`) from pino's JSON line. */
function readable(out: { write(line: string): void }) {
  return {
    write(line: string) {
      const {
        level,
        msg,
        time: _time,
        pid: _pid,
        hostname: _host,
        scope,
        ...rest
      } = JSON.parse(line);
      const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
      const prefix = scope ? `[${scope}] ` : '';
      out.write(`${LEVEL_NAMES[level] ?? level} ${prefix}${msg ?? ''}${extra}\n`);
    },
  };
}

/** The server's logger: child loggers (`log.child({ scope: 'stripe' })`) share its redaction. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.mode === 'production' ? { pid: process.pid } : {},
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
      hooks: {
        // The message itself is scrubbed too: `log.error(`refund for ${email} failed`)`.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    options.mode === 'production' ? destination : readable(destination),
  );
}
