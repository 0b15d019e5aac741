// Validates answers against the protocol's OpenAPI 3.1 document with Ajv (JSON Schema 2020-12,
// the dialect OpenAPI 3.1 uses). The document is compiled once; each (operation, status, media
// type) gets its validator on first use.
import AjvModule, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// CommonJS modules: under NodeNext their default import is `module.exports`.
const Ajv2020 = AjvModule.default;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** What validating one answer found: `ok`, or what is wrong with it, for a person. */
export type Verdict =
  | { ok: true; operation: string }
  | { ok: false; operation: string; why: string };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A path template (`/checkouts/{id}`) as a pattern matching concrete paths. */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}$`);
}

export class ProtocolSchemas {
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly routes: { template: string; pattern: RegExp; literal: number }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    // strict: false — the document carries OpenAPI keywords (`example`, `discriminator`…) that
    // are annotations to JSON Schema, not errors.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, 'oas');
    // The more literal template wins: `/checkouts/{id}/confirm` over `/checkouts/{id}`.
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: templatePattern(template),
        literal: template.replace(/\{[^}]+\}/g, '').length,
      }))
      .sort((a, b) => b.literal - a.literal);
  }

  /** The documented operation answering `method path` (a path under the version prefix). */
  operation(method: string, path: string): { template: string; operation: Operation } | null {
    const m = method.toLowerCase();
    if (!(METHODS as readonly string[]).includes(m)) return null;
    for (const route of this.routes) {
      const operation = this.document.paths[route.template]?.[m];
      if (operation && route.pattern.test(path)) return { template: route.template, operation };
    }
    return null;
  }

  /**
   * Checks one answer. An error answer whose status the operation does not document is held to
   * the Problem schema: every route may answer the protocol's generic errors (400 malformed
   * JSON, 413, 415, 429, 5xx — docs/protocol.md#errors).
   */
  check(method: string, path: string, status: number, mediaType: string, body: unknown): Verdict {
    // A preflight and the document itself are protocol (docs/protocol.md) but not operations.
    if (method === 'OPTIONS') return { ok: true, operation: 'preflight' };
    if (method === 'GET' && path === '/openapi.json')
      return { ok: true, operation: 'openapi.json' };
    const found = this.operation(method, path);
    const name = found
      ? `${found.operation.operationId ?? `${method} ${found.template}`}`
      : `${method} ${path}`;
    if (!found) {
      // Only an error may answer an undocumented route: the protocol's 404 for unknown paths.
      if (status >= 400) return this.checkProblem(name, mediaType, body, status);
      return { ok: false, operation: name, why: `${method} ${path} is not in the protocol` };
    }
    if (status === 304 || status === 204) return { ok: true, operation: name };
    const responses = found.operation.responses ?? {};
    const answer =
      responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!answer) {
      if (status >= 400) return this.checkProblem(name, mediaType, body, status);
      return { ok: false, operation: name, why: `status ${status} is not documented` };
    }
    const content = answer.content;
    if (!content) return { ok: true, operation: name };
    const type = Object.keys(content).find((t) => t === mediaType);
    if (!type) {
      const documented = Object.keys(content).join(', ');
      // A file download or CSV is documented without a JSON schema worth checking.
      if (!mediaType.includes('json') && !documented.includes('json'))
        return { ok: true, operation: name };
      return {
        ok: false,
        operation: name,
        why: `answered ${status} as ${mediaType || '(no Content-Type)'}; the document says ${documented}`,
      };
    }
    if (!mediaType.includes('json')) return { ok: true, operation: name };
    const pointer = `#/paths/${pointerSegment(found.template)}/${method.toLowerCase()}/responses/${
      responses[String(status)]
        ? status
        : responses[`${String(status)[0]}XX`]
          ? `${String(status)[0]}XX`
          : 'default'
    }/content/${pointerSegment(type)}/schema`;
    return this.validate(name, pointer, body, status);
  }

  private checkProblem(name: string, mediaType: string, body: unknown, status: number): Verdict {
    if (mediaType !== 'application/problem+json')
      return {
        ok: false,
        operation: name,
        why: `error ${status} answered as ${mediaType || '(no Content-Type)'}, not application/problem+json`,
      };
    return this.validate(name, '#/components/schemas/Problem', body, status);
  }

  private validate(name: string, pointer: string, body: unknown, status: number): Verdict {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`oas${pointer}`);
      if (!validate) return { ok: false, operation: name, why: `no schema at ${pointer}` };
      this.validators.set(pointer, validate);
    }
    if (validate(body)) return { ok: true, operation: name };
    const why = (validate.errors ?? [])
      .slice(0, 3)
      .map(
        (e) =>
          `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
      )
      .join('; ');
    return {
      ok: false,
      operation: name,
      why: `${status} answer does not match the schema: ${why}`,
    };
  }
}

/** A JSON Pointer segment (RFC 6901). */
const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
