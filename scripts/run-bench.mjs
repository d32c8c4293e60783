#!/usr/bin/env node
// Runs every benchmark in bench/ (or those named) one after another, then assembles
// docs/BENCHMARKS.md from the per-area reports the benchmarks write in docs/benchmarks/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const named = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => named.length === 0 || named.some((n) => f.includes(n)))
  .sort();
for (const file of benches) {
  console.log(`\n== ${file}`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (res.status !== 0) process.exitCode = 1;
}
const parts = join(root, 'docs/benchmarks');
const sections = existsSync(parts)
  ? readdirSync(parts)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => readFileSync(join(parts, f), 'utf8').trim())
  : [];
const header = `# Benchmarks

Every figure is a ratio against a baseline measured in the same run, on the machine named in each section.
Regenerate with \`npm run bench\` (all) or \`npm run bench -- <name>\` (one); each benchmark writes its section in
\`docs/benchmarks/\` and this file is assembled from them.
`;
writeFileSync(join(root, 'docs/BENCHMARKS.md'), `${header}\n${sections.join('\n\n')}\n`);
