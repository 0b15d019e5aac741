// The dashboard's language: its words (messages.ts) in English or Arabic. A page asks
// `t('key', {params})`; the app sets <html lang dir> and re-renders every page when the seller
// switches language (LocaleController).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { config as zodConfig } from 'zod';
import zodAr from 'zod/v4/locales/ar.js';
import zodEn from 'zod/v4/locales/en.js';
import { ar, en, type Key } from './messages.ts';

export type Locale = 'en' | 'ar';
export const LOCALES: Locale[] = ['en', 'ar'];

const MESSAGES: Record<Locale, Record<Key, string>> = { en, ar };
const STORAGE_KEY = 'bip-dashboard:locale';

let current: Locale = initialLocale();

function initialLocale(): Locale {
  const kept = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (kept === 'en' || kept === 'ar') return kept;
  return globalThis.navigator?.language?.startsWith('ar') ? 'ar' : 'en';
}

export function locale(): Locale {
  return current;
}

/** The message `key` in the current language, `{name}` replaced from `params`. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  return MESSAGES[current][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    String(params[name] ?? `{${name}}`),
  );
}

export type MessageKey = Key;

/** The seller's words for a problem's stable `code`, when the dashboard has them. */
export function problemMessage(code: string): string | undefined {
  const key = `problem.${code}`;
  return key in en ? t(key as Key) : undefined;
}

const listeners = new Set<() => void>();

/** Switches the language: <html lang dir>, the kept choice, and every page re-renders. */
export function setLocale(next: Locale): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  applyToDocument();
  for (const l of listeners) l();
}

export function applyToDocument(): void {
  // The schemas' own wording (a field too long, not an email…) in the same language.
  zodConfig(current === 'ar' ? zodAr() : zodEn());
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
  document.title = t('app.title');
}

/** Re-renders its host when the language changes. */
export class LocaleController implements ReactiveController {
  private readonly update = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected() {
    listeners.add(this.update);
  }
  hostDisconnected() {
    listeners.delete(this.update);
  }
}

/** Money in minor units, formatted for the current language. */
export function formatMoney(m: { amount: number; currency: string }): string {
  return new Intl.NumberFormat(current, { style: 'currency', currency: m.currency }).format(
    m.amount / 10 ** currencyDigits(m.currency),
  );
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** How many minor-unit digits a currency has (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}
