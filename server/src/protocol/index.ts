/**
 * Commerce Endpoint Protocol v1: the zod schemas are the source of truth; the element imports
 * the inferred types with `import type` (no runtime cost in the browser bundle).
 */
export * from './buyer.ts';
export * from './checkouts.ts';
export * from './common.ts';
export * from './products.ts';
export * from './seller.ts';
