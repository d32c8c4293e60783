#!/usr/bin/env node
// Builds the web UI (src/web) to static files in src/web/dist, each with a gzip and a brotli
// copy that `serve` sends to browsers accepting them. Run by `prepare`, so `npm ci` on a fresh
// clone leaves a working UI. Without Vite (a production-only install) it says so and stops:
// the UI is then the one already built, if any.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const webRoot = fileURLToPath(new URL('../src/web/', import.meta.url));
const outDir = join(webRoot, 'dist');
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

let vite;
try {
  vite = await import('vite');
} catch {
  process.stdout.write('build-web: Vite is not installed (production install); UI not rebuilt\n');
  process.exit(0);
}

await vite.build({
  configFile: join(webRoot, 'vite.config.ts'),
  logLevel: process.env.CI ? 'warn' : 'info',
});

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

let compressed = 0;
for (const file of filesUnder(outDir)) {
  if (!COMPRESSIBLE.test(file)) continue;
  const data = readFileSync(file);
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  writeFileSync(
    `${file}.br`,
    brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  compressed += 1;
}
process.stdout.write(`build-web: ${compressed} files built and pre-compressed in src/web/dist\n`);
