import type { Appearance, StripeElementLocale } from '@stripe/stripe-js';

/*
 * Stripe's form dressed as the element: its colours, font, light or dark, and language. Stripe
 * takes these as values (its form is in an iframe the element's CSS cannot reach).
 */

/**
 * Resolves a colour the element's theme sets (a custom property, perhaps a `light-dark()`) to
 * the rgb() Stripe's Appearance API takes, by letting the browser compute it in place; without
 * a value, what the element's own styles give a node at the top of its shadow root (its font:
 * `--buy-in-post-font` is read there, not on the host — buy-in-post.styles.ts says why).
 */
function resolved(
  root: ShadowRoot,
  property: 'color' | 'backgroundColor' | 'fontFamily',
  value = '',
) {
  const probe = document.createElement('span');
  probe.style[property] = value;
  probe.hidden = true;
  root.append(probe);
  const out = getComputedStyle(probe)[property];
  probe.remove();
  return out;
}

/**
 * Stripe's form, dressed in the element's colours (its private `--_…` properties: the page's
 * `--buy-in-post-…` value or the element's default), font, light or dark.
 */
export function appearanceFor(host: HTMLElement): Appearance {
  const root = host.shadowRoot!;
  const surface = resolved(root, 'backgroundColor', 'var(--_surface)');
  const [r = 255, g = 255, b = 255] = surface.match(/\d+(\.\d+)?/g)?.map(Number) ?? [];
  const dark = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.5;
  return {
    theme: dark ? 'night' : 'stripe',
    variables: {
      colorPrimary: resolved(root, 'color', 'var(--_accent)'),
      colorBackground: surface,
      colorText: resolved(root, 'color', 'var(--_text)'),
      // --buy-in-post-font, or the page's font the element inherits
      fontFamily: resolved(root, 'fontFamily'),
      borderRadius: '8px',
    },
  };
}

/** Stripe's locale for the element's language ('auto' for one Stripe does not know). */
export function stripeLocale(lang: string): StripeElementLocale {
  const known = ['ar', 'en', 'fr', 'de', 'es', 'it', 'ja', 'nl', 'pt', 'zh', 'he', 'tr', 'pl'];
  return (known.includes(lang) ? lang : 'auto') as StripeElementLocale;
}
