#!/usr/bin/env node
// Entry point of the `code2asin` command. In a checkout it runs the TypeScript sources through
// tsx, so a clean clone works after `npm ci` with no build step; an installed package without
// sources runs the built `dist/`.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let mod;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(source.href);
} else {
  mod = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
try {
  await mod.main(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`code2asin: ${message}\n`);
  process.exitCode = typeof error?.exitCode === 'number' ? error.exitCode : 1;
}
