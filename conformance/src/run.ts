// Runs the checks of the selected groups against an endpoint and collects one result per
// requirement. What a check needs on the endpoint (products, shipping zones, tax rates, allowed
// origins, a webhook URL) it sets up through the seller API, and puts back afterwards.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkCheckouts, startExpiry } from './checks/checkouts.ts';
import { checkCors } from './checks/cors.ts';
import { checkDownloads } from './checks/downloads.ts';
import { checkErrors, checkObservedErrors } from './checks/errors.ts';
import { checkIdempotency } from './checks/idempotency.ts';
import { checkLookups } from './checks/lookups.ts';
import { checkObservedSchemas, checkPlatform } from './checks/platform.ts';
import { checkStock } from './checks/stock.ts';
import { startWebhooks } from './checks/webhooks.ts';
import { Client } from './http.ts';
import { anchor, GROUPS, type Group, type Level, REQUIREMENTS } from './requirements.ts';
import { type OpenApiDocument, ProtocolSchemas } from './schemas.ts';
import { setUp } from './setup.ts';

export interface Options {
  /** The endpoint's address, without `/v1`: `http://localhost:8787`. */
  endpoint: string;
  sellerKey: string;
  /** Groups or requirement ids to run (all when empty). */
  only?: string[];
  /** The seller's webhook secret, when the endpoint does not serve `GET /v1/seller/webhook-secret`. */
  webhookSecret?: string;
  /** The longest the kit waits for something to happen (a reservation to lapse, a retry). */
  waitSeconds?: number;
  /** Where the endpoint can reach the kit's webhook receiver (default: on this machine). */
  receiverUrl?: string;
  /** Another OpenAPI document than the protocol's own (`conformance/openapi.json`). */
  openapi?: string;
  /** Where requirement links point: the protocol page. */
  docs?: string;
}

export type Status = 'pass' | 'fail' | 'skip';

export interface Result {
  id: string;
  level: Level;
  group: Group;
  text: string;
  status: Status;
  detail?: string;
  link: string;
}

export interface Report {
  endpoint: string;
  startedAt: string;
  seconds: number;
  results: Result[];
  notes: string[];
  passed: boolean;
}

/** A requirement found not met: the message says what was seen. */
export class Failure extends Error {}
/** A requirement that cannot be checked here: the message says why. */
export class Skip extends Error {}

export function must(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

/** Records the outcome of each requirement the run checks. */
export class Recorder {
  readonly outcomes = new Map<string, { status: Status; detail?: string }>();
  constructor(private readonly selected: Set<string>) {}

  wants(id: string): boolean {
    return this.selected.has(id);
  }

  /** Runs `check` for `id` (if selected): it passes unless it throws. */
  async verify(id: string, check: () => Promise<string | undefined>): Promise<boolean> {
    if (!this.selected.has(id)) return false;
    try {
      const detail = await check();
      this.outcomes.set(id, { status: 'pass', ...(detail ? { detail } : {}) });
      return true;
    } catch (err) {
      if (err instanceof Skip) this.outcomes.set(id, { status: 'skip', detail: err.message });
      else
        this.outcomes.set(id, {
          status: 'fail',
          detail: err instanceof Failure ? err.message : `the check broke: ${String(err)}`,
        });
      return false;
    }
  }

  skip(ids: string[], why: string) {
    for (const id of ids)
      if (this.selected.has(id) && !this.outcomes.has(id))
        this.outcomes.set(id, { status: 'skip', detail: why });
  }
}

export const idempotencyKey = () => randomUUID();

export function loadDocument(path?: string): OpenApiDocument {
  const file = path ?? new URL('../openapi.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
}

/** The requirement ids `only` selects: group names and ids, any case. */
export function select(only: string[] | undefined): Set<string> {
  if (!only?.length) return new Set(REQUIREMENTS.map((q) => q.id));
  const wanted = only.map((o) => o.trim().toLowerCase()).filter(Boolean);
  const unknown = wanted.filter(
    (w) =>
      !(GROUPS as readonly string[]).includes(w) &&
      !REQUIREMENTS.some((q) => q.id.toLowerCase() === w),
  );
  if (unknown.length)
    throw new Error(`--only: unknown ${unknown.join(', ')} (groups: ${GROUPS.join(', ')})`);
  return new Set(
    REQUIREMENTS.filter((q) => wanted.includes(q.group) || wanted.includes(q.id.toLowerCase())).map(
      (q) => q.id,
    ),
  );
}

export async function runConformance(options: Options): Promise<Report> {
  const started = Date.now();
  const selected = select(options.only);
  // The requirements on every answer are judged on the traffic of the checks selected with them,
  // or of every check when they are asked for alone.
  const judgesAll =
    (selected.has('SCHEMA-ANSWERS') || selected.has('ERROR-PROBLEM')) &&
    [...selected].every((id) => id === 'SCHEMA-ANSWERS' || id === 'ERROR-PROBLEM');
  const rec = new Recorder(judgesAll ? select(undefined) : selected);
  const schemas = new ProtocolSchemas(loadDocument(options.openapi));
  const endpoint = options.endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
  const client = new Client(`${endpoint}/v1`, schemas);
  const notes: string[] = [];
  const waitSeconds = options.waitSeconds ?? 90;

  await checkPlatform(client, rec);
  const needsSetup = judgesAll || [...selected].some((id) => !id.startsWith('PLATFORM'));
  if (needsSetup) {
    const ctx = await setUp(client, options, notes);
    try {
      const webhooks = await startWebhooks(ctx, rec, options, waitSeconds);
      const expiry = await startExpiry(ctx, rec, waitSeconds);
      await checkLookups(ctx, rec);
      await checkErrors(ctx, rec);
      await checkCors(ctx, rec);
      await checkCheckouts(ctx, rec);
      await checkIdempotency(ctx, rec);
      await checkDownloads(ctx, rec);
      await checkStock(ctx, rec);
      await expiry.finish();
      await webhooks.finish();
    } finally {
      await ctx.tearDown();
    }
  }
  // The requirements on every answer, judged on all the kit saw.
  await checkObservedSchemas(client, rec);
  await checkObservedErrors(client, rec);
  if (client.waitedSeconds)
    notes.push(`the endpoint rate-limited the kit; it waited ${client.waitedSeconds} s in all`);

  const docs = options.docs ?? 'docs/protocol.md';
  const results: Result[] = REQUIREMENTS.filter((q) => selected.has(q.id)).map((q) => {
    const outcome = rec.outcomes.get(q.id) ?? { status: 'skip' as const, detail: 'not reached' };
    return { ...q, ...outcome, link: `${docs}#${anchor(q.id)}` };
  });
  return {
    endpoint,
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    results,
    notes,
    passed: !results.some((r) => r.status === 'fail' && r.level === 'MUST'),
  };
}
