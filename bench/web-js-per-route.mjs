#!/usr/bin/env node
// JavaScript each screen of the web UI loads (gzip, level 9), against the 60 kB budget of the
// first screen: the entry chunk and its static imports, plus the screen's own chunk and its
// static imports. Reads the build (`npm run web:build`) and its Vite manifest.
// Usage: node bench/web-js-per-route.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../src/web/dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));
const BUDGET = 60 * 1024;

/** A chunk and every chunk it imports statically, by manifest key. */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}
const gzipOf = (keys) =>
  [...keys].reduce(
    (sum, k) => sum + gzipSync(readFileSync(new URL(manifest[k].file, dist)), { level: 9 }).length,
    0,
  );
const rawOf = (keys) =>
  [...keys].reduce((sum, k) => sum + readFileSync(new URL(manifest[k].file, dist)).length, 0);

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const entry = closure(entryKey);
const screens = [['sign-in (first screen)', null]];
for (const key of manifest[entryKey].dynamicImports ?? [])
  screens.push([key.replace(/^.*pages\//, ''), key]);

const kB = (n) => (n / 1024).toFixed(1);
console.log('| screen | JS raw (kB) | JS gzip (kB) | share of the 60 kB budget |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, key] of screens) {
  const keys = key ? new Set([...entry, ...closure(key)]) : entry;
  const gz = gzipOf(keys);
  console.log(
    `| ${name} | ${kB(rawOf(keys))} | ${kB(gz)} | ${((gz / BUDGET) * 100).toFixed(0)} % |`,
  );
}
