import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { Problem } from '../protocol/common.ts';
import { problemResponse, validationProblem } from './problem.ts';

/** A router whose validation failures come out as problem+json (422, per-field errors). */
export function router<E extends Env = Env>() {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const prefix = result.target === 'json' ? undefined : result.target;
        return problemResponse(c, validationProblem(result.error, prefix));
      }
    },
  });
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: Problem } },
  description,
});

export const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const bearer = [{ bearerAuth: [] as string[] }];

export { z };
