/** The class and its events, without registering the tag (import `buy-in-post/define` for that). */
export { BuyInPost } from './buy-in-post.ts';
export * from './events.ts';
export type { Checkout, Money, Product, Variant } from './internal/types.ts';
