// The drift check (`npm run check:drift`): the types generated from the OpenAPI document
// (openapi-typescript, drift/generated/) and the zod-inferred types the element imports
// (server/src/protocol) must be the same types, each way assignable to the other. Compiled,
// never run: a difference is a type error naming the type that drifted.
import type {
  BuyerCodeRequested,
  BuyerSession,
  BuyerWallet,
  Checkout,
  CheckoutBuyer,
  ConfirmCheckoutBody,
  CreateCheckoutBody,
  FieldError,
  Money,
  PaymentHandoff,
  Problem,
  Product,
  ProductBatch,
  ResolveAnswer,
  SavedAddress,
  SavedPaymentMethod,
  ShippingAddress,
  UpdateCheckoutBody,
  Variant,
} from '../../server/src/protocol/index.ts';
import type { components, paths } from './generated/protocol-v1.ts';

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless given `true`. */
type Agree<T extends true> = T;

type Schema<N extends keyof components['schemas']> = components['schemas'][N];
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Answer<
  P extends keyof paths,
  M extends keyof paths[P],
  S extends number,
> = paths[P][M] extends { responses: infer R } ? (S extends keyof R ? Json<R[S]> : never) : never;
type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody: infer B;
}
  ? Json<B>
  : never;

// What the element reads.
export type Drift = [
  Agree<Same<Product, Answer<'/products/{id}', 'get', 200>>>,
  Agree<Same<ProductBatch, Answer<'/products', 'get', 200>>>,
  Agree<Same<ResolveAnswer, Answer<'/resolve', 'get', 200>>>,
  Agree<Same<Variant, Schema<'Variant'>>>,
  Agree<Same<Money, Schema<'Money'>>>,
  Agree<Same<Checkout, Answer<'/checkouts', 'post', 201>>>,
  Agree<Same<Checkout, Answer<'/checkouts/{id}', 'get', 200>>>,
  Agree<Same<Checkout, Answer<'/checkouts/{id}/confirm', 'post', 200>>>,
  Agree<Same<CheckoutBuyer, Schema<'CheckoutBuyer'>>>,
  Agree<Same<PaymentHandoff, Schema<'PaymentHandoff'>>>,
  Agree<Same<ShippingAddress, Schema<'ShippingAddress'>>>,
  Agree<Same<Problem, Schema<'Problem'>>>,
  Agree<Same<FieldError, NonNullable<Schema<'Problem'>['errors']>[number]>>,
  Agree<Same<BuyerWallet, Answer<'/buyer', 'get', 200>>>,
  Agree<Same<BuyerSession, Answer<'/buyer/sessions', 'post', 201>>>,
  Agree<Same<BuyerCodeRequested, Answer<'/buyer/codes', 'post', 202>>>,
  Agree<Same<SavedAddress, Schema<'SavedAddress'>>>,
  Agree<Same<SavedPaymentMethod, Schema<'SavedPaymentMethod'>>>,
];

// What the element sends: the bodies as a client writes them (zod's input types).
export type RequestDrift = [
  Agree<Same<CreateCheckoutBody, RequestBody<'/checkouts', 'post'>>>,
  Agree<Same<UpdateCheckoutBody, RequestBody<'/checkouts/{id}', 'patch'>>>,
  Agree<Same<ConfirmCheckoutBody, RequestBody<'/checkouts/{id}/confirm', 'post'>>>,
];
