import { parseCode } from '../../src/codes/index.js';
import { indexCatalog } from '../../src/emulator/catalog-index.js';
import { equivalenceKeys } from '../../src/emulator/gtin.js';
import type { EmulatorCatalog, TruthEntry } from '../../src/emulator/index.js';
import { createRandom } from '../../src/emulator/random.js';

/**
 * `count` truth codes of a generated catalog, shuffled (a file's codes come in no particular
 * order, so code types interleave): `onePage` are codes the emulator answers with at most one item
 * (20 codes never answer with more than 20 items: one SP-API page per request), `mix` the
 * catalog's natural mix.
 */
export function spapiFileCodes(
  catalog: EmulatorCatalog,
  count: number,
  seed: number,
): { onePage: TruthEntry[]; mix: TruthEntry[] } {
  const market = indexCatalog(catalog).get('www.amazon.fr');
  if (!market) throw new Error('the generated catalog lacks www.amazon.fr');
  const rng = createRandom(seed);
  const all = [...(catalog.truth ?? [])].filter((t) => parseCode(t.code).valid);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [all[i], all[j]] = [all[j] as TruthEntry, all[i] as TruthEntry];
  }
  const items = (code: string) => {
    const asins = new Set<string>();
    for (const k of equivalenceKeys(code).filter((key) => !key.startsWith('raw:')))
      for (const p of market.byCode.get(k) ?? []) asins.add(p.asin);
    return asins.size;
  };
  const onePage = all.filter((t) => items(t.code) <= 1).slice(0, count);
  if (onePage.length < count || all.length < count)
    throw new Error(`catalog too small: ${onePage.length} one-page codes of ${all.length}`);
  return { onePage, mix: all.slice(0, count) };
}
