// A client component for React Server Components (Next.js's App Router): the directive is kept in
// dist/react.js and dist/node/react.js, so a server component may render <BuyInPost>.
'use client';

/**
 * `buy-in-post/react`: `<BuyInPost>` for React, made with @lit/react. Importing it registers
 * `<buy-in-post>` (as `buy-in-post/define` does). The element's properties are props, set as
 * properties (so `getBuyerToken` can be a function); its events are typed `onX` props.
 *
 * React is an optional peer dependency of the package: only this entry imports it. @lit/react is
 * bundled into the built file, so sites that do not use React install nothing for it.
 *
 * On a server (React SSR in Node) this module loads a build of the same source over Lit's Node
 * build (the package's `node` export condition): it renders an empty `<buy-in-post>` tag that the
 * browser upgrades on hydration, and classifies props exactly as the browser build does, so
 * hydration finds what the server rendered.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { BuyInPost as BuyInPostElement } from '../buy-in-post.ts';
import {
  BuyInPostCheckoutStartEvent,
  BuyInPostCloseEvent,
  BuyInPostDetailsDeletedEvent,
  BuyInPostErrorEvent,
  BuyInPostOpenEvent,
  BuyInPostOptionChangeEvent,
  BuyInPostPurchaseEvent,
  BuyInPostSignedInEvent,
} from '../events.ts';

BuyInPostElement.define();

/** Each event of the element as a React prop: `onPurchase` is `buy-in-post-purchase`, and so on. */
const events = {
  onOpen: BuyInPostOpenEvent.type as EventName<BuyInPostOpenEvent>,
  onOptionChange: BuyInPostOptionChangeEvent.type as EventName<BuyInPostOptionChangeEvent>,
  onCheckoutStart: BuyInPostCheckoutStartEvent.type as EventName<BuyInPostCheckoutStartEvent>,
  onPurchase: BuyInPostPurchaseEvent.type as EventName<BuyInPostPurchaseEvent>,
  onError: BuyInPostErrorEvent.type as EventName<BuyInPostErrorEvent>,
  onClose: BuyInPostCloseEvent.type as EventName<BuyInPostCloseEvent>,
  onSignedIn: BuyInPostSignedInEvent.type as EventName<BuyInPostSignedInEvent>,
  onDetailsDeleted: BuyInPostDetailsDeletedEvent.type as EventName<BuyInPostDetailsDeletedEvent>,
};

/** The event props, each called with the element's typed event. */
export interface BuyInPostEventProps {
  onOpen?: (event: BuyInPostOpenEvent) => void;
  onOptionChange?: (event: BuyInPostOptionChangeEvent) => void;
  onCheckoutStart?: (event: BuyInPostCheckoutStartEvent) => void;
  onPurchase?: (event: BuyInPostPurchaseEvent) => void;
  onError?: (event: BuyInPostErrorEvent) => void;
  onClose?: (event: BuyInPostCloseEvent) => void;
  onSignedIn?: (event: BuyInPostSignedInEvent) => void;
  onDetailsDeleted?: (event: BuyInPostDetailsDeletedEvent) => void;
}

/** The element's public properties (see the element's documentation for each). */
export type BuyInPostElementProps = Partial<
  Pick<
    BuyInPostElement,
    | 'product'
    | 'endpoint'
    | 'post'
    | 'locale'
    | 'label'
    | 'paymentMode'
    | 'buyerToken'
    | 'getBuyerToken'
    | 'open'
  >
>;

/** Props of `<BuyInPost>`: the element's properties, its events, and React's HTML attributes. */
export type BuyInPostProps = Omit<
  React.HTMLAttributes<BuyInPostElement>,
  keyof BuyInPostEventProps | keyof BuyInPostElementProps
> &
  BuyInPostElementProps &
  BuyInPostEventProps &
  React.RefAttributes<BuyInPostElement>;

/**
 * `<buy-in-post>` as a React component.
 *
 * ```tsx
 * <BuyInPost product="tee" endpoint="https://shop.example/api" onPurchase={(e) => e.orderNumber} />
 * ```
 *
 * Declared with the package's own prop types (not @lit/react's), so the published types need
 * only React's.
 */
export const BuyInPost: React.ForwardRefExoticComponent<BuyInPostProps> = createComponent({
  react: React,
  tagName: 'buy-in-post',
  elementClass: BuyInPostElement,
  events,
  displayName: 'BuyInPost',
}) as React.ForwardRefExoticComponent<BuyInPostProps>;

export * from '../events.ts';
export type { BuyInPostElement };
