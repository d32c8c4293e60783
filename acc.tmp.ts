import { runProviderAccuracy, foundPrecision, toReview } from './test/matching/provider-accuracy-harness.js';
import { summarize } from './test/matching/accuracy-harness.js';
for (const p of ['creators', 'spapi'] as const) for (const row of [false, true]) {
  const t0 = performance.now();
  const r = await runProviderAccuracy(p, 600, 1, row);
  const s = summarize(r.outcomes);
  const f = foundPrecision(r.outcomes);
  console.log(p, row, 'ms', (performance.now()-t0).toFixed(0), 'codes', s.codes, 'errors', r.errors, 'searches', r.searches, 'found', f, 'review', toReview(r.outcomes), 'recall', s.recall, 'recallEv', s.recallWithEvidence.share, 'wrong', s.wrongAccepted, 'noise', s.noiseAccepted);
  console.log(s.byType.map(t => `${t.name}:${t.correct}/${t.count}`).join(' '), '|', s.byCase.map(t => `${t.name}:${t.correct}/${t.count}`).join(' '));
}
