// A strict TypeScript consumer of `buy-in-post` and `buy-in-post/define`: every line below must
// type-check against the published declarations, and each @ts-expect-error must find an error
// (so the types are real, not `any`).
import { BuyInPost, BuyInPostPurchaseEvent, type Money } from 'buy-in-post';
import 'buy-in-post/define';

BuyInPost.define('shop-button');

// buy-in-post/define types the tag
const el = document.createElement('buy-in-post');
const same: BuyInPost = el;
el.product = 'tee';
el.endpoint = 'https://shop.example/api';
// @ts-expect-error product is a string
el.product = 42;

// typed events, from GlobalEventHandlersEventMap
el.addEventListener('buy-in-post-purchase', (event) => {
  const order: string = event.orderNumber;
  const total: Money = event.total;
  // @ts-expect-error no such field
  event.orderNumbr;
  console.log(order, total.amount, event instanceof BuyInPostPurchaseEvent);
});
document.addEventListener('buy-in-post-error', (event) => console.log(event.code));

document.body.append(same);
