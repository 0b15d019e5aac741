// A Vite + React consumer of `buy-in-post/react`: typed props and typed event props. It also
// imports `buy-in-post/define`, as an app with a plain element elsewhere would: the two entries
// share one copy of Lit and the element (run.mjs checks the bundle).

import 'buy-in-post/define';
import { BuyInPost, type BuyInPostElement, type BuyInPostPurchaseEvent } from 'buy-in-post/react';
import { StrictMode, useRef } from 'react';
import { createRoot } from 'react-dom/client';

function Post() {
  const ref = useRef<BuyInPostElement>(null);
  const onPurchase = (event: BuyInPostPurchaseEvent) => {
    const order: string = event.orderNumber;
    console.log('purchased', order, event.total.amount, ref.current?.product);
  };
  return (
    <article>
      <p>A post that sells a tee.</p>
      <BuyInPost
        ref={ref}
        product="tee"
        endpoint="https://shop.example/api"
        className="buy"
        onPurchase={onPurchase}
        onError={(event) => console.log(event.code)}
        getBuyerToken={async () => null}
      />
      {/* @ts-expect-error the purchase event is not a number */}
      <BuyInPost product="tee" onPurchase={(event: number) => event} />
      {/* @ts-expect-error product is a string */}
      <BuyInPost product={1} />
    </article>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <Post />
    </StrictMode>,
  );
