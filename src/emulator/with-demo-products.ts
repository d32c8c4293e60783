import type { EmulatorCatalog } from './catalog.js';

/**
 * Adds the products (and truth rows) of another catalog, typically the curated demo, to a
 * generated one, so `examples/codes.csv` maps against any `--generate N --seed S` catalog.
 * Credentials, noise and quotas stay the generated catalog's; ASINs already present win.
 */
export function withDemoProducts(catalog: EmulatorCatalog, demo: EmulatorCatalog): EmulatorCatalog {
  const marketplaces = structuredClone(catalog.marketplaces);
  for (const [domain, market] of Object.entries(demo.marketplaces)) {
    const target = marketplaces[domain];
    if (!target) {
      marketplaces[domain] = structuredClone(market);
      continue;
    }
    const known = new Set(target.products.map((p) => p.asin));
    target.products.push(...structuredClone(market.products.filter((p) => !known.has(p.asin))));
  }
  const truthCodes = new Set((catalog.truth ?? []).map((t) => `${t.marketplace ?? ''}|${t.code}`));
  const truth = [
    ...(catalog.truth ?? []),
    ...(demo.truth ?? []).filter((t) => !truthCodes.has(`${t.marketplace ?? ''}|${t.code}`)),
  ];
  return { ...catalog, marketplaces, truth };
}
