#!/usr/bin/env node
// Builds the web UI (src/web) to static files in src/web/dist, each with a gzip and a brotli
// copy that `serve` sends to browsers accepting them. Run by `prepare`, so `npm ci` on a fresh
// clone leaves a working UI. Without Vite (a production-only install) it says so and stops:
// the UI is then the one already built, if any.
//
// Run again when nothing changed (`npx code2asin …` in a checkout installs the folder, which runs
// `prepare` once more), it leaves the build alone: dist/.build-stamp holds a fingerprint of what
// the build is made of (the UI's sources, this script, package-lock.json); `--force` rebuilds.
// A build goes to a folder of its own and replaces dist in one rename, so two builds at once
// (two first `npx` runs in one checkout, two test suites) never write into the same folder, and a
// running `serve` never reads a half-written UI.
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const webRoot = join(root, 'src/web');
const outDir = join(webRoot, 'dist');
const STAMP = '.build-stamp';
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;
/** Build folders beside dist: `.dist-<pid>` while building, `.dist-old-<pid>` while swapping. */
const BUILD_FOLDER = /^\.dist-/;

function filesUnder(dir, skip = () => false) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (skip(name)) return [];
      return statSync(full).isDirectory() ? filesUnder(full, skip) : [full];
    });
}

/** What the build is made of: every UI source (not its outputs), this script, the lock file. */
function fingerprint() {
  const hash = createHash('sha256');
  const sources = filesUnder(webRoot, (name) => name === 'dist' || BUILD_FOLDER.test(name));
  const lock = join(root, 'package-lock.json');
  for (const file of [...sources, fileURLToPath(import.meta.url), lock]) {
    if (!existsSync(file)) continue;
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const force = process.argv.includes('--force');
const wanted = fingerprint();
const stampFile = join(outDir, STAMP);
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === wanted) {
  process.stdout.write('build-web: src/web/dist is up to date (--force rebuilds)\n');
  process.exit(0);
}

let vite;
try {
  vite = await import('vite');
} catch {
  process.stdout.write('build-web: Vite is not installed (production install); UI not rebuilt\n');
  process.exit(0);
}

const building = join(webRoot, `.dist-${process.pid}`);
try {
  await vite.build({
    configFile: join(webRoot, 'vite.config.ts'),
    logLevel: process.env.CI ? 'warn' : 'info',
    build: { outDir: building, emptyOutDir: true },
  });
  let compressed = 0;
  for (const file of filesUnder(building)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const data = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    compressed += 1;
  }
  writeFileSync(join(building, STAMP), `${wanted}\n`);
  // The old build out of the way, the new one in: two renames, never a folder half written.
  const old = join(webRoot, `.dist-old-${process.pid}`);
  if (existsSync(outDir)) renameSync(outDir, old);
  try {
    renameSync(building, outDir);
    process.stdout.write(
      `build-web: ${compressed} files built and pre-compressed in src/web/dist\n`,
    );
  } catch (error) {
    // Another build placed its dist between our two renames: the same sources, so it stands.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    process.stdout.write('build-web: src/web/dist was built meanwhile by another build\n');
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
} finally {
  rmSync(building, { recursive: true, force: true });
}
