/**
 * Matching accuracy through each provider (issue 15): the accuracy harness's generated catalogs,
 * every truth code looked up through the real Creators API client and the real SP-API client over
 * HTTP against the emulator serving that catalog (`test/matching/provider-accuracy-harness.ts`),
 * and decided by `decideMatch` on what each provider returned. Writes
 * docs/benchmarks/spapi-accuracy.md. Run: node --import tsx bench/provider-accuracy.bench.ts
 * Env: BENCH_PROVIDER_ACCURACY_COUNT (products per catalog, 600).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { summarize, type Outcome } from '../test/matching/accuracy-harness.js';
import {
  foundPrecision,
  runProviderAccuracy,
  toReview,
  type HarnessProvider,
} from '../test/matching/provider-accuracy-harness.js';

const COUNT = Number(process.env.BENCH_PROVIDER_ACCURACY_COUNT ?? 600);
const SEEDS = [1, 2, 3];
const pct = (n: number, d: number) => (d ? `${((n / d) * 100).toFixed(1)} %` : '—');

async function run(provider: HarnessProvider, rowContext: boolean) {
  const outcomes: Outcome[] = [];
  let searches = 0;
  let errors = 0;
  for (const seed of SEEDS) {
    const r = await runProviderAccuracy(provider, COUNT, seed, rowContext);
    outcomes.push(...r.outcomes);
    searches += r.searches;
    errors += r.errors;
  }
  return { outcomes, searches, errors };
}

function row(provider: string, r: Awaited<ReturnType<typeof run>>): string {
  const s = summarize(r.outcomes);
  const f = foundPrecision(r.outcomes);
  const type = (name: string) => {
    const t = s.byType.find((x) => x.name === name);
    return t && t.count ? `${pct(t.correct, t.count)} (${t.count})` : '— (0)';
  };
  return `| ${provider} | ${s.codes} | ${r.searches} | ${pct(f.right, f.found)} (${f.found}) | ${pct(toReview(r.outcomes), s.codes)} | ${pct(s.recall.correct, s.recall.count)} | ${pct(s.recallWithEvidence.correct, s.recallWithEvidence.count)} | ${type('exact')} | ${type('partial')} | ${type('fuzzy')} | ${type('none')} | ${s.wrongAccepted} | ${r.errors} |`;
}

/** Codes whose decision differs between the providers, by emulator case. */
function differences(a: Outcome[], b: Outcome[]): string {
  const other = new Map(b.map((o) => [`${o.truth.code}`, o]));
  const byCase = new Map<string, number>();
  for (const o of a) {
    const p = other.get(o.truth.code);
    if (p && p.correct !== o.correct) byCase.set(o.truth.case, (byCase.get(o.truth.case) ?? 0) + 1);
  }
  return [...byCase].map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
}

const loadAtStart = loadavg();
const t0 = performance.now();
const results = {
  creators: await run('creators', false),
  spapi: await run('spapi', false),
  creatorsRow: await run('creators', true),
  spapiRow: await run('spapi', true),
};
const seconds = (performance.now() - t0) / 1000;
const header = `| provider | codes | searches | precision of \`found\` (found) | to review | recall | recall with evidence | exact | partial | fuzzy | none | wrong ASINs accepted | lookup errors |
|---|---|---|---|---|---|---|---|---|---|---|---|---|`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
const md = `## Matching accuracy through each provider: Creators API vs SP-API (issue 15)

\`generateCatalog(${COUNT}, seed)\` for seeds ${SEEDS.join(', ')}; every truth code is looked up through the provider's real client over HTTP
against the emulator serving that catalog, with \`searchAmazonByEans\` (the worker's path: Creators one keyword search per code, page 2 while
no item lists the code; SP-API 20 codes of one type per \`searchCatalogItems\`, items joined back by GTIN-14), then decided by \`decideMatch\`.
Precision per match type = decisions of that type naming the true ASIN (or none when the truth has none); "to review" = the matcher
proposes an ASIN and leaves \`asin\` empty. Same codes, same catalog, both providers.

### Codes only

${header}
${row('creators', results.creators)}
${row('spapi', results.spapi)}

Codes decided differently (right for one, not for the other), by case: ${differences(results.creators.outcomes, results.spapi.outcomes)}.

### Codes with the row's title and brand

${header}
${row('creators', results.creatorsRow)}
${row('spapi', results.spapiRow)}

Codes decided differently, by case: ${differences(results.creatorsRow.outcomes, results.spapiRow.outcomes)}.

Reading: SP-API's \`searchCatalogItems\` looks identifiers up, it does not search words, so a product that does not list the code
(\`title_only\`, \`no_external_ids\`) is never returned and stays not found, where a Creators keyword search can return it (and a title
column then accepts it as \`fuzzy\`). Every ASIN SP-API accepts is the true one (precision of \`found\`); without a title column,
listings that share a code go to review more often through SP-API, whose answer carries no offers or reviews to rank them by.

Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; ${seconds.toFixed(0)} s in all. Load average at start ${load(loadAtStart)}, at end ${load(loadavg())} (accuracy figures do not depend on load).
Command: \`node --import tsx bench/provider-accuracy.bench.ts\`${COUNT !== 600 ? ` (BENCH_PROVIDER_ACCURACY_COUNT=${COUNT})` : ''}.
`;
if (COUNT === 600) {
  const dir = fileURLToPath(new URL('../docs/benchmarks/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}spapi-accuracy.md`, md);
}
process.stdout.write(md);
