// `npm run analyze` regenerates custom-elements.json from the JSDoc on the element class
// (@fires, @csspart, @cssproperty, @cssstate, @slot). Never edit the JSON by hand.
export default {
  globs: ['src/**/*.ts'],
  exclude: ['**/*.test.ts', 'src/checkout/**', 'src/internal/**', 'src/i18n/**'],
  outdir: '.',
  litelement: true,
};
