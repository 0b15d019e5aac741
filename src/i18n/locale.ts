/**
 * Strings, money and direction for one locale, over a set of catalogues. Each chunk brings its
 * own: the core (the Buy button) sees `I18n<CoreMessages>`, the checkout chunk `I18n<Messages>`
 * — so the type says which strings a chunk may read, and no chunk reads strings another has not
 * loaded yet. This module imports no catalogue.
 */

/** Catalogues by language (`en` is the fallback for a language without one). */
export type Catalogues<M> = { en: M } & Partial<Record<string, M>>;

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

/** Strings, money formatting and direction for one locale. */
export class I18n<M> {
  readonly locale: string;
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  private plurals: Intl.PluralRules | null = null;
  private readonly moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

  constructor(
    locale: string,
    private readonly catalogues: Catalogues<M>,
  ) {
    let canonical = 'en';
    try {
      canonical = Intl.getCanonicalLocales(locale)[0] ?? 'en';
    } catch {
      // an invalid tag: fall back to English
    }
    this.locale = canonical;
    this.lang = canonical.split('-')[0]!.toLowerCase();
    // right-to-left only where the words are too (else English, laid out as English)
    this.dir = RTL.has(this.lang) && catalogues[this.lang] ? 'rtl' : 'ltr';
  }

  /** Plural rules, made on first use (the Buy button never counts anything). */
  get plural(): Intl.PluralRules {
    this.plurals ??= new Intl.PluralRules(this.locale);
    return this.plurals;
  }

  /** The strings of this locale's language, English where it has none. */
  get t(): M {
    return this.catalogues[this.lang] ?? this.catalogues.en;
  }

  money(m: { amount: number; currency: string }): string {
    let f = this.moneyFormats.get(m.currency);
    if (!f) {
      const format = new Intl.NumberFormat(this.locale, {
        style: 'currency',
        currency: m.currency,
      });
      f = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
      this.moneyFormats.set(m.currency, f);
    }
    return f.format.format(m.amount / 10 ** f.digits);
  }

  country(code: string): string {
    try {
      return new Intl.DisplayNames([this.locale], { type: 'region' }).of(code) ?? code;
    } catch {
      return code;
    }
  }
}

let numbersWarmed = false;
/**
 * The browser loads its number and currency data on the first price a page formats: 13–47 ms
 * here, once for the renderer whatever the locale and currency (after it, a format of its own
 * for another costs ~0.5 ms). Done in a task of its own while a product look-up is in flight,
 * rather than after its answer, on the way to the price.
 */
export function warmNumbers(): void {
  if (numbersWarmed) return;
  numbersWarmed = true;
  setTimeout(() => new Intl.NumberFormat('en', { style: 'currency', currency: 'USD' }));
}

/** One I18n per locale over `catalogues`, made once and reused (renders ask for it often). */
export function localizer<M>(catalogues: Catalogues<M>): (locale: string) => I18n<M> {
  const cache = new Map<string, I18n<M>>();
  return (locale) => {
    let i = cache.get(locale);
    if (!i) {
      i = new I18n(locale, catalogues);
      cache.set(locale, i);
    }
    return i;
  };
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
