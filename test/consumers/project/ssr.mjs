// React server rendering in plain Node (no DOM): importing buy-in-post/react must not crash, and
// the markup is the empty tag the browser upgrades on hydration. Prints the markup.

import { BuyInPost } from 'buy-in-post/react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

if (typeof document !== 'undefined') throw new Error('this check needs a runtime without a DOM');
process.stdout.write(
  renderToString(createElement(BuyInPost, { product: 'tee', id: 'buy', onPurchase() {} })),
);
