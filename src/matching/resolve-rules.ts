import type { MatchingRule } from './types.js';

/** The rules that apply to one code in one marketplace, resolved. */
export interface ResolvedRules {
  /** The ASIN the user always maps this code to, with its rule; null when none. */
  always: MatchingRule | null;
  /** ASINs the user never maps this code to. */
  never: ReadonlySet<string>;
}

/**
 * Resolves a user's rules for a code (its GTIN-14) in a marketplace. Rules for other codes or
 * marketplaces are ignored. For each ASIN the most specific rule wins (a marketplace's own rule
 * over `*`); at equal specificity `never` wins over `always`. Among several `always` ASINs the
 * most specific rule wins, then the newest, then the smallest ASIN (so the choice is stable).
 */
export function resolveRules(
  rules: readonly MatchingRule[],
  gtin14: string,
  marketplace: string | undefined,
): ResolvedRules {
  const byAsin = new Map<string, MatchingRule>();
  for (const rule of rules) {
    if (rule.gtin !== gtin14 || !appliesTo(rule, marketplace)) continue;
    const current = byAsin.get(rule.asin);
    if (!current || outranks(rule, current)) byAsin.set(rule.asin, rule);
  }
  const never = new Set<string>();
  let always: MatchingRule | null = null;
  for (const rule of byAsin.values()) {
    if (rule.rule === 'never') never.add(rule.asin);
    else if (!always || preferredAlways(rule, always)) always = rule;
  }
  return { always, never };
}

function appliesTo(rule: MatchingRule, marketplace: string | undefined): boolean {
  return rule.marketplace === '*' || rule.marketplace === marketplace;
}

function specificity(rule: MatchingRule): number {
  return rule.marketplace === '*' ? 0 : 1;
}

function outranks(rule: MatchingRule, current: MatchingRule): boolean {
  const bySpecificity = specificity(rule) - specificity(current);
  if (bySpecificity !== 0) return bySpecificity > 0;
  return rule.rule === 'never' && current.rule !== 'never';
}

function preferredAlways(rule: MatchingRule, current: MatchingRule): boolean {
  const bySpecificity = specificity(rule) - specificity(current);
  if (bySpecificity !== 0) return bySpecificity > 0;
  const byTime = (rule.created_at ?? '').localeCompare(current.created_at ?? '');
  if (byTime !== 0) return byTime > 0;
  return rule.asin < current.asin;
}
