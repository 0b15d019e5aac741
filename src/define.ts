import { BuyInPost } from './buy-in-post.ts';

BuyInPost.define();

declare global {
  interface HTMLElementTagNameMap {
    'buy-in-post': BuyInPost;
  }
}

export * from './events.ts';
export { BuyInPost };
