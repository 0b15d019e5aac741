/**
 * A node in the light DOM that shows up inside the element's shadow DOM, for third-party
 * widgets that refuse shadow roots (Stripe: "Elements cannot be mounted in a ShadowRoot").
 *
 * The node is a child of the element, assigned to `<slot name=…>` in its shadow root. When the
 * element itself sits in another component's shadow root, the node goes on the outermost host
 * (in the document) and a `<slot name=… slot=…>` at each level between carries it down — the
 * "breadcrumb" pattern of bennypowers/stripe-elements. `remove()` takes all of it away.
 */
export interface LightDomSlot {
  readonly name: string;
  readonly node: HTMLDivElement;
  remove(): void;
}

let seq = 0;

export function lightDomSlot(host: HTMLElement): LightDomSlot {
  const name = `buy-in-post-payment-${++seq}`;
  const added: Element[] = [];
  let carrier: Element = host;
  let root = host.getRootNode();
  while (root instanceof ShadowRoot) {
    const relay = document.createElement('slot');
    relay.name = name;
    relay.slot = name;
    carrier.append(relay);
    added.push(relay);
    carrier = root.host;
    root = carrier.getRootNode();
  }
  const node = document.createElement('div');
  node.slot = name;
  node.className = 'buy-in-post-payment';
  carrier.append(node);
  added.push(node);
  return {
    name,
    node,
    remove: () => {
      for (const n of added) n.remove();
    },
  };
}
