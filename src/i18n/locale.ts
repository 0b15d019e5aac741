import { type CoreMessages, coreAr, coreEn } from './core-messages.ts';
import type { Messages } from './messages.ts';

/**
 * The catalogues in force. The core chunk knows only the button's strings; the checkout chunk
 * registers the full catalogues when it loads (see `registerCatalogues`). Code in the core
 * chunk must only read CoreMessages keys.
 */
const catalogues: Record<string, CoreMessages | Messages> = { en: coreEn, ar: coreAr };

export function registerCatalogues(full: Record<string, Messages>) {
  Object.assign(catalogues, full);
}

const RTL = new Set(['ar', 'he', 'fa', 'ur']);

/** The language in force for an element: its own `locale`, else the nearest `lang`, else the page's. */
export function resolveLocale(el: Element, explicit: string | null | undefined): string {
  if (explicit) return explicit;
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang') && node.getAttribute('lang'))
      return node.getAttribute('lang')!;
    // climb out of shadow roots too: a post inside a web component inherits the page's language
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return navigator.language || 'en';
}

/** Strings, number and money formatting, and direction for one locale. */
export class I18n {
  readonly locale: string;
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  readonly plural: Intl.PluralRules;
  private readonly moneyFormats = new Map<string, Intl.NumberFormat>();

  constructor(locale: string) {
    let canonical = 'en';
    try {
      canonical = Intl.getCanonicalLocales(locale)[0] ?? 'en';
    } catch {
      // an invalid tag: fall back to English
    }
    this.locale = canonical;
    this.lang = canonical.split('-')[0]!.toLowerCase();
    this.dir = RTL.has(this.lang) && catalogues[this.lang] ? 'rtl' : 'ltr';
    this.plural = new Intl.PluralRules(canonical);
  }

  /** The strings of this locale's language, English where it has none. */
  get t(): Messages {
    return (catalogues[this.lang] ?? catalogues.en) as Messages;
  }

  money(m: { amount: number; currency: string }): string {
    let f = this.moneyFormats.get(m.currency);
    if (!f) {
      f = new Intl.NumberFormat(this.locale, { style: 'currency', currency: m.currency });
      this.moneyFormats.set(m.currency, f);
    }
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
    return f.format(m.amount / 10 ** digits);
  }

  number(n: number): string {
    return new Intl.NumberFormat(this.locale).format(n);
  }

  country(code: string): string {
    try {
      return new Intl.DisplayNames([this.locale], { type: 'region' }).of(code) ?? code;
    } catch {
      return code;
    }
  }
}

const cache = new Map<string, I18n>();
export function i18nFor(locale: string): I18n {
  let i = cache.get(locale);
  if (!i) {
    i = new I18n(locale);
    cache.set(locale, i);
  }
  return i;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let observer: MutationObserver | null = null;

/** Calls `fn` whenever a `lang` attribute changes anywhere in the document. */
export function onLangChange(fn: Listener): () => void {
  listeners.add(fn);
  if (!observer) {
    observer = new MutationObserver(() => {
      for (const l of listeners) l();
    });
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['lang'],
      subtree: true,
    });
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0) {
      observer?.disconnect();
      observer = null;
    }
  };
}
