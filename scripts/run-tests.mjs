#!/usr/bin/env node
// Runs the whole test suite with node:test.
// - Node 20's `node --test <dir>` finds nothing, so test files are listed here explicitly.
// - PostgreSQL: TEST_DATABASE_URL when set, otherwise one embedded PostgreSQL for the whole run
//   (each test file then creates its own database in it). Never skipped.
// - Fails when no test ran, or any failed or was skipped.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = (
  args.length > 0 ? args : findTests(join(root, 'test')).map((f) => relative(root, f))
).sort();
if (files.length === 0) {
  console.error('No test files found under test/.');
  process.exit(1);
}

let stopPostgres = async () => {};
const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const pg = await startEmbeddedPostgres();
  env.TEST_DATABASE_URL = pg.url;
  stopPostgres = pg.stop;
  console.log(`PostgreSQL for tests: embedded ${pg.version} on port ${pg.port}`);
} else {
  console.log('PostgreSQL for tests: TEST_DATABASE_URL');
}

const summaryFile = join(mkdtempSync(join(tmpdir(), 'c2a-tests-')), 'summary.txt');
writeFileSync(summaryFile, '');
const nodeArgs = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`,
  `--test-reporter-destination=${summaryFile}`,
  ...files,
];
const child = spawn(process.execPath, nodeArgs, { cwd: root, env, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
await stopPostgres();

const summary = readFileSync(summaryFile, 'utf8').trim();
rmSync(summaryFile, { force: true });
console.log(`\n${summary}`);
const m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(summary);
const passed = Number(m?.[1] ?? 0);
const failed = Number(m?.[2] ?? 0);
const skipped = Number(m?.[3] ?? 0);
if (passed === 0) {
  console.error('No test ran: failing the run.');
  process.exit(1);
}
if (skipped > 0) {
  console.error(`${skipped} test(s) were skipped: a skipped test is not allowed in this suite.`);
  process.exit(1);
}
process.exit(code !== 0 || failed > 0 ? 1 : 0);
