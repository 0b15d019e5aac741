// `npm run analyze` regenerates custom-elements.json from the JSDoc on the element class
// (@fires, @csspart, @cssproperty, @cssstate, @slot). Never edit the JSON by hand;
// `npm run check:cem` fails when the committed file is stale.
export default {
  globs: ['src/**/*.ts'],
  // Only the public surface: the element, its registration and its events. The checkout chunk,
  // the protocol client and the message catalogues are internals.
  exclude: ['**/*.test.ts', 'src/checkout/**', 'src/internal/**', 'src/i18n/**'],
  outdir: '.',
  litelement: true,
  // package.json already lists "customElements"; never let the analyzer rewrite it.
  packagejson: false,
  plugins: [
    {
      // The analyzer lists modules in the order it happens to finish reading them, which is not
      // always the same: sorted by path, the manifest is the same on every run (check:cem).
      name: 'buy-in-post:modules-by-path',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort(byPath);
      },
    },
  ],
};

function byPath(a, b) {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
