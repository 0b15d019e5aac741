/**
 * The invariants of issue 12's "defences for the whole class", checked two ways: on every HTTP
 * answer (never a 5xx; a 4xx is problem+json with a code of the protocol's enum) and by reading
 * the database directly, with its own connection (so a check never goes through the code it
 * checks): reserved units equal the open holds, stock never negative, a paid checkout has
 * exactly one order and an order a paid checkout, and nothing is left stuck after a sweep.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Problem } from '../../src/protocol/common.ts';

// ---------------------------------------------------------------------------------------------
// Reading the database

export interface DbReader {
  dialect: 'sqlite' | 'postgres';
  /** Runs SQL with `?` placeholders; numbers come back as numbers on both databases. */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A connection of the test's own to the database behind `databaseUrl` (as the server reads it). */
export async function openDbReader(databaseUrl: string): Promise<DbReader> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    url.searchParams.delete('application_name');
    // Counts, sums and the bigint money columns come back as strings unless told otherwise.
    const types = new pg.TypeOverrides();
    types.setTypeParser(pg.types.builtins.INT8, Number);
    types.setTypeParser(pg.types.builtins.NUMERIC, Number);
    const client = new pg.Client({
      connectionString: url.toString(),
      types,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // A fault test may cut this connection too; the test sees it on its next query.
    client.on('error', () => {});
    await client.connect();
    return {
      dialect: 'postgres',
      async all<T>(sql: string, params: unknown[] = []) {
        let n = 0;
        const res = await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
        return res.rows as T[];
      },
      close: () => client.end(),
    };
  }
  const db = new SQLite(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    dialect: 'sqlite',
    async all<T>(sql: string, params: unknown[] = []) {
      const stmt = db.prepare(sql);
      if (!stmt.reader) {
        stmt.run(...params);
        return [];
      }
      return stmt.all(...params) as T[];
    },
    async close() {
      db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants over the database

export interface Violation {
  invariant: string;
  detail: unknown;
}

/** Limits the checks to one seller's rows (a property run's own), or everything. */
export interface Scope {
  sellerId?: string;
}

const where = (scope: Scope, column: string) =>
  scope.sellerId
    ? { sql: ` AND ${column} = ?`, params: [scope.sellerId] }
    : { sql: '', params: [] };

/** `variants.reserved` equals the units held by open and processing checkouts, per variant. */
export async function reservedEqualsHolds(db: DbReader, scope: Scope = {}): Promise<Violation[]> {
  const w = where(scope, 'p.seller_id');
  const rows = await db.all<{ id: string; reserved: number; held: number }>(
    `SELECT v.id, v.reserved,
       (SELECT COALESCE(SUM(c.reserved_quantity), 0) FROM checkouts c
         WHERE c.variant_id = v.id AND c.status IN ('open', 'processing')) AS held
     FROM variants v JOIN products p ON p.id = v.product_id WHERE 1 = 1${w.sql}`,
    w.params,
  );
  const w2 = where(scope, 'seller_id');
  const closed = await db.all(
    `SELECT id, status, reserved_quantity FROM checkouts
     WHERE status NOT IN ('open', 'processing') AND reserved_quantity <> 0${w2.sql}`,
    w2.params,
  );
  return [
    ...rows
      .filter((r) => Number(r.reserved) !== Number(r.held))
      .map((detail) => ({ invariant: 'reserved units equal the open holds', detail })),
    ...closed.map((detail) => ({
      invariant: 'a closed checkout holds no units',
      detail,
    })),
  ];
}

/** Stock is never negative, and never less than what is reserved. */
export async function stockNeverNegative(db: DbReader, scope: Scope = {}): Promise<Violation[]> {
  const w = where(scope, 'p.seller_id');
  const rows = await db.all(
    `SELECT v.id, v.stock, v.reserved FROM variants v JOIN products p ON p.id = v.product_id
     WHERE (v.reserved < 0 OR (v.stock IS NOT NULL AND (v.stock < 0 OR v.reserved > v.stock)))${w.sql}`,
    w.params,
  );
  return rows.map((detail) => ({ invariant: 'stock never negative nor below reserved', detail }));
}

/** A paid checkout has exactly one order, linked both ways; an order belongs to a paid checkout. */
export async function paidIsOneOrder(db: DbReader, scope: Scope = {}): Promise<Violation[]> {
  const w = where(scope, 'c.seller_id');
  const checkouts = await db.all<{
    id: string;
    status: string;
    order_id: string | null;
    n: number;
    linked: number;
  }>(
    `SELECT c.id, c.status, c.order_id,
       (SELECT COUNT(*) FROM orders o WHERE o.checkout_id = c.id) AS n,
       (SELECT COUNT(*) FROM orders o WHERE o.id = c.order_id AND o.checkout_id = c.id) AS linked
     FROM checkouts c WHERE (c.status = 'paid' OR c.order_id IS NOT NULL OR
       EXISTS (SELECT 1 FROM orders o WHERE o.checkout_id = c.id))${w.sql}`,
    w.params,
  );
  const w2 = where(scope, 'o.seller_id');
  const orphans = await db.all(
    `SELECT o.id, o.checkout_id FROM orders o LEFT JOIN checkouts c ON c.id = o.checkout_id
     WHERE (c.id IS NULL OR c.status <> 'paid')${w2.sql}`,
    w2.params,
  );
  const mismatched = await db.all(
    `SELECT o.id, o.checkout_id, o.total, c.total AS checkout_total, o.quantity, c.quantity AS checkout_quantity
     FROM orders o JOIN checkouts c ON c.id = o.checkout_id
     WHERE (o.total <> c.total OR o.quantity <> c.quantity OR o.variant_id <> c.variant_id)${w2.sql}`,
    w2.params,
  );
  return [
    ...checkouts
      .filter(
        (c) => c.status !== 'paid' || Number(c.n) !== 1 || Number(c.linked) !== 1 || !c.order_id,
      )
      .map((detail) => ({ invariant: 'a paid checkout has exactly one order', detail })),
    ...orphans.map((detail) => ({ invariant: 'an order belongs to a paid checkout', detail })),
    ...mismatched.map((detail) => ({ invariant: 'an order is what its checkout was', detail })),
  ];
}

/** Every checkout the API said was paid (a 200 from confirm, status paid) has its order. */
export async function confirmedHaveOrders(
  db: DbReader,
  checkoutIds: Iterable<string>,
): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const id of checkoutIds) {
    const [row] = await db.all<{ n: number }>(
      'SELECT COUNT(*) AS n FROM orders WHERE checkout_id = ?',
      [id],
    );
    if (Number(row?.n) !== 1)
      out.push({
        invariant: 'every successful confirm is an order',
        detail: { checkout: id, orders: row?.n },
      });
  }
  return out;
}

/** A charge as Stripe (the fake Stripe API of test/doubles) keeps it. */
export interface ChargeRecord {
  id: string;
  status: string;
  amount: number;
  amount_refunded: number;
  payment_intent: string | null;
  metadata: Record<string, string>;
}

/**
 * Every payment taken is the order or is given back: per checkout, at most one charge kept (not
 * fully refunded); a kept charge has exactly one order, for its amount; an order has a kept charge.
 */
export async function everyChargeAnOrderOrRefund(
  db: DbReader,
  charges: Iterable<ChargeRecord>,
): Promise<Violation[]> {
  const byCheckout = new Map<string, ChargeRecord[]>();
  for (const c of charges) {
    if (c.status !== 'succeeded') continue;
    const id = c.metadata.checkout_id ?? '(no checkout)';
    byCheckout.set(id, [...(byCheckout.get(id) ?? []), c]);
  }
  const out: Violation[] = [];
  for (const [checkout, list] of byCheckout) {
    const kept = list.filter((c) => c.amount_refunded < c.amount);
    const orders = await db.all<{ id: string; total: number }>(
      'SELECT id, total FROM orders WHERE checkout_id = ?',
      [checkout],
    );
    const detail = {
      checkout,
      charges: list.map((c) => `${c.id} ${c.amount} refunded ${c.amount_refunded}`),
      orders,
    };
    if (kept.length > 1)
      out.push({ invariant: 'one payment kept per checkout, the rest refunded', detail });
    else if (kept.length === 1 && orders.length !== 1)
      out.push({ invariant: 'a payment kept is an order', detail });
    else if (kept.length === 1 && Number(orders[0]!.total) !== kept[0]!.amount)
      out.push({ invariant: "the payment kept is the order's total", detail });
    else if (kept.length === 0 && orders.length > 0)
      out.push({ invariant: 'an order has its payment', detail });
  }
  return out;
}

/**
 * What one sweep must leave nothing of, at `now` (an ISO time): a checkout held for payment
 * (every provider needs a way out of processing; with the clock an hour on, any bound has
 * passed), or an open checkout past its expiry still holding units.
 */
export async function stuckRows(
  db: DbReader,
  now: string,
  scope: Scope = {},
): Promise<Violation[]> {
  const w = where(scope, 'seller_id');
  const processing = await db.all(
    `SELECT id, status, updated_at, reserved_quantity FROM checkouts WHERE status = 'processing'${w.sql}`,
    w.params,
  );
  const lapsed = await db.all(
    `SELECT id, status, expires_at, reserved_quantity FROM checkouts
     WHERE status = 'open' AND expires_at <= ?${w.sql}`,
    [now, ...w.params],
  );
  return [
    ...processing.map((detail) => ({ invariant: 'nothing stuck in processing', detail })),
    ...lapsed.map((detail) => ({ invariant: 'no lapsed hold left open', detail })),
  ];
}

/** The data invariants every test checks after a run or a fault. */
export async function dataInvariants(db: DbReader, scope: Scope = {}): Promise<Violation[]> {
  return [
    ...(await reservedEqualsHolds(db, scope)),
    ...(await stockNeverNegative(db, scope)),
    ...(await paidIsOneOrder(db, scope)),
  ];
}

export function formatViolations(violations: Violation[]): string {
  return violations
    .slice(0, 10)
    .map((v) => `  - ${v.invariant}: ${JSON.stringify(v.detail)}`)
    .join('\n')
    .concat(violations.length > 10 ? `\n  … and ${violations.length - 10} more` : '');
}

// ---------------------------------------------------------------------------------------------
// Invariants over HTTP answers

export interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

/**
 * Checks one answer. `allow5xx` is for fault tests, where a 5xx is the honest answer while the
 * disk is full or the database away — it must still be problem+json with a known code.
 * Returns what is wrong, or null.
 */
export function answerProblem(x: Exchange, { allow5xx = false } = {}): string | null {
  if (x.status >= 500 && !allow5xx) return `a ${x.status} (never a 5xx)`;
  if (x.status < 400) return null;
  if (x.method === 'HEAD') return null; // no body to look at
  if (!/^application\/problem\+json\b/.test(x.contentType ?? ''))
    return `a ${x.status} with Content-Type ${x.contentType} (must be application/problem+json)`;
  const parsed = Problem.safeParse(x.body);
  if (!parsed.success)
    return `a ${x.status} whose body is not a problem with a known code: ${JSON.stringify(x.body)?.slice(0, 300)}`;
  if (parsed.data.status !== x.status)
    return `a ${x.status} whose problem says status ${parsed.data.status}`;
  return null;
}

/** Own properties added to the built-in prototypes since `before` (prototype pollution). */
export function prototypeSnapshot() {
  return {
    object: Object.getOwnPropertyNames(Object.prototype).join(','),
    array: Object.getOwnPropertyNames(Array.prototype).join(','),
  };
}
