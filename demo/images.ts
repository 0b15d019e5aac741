/** Offline placeholder pictures for the demo catalogue: a coloured tile with a simple glyph. */
const ART: Record<string, { bg: string; fg: string; glyph: string }> = {
  'tour-tee': {
    bg: '#1f2937',
    fg: '#f9fafb',
    glyph: 'M30 25 L45 18 Q50 24 55 18 L70 25 L78 40 L68 44 L68 82 L32 82 L32 44 L22 40 Z',
  },
  vinyl: {
    bg: '#1e3a8a',
    fg: '#0b0b0b',
    glyph: 'M50 15 A35 35 0 1 0 50.01 15 Z M50 44 A6 6 0 1 0 50.01 44 Z',
  },
  album: {
    bg: '#7c2d12',
    fg: '#fde68a',
    glyph:
      'M15 70 L85 70 L85 74 L15 74 Z M25 62 L75 62 L70 40 L30 40 Z M20 30 A4 4 0 1 0 20.01 30 Z',
  },
  sneakers: {
    bg: '#f97316',
    fg: '#ffffff',
    glyph: 'M15 60 Q20 40 40 42 L55 52 Q75 55 85 62 L85 72 L15 72 Z',
  },
  tote: {
    bg: '#065f46',
    fg: '#ecfdf5',
    glyph: 'M28 35 L72 35 L76 85 L24 85 Z M38 35 Q38 18 50 18 Q62 18 62 35',
  },
  donate: {
    bg: '#0e7490',
    fg: '#ecfeff',
    glyph: 'M50 80 L20 50 Q10 35 25 25 Q40 18 50 35 Q60 18 75 25 Q90 35 80 50 Z',
  },
};

export function placeholderSvg(slug: string): string {
  const a = ART[slug] ?? { bg: '#6b7280', fg: '#f3f4f6', glyph: 'M30 30 L70 30 L70 70 L30 70 Z' };
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="400" height="400"><rect width="100" height="100" fill="${a.bg}"/><path d="${a.glyph}" fill="${a.fg}" stroke="${a.fg}" stroke-width="2" fill-rule="evenodd"/></svg>`;
}
