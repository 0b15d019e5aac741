// Registers the dashboard's elements, in one place. The classes register nothing when imported
// (the package's `sideEffects` list would let the bundler drop an import kept only for that).
import { Dashboard } from './app.ts';
import { NotFoundPage } from './pages/not-found.ts';
import { OrderDetailPage } from './pages/order-detail.ts';
import { OrdersPage } from './pages/orders.ts';
import { PayoutsPage } from './pages/payouts.ts';
import { ProductEditPage } from './pages/product-edit.ts';
import { ProductsPage } from './pages/products.ts';
import { SettingsPage } from './pages/settings.ts';
import { SharePage } from './pages/share.ts';
import { SignInPage } from './pages/sign-in.ts';
import { Preview } from './preview.ts';

const ELEMENTS: Record<string, CustomElementConstructor> = {
  'bip-dashboard': Dashboard,
  'bip-sign-in': SignInPage,
  'bip-products': ProductsPage,
  'bip-product-edit': ProductEditPage,
  'bip-preview': Preview,
  'bip-share': SharePage,
  'bip-orders': OrdersPage,
  'bip-order-detail': OrderDetailPage,
  'bip-settings': SettingsPage,
  'bip-payouts': PayoutsPage,
  'bip-not-found': NotFoundPage,
};

export function defineElements(registry = customElements): void {
  for (const [tag, element] of Object.entries(ELEMENTS))
    if (!registry.get(tag)) registry.define(tag, element);
}
