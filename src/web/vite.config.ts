import { defineConfig } from 'vite';

// Preact through Vite's own JSX transform (no Babel preset: a faster, smaller build).
export default defineConfig({
  root: import.meta.dirname,
  // Relative references: `serve` makes them absolute under CODE2ASIN_BASE_PATH (ui-routes.ts).
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Hashed file names: served with a one-year immutable cache; index.html is never cached.
    assetsDir: 'assets',
    reportCompressedSize: false,
    // The CSP forbids inline scripts and data: URLs for scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // bench/web-js-per-route.mjs reads it to sum each screen's JavaScript.
    manifest: true,
  },
});
